package main

import (
	"embed"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"faultstack/internal/toolchain"
	"faultstack/internal/upstream"
)

//go:embed demo/main.go
var demoSource embed.FS

// runDemo builds the toolchain when needed, then builds and runs a small
// program with the experiment off and on, printing `go version` of each.
func runDemo(r *repo, args []string) error {
	fs := newFlags("demo", "")
	if err := noArgs(fs, args); err != nil {
		return err
	}
	goroot, err := r.ensureToolchain()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "faultstack-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	src, err := demoSource.ReadFile("demo/main.go")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), src, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module demo\n\ngo 1.26\n"), 0o644); err != nil {
		return err
	}
	gobin := toolchain.GoBin(goroot)
	for _, cfg := range []struct{ name, experiment string }{{"stock", ""}, {upstream.Experiment, upstream.Experiment}} {
		bin := filepath.Join(dir, "demo-"+cfg.name)
		env := toolchain.GoEnv(goroot, "GOEXPERIMENT="+cfg.experiment)
		if err := runIn(dir, env, os.Stderr, gobin, "build", "-o", bin, "."); err != nil {
			return err
		}
		var out strings.Builder
		if err := runIn(dir, env, &out, gobin, "version", bin); err != nil {
			return err
		}
		fmt.Printf("demo: GOEXPERIMENT=%s\n  go version %s", cfg.experiment, strings.TrimPrefix(out.String(), dir+string(filepath.Separator)))
		if err := runIn(dir, env, os.Stdout, bin); err != nil {
			return err
		}
	}
	return nil
}

// runIn runs a command in dir with env, its standard output going to
// stdout and its standard error to ours.
func runIn(dir string, env []string, stdout io.Writer, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdout = stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %v", filepath.Base(name), strings.Join(args, " "), err)
	}
	return nil
}
