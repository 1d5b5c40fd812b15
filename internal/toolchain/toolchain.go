// Package toolchain builds a Go toolchain from a base release plus a patch
// series, and runs the go command of a built toolchain.
package toolchain

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"faultstack/internal/gotree"
)

// stampFile, in a built GOROOT, holds the gotree.Hash of the base and
// patches it was built from.
const stampFile = ".faultstack-stamp"

// A Spec says what to build and where.
type Spec struct {
	Dir       string         // the GOROOT to build, a gotree.Tree
	BaseRoot  string         // the pristine upstream source
	Version   string         // the upstream version, such as go1.26.8
	Patches   []gotree.Patch // the series to apply
	Bootstrap string         // GOROOT_BOOTSTRAP; empty means BaseRoot
}

// GoBin returns the go command of the toolchain at goroot.
func GoBin(goroot string) string {
	return filepath.Join(goroot, "bin", "go")
}

// Current reports whether dir holds a finished build of spec's base and
// patches. When it does not, reason says why.
func Current(spec Spec) (ok bool, reason string) {
	if _, err := os.Stat(GoBin(spec.Dir)); err != nil {
		return false, "no toolchain has been built in " + spec.Dir
	}
	stamp, err := os.ReadFile(filepath.Join(spec.Dir, stampFile))
	if err != nil {
		return false, "the toolchain in " + spec.Dir + " has no build stamp"
	}
	if strings.TrimSpace(string(stamp)) != gotree.Hash(spec.Version, spec.Patches) {
		return false, "the toolchain in " + spec.Dir + " was built from other patches"
	}
	return true, ""
}

// Ensure builds spec unless Current says the build is already there.
// It reports whether it built.
func Ensure(spec Spec, log io.Writer) (built bool, err error) {
	if ok, _ := Current(spec); ok {
		fmt.Fprintf(log, "build: toolchain in %s is up to date (%s + %d patches)\n", spec.Dir, spec.Version, len(spec.Patches))
		return false, nil
	}
	os.Remove(filepath.Join(spec.Dir, stampFile))
	var tree *gotree.Tree
	if gotree.Exists(spec.Dir) {
		tree = &gotree.Tree{Dir: spec.Dir}
		if err := tree.Reset(); err != nil {
			return false, err
		}
	} else {
		if err := os.RemoveAll(spec.Dir); err != nil {
			return false, err
		}
		fmt.Fprintf(log, "build: copying %s from %s\n", spec.Version, spec.BaseRoot)
		if tree, err = gotree.Init(spec.Dir, spec.BaseRoot, spec.Version); err != nil {
			return false, err
		}
	}
	fmt.Fprintf(log, "build: applying %d patches\n", len(spec.Patches))
	if err := tree.Apply(spec.Patches); err != nil {
		return false, err
	}
	bootstrap := spec.Bootstrap
	if bootstrap == "" {
		bootstrap = spec.BaseRoot
	}
	if err := Make(spec.Dir, bootstrap, log); err != nil {
		return false, err
	}
	stamp := gotree.Hash(spec.Version, spec.Patches) + "\n"
	if err := os.WriteFile(filepath.Join(spec.Dir, stampFile), []byte(stamp), 0o644); err != nil {
		return false, err
	}
	return true, nil
}

// Make runs make.bash in goroot, printing its progress to log, each line
// with the time since the start.
func Make(goroot, bootstrap string, log io.Writer) error {
	start := time.Now()
	fmt.Fprintf(log, "build: make.bash in %s (a few minutes)\n", goroot)
	cmd := exec.Command("./make.bash")
	cmd.Dir = filepath.Join(goroot, "src")
	cmd.Env = append(Env(), "GOROOT_BOOTSTRAP="+bootstrap)
	r, w := io.Pipe()
	cmd.Stdout = w
	cmd.Stderr = w
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() {
		done <- cmd.Wait()
		w.Close()
	}()
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fmt.Fprintf(log, "build: [%4.0fs] %s\n", time.Since(start).Seconds(), sc.Text())
	}
	if err := <-done; err != nil {
		return fmt.Errorf("make.bash in %s: %v", goroot, err)
	}
	fmt.Fprintf(log, "build: done in %.0fs\n", time.Since(start).Seconds())
	return nil
}

// Env returns the environment in which to run a built toolchain, or
// make.bash: the caller's, less the settings that would make it build
// something other than what it is asked (a GOROOT inherited from
// `go run`, experiments, a toolchain switch, global flags).
func Env(extra ...string) []string {
	drop := map[string]bool{
		"GOROOT": true, "GOEXPERIMENT": true, "GOTOOLCHAIN": true, "GOFLAGS": true,
		"GOOS": true, "GOARCH": true, "GOROOT_BOOTSTRAP": true, "GODEBUG": true,
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if !drop[k] {
			env = append(env, kv)
		}
	}
	env = append(env, "GOTOOLCHAIN=local")
	return append(env, extra...)
}

// GoEnv returns the environment in which to run the go command of the
// toolchain at goroot: Env, with goroot/bin first in PATH. Tests that
// run "go" themselves (runtime's TestAtomicAlignment, through go/importer)
// must find this toolchain's go, not the one that built it.
func GoEnv(goroot string, extra ...string) []string {
	env := Env(extra...)
	path := filepath.Join(goroot, "bin")
	found := false
	for i, kv := range env {
		if old, ok := strings.CutPrefix(kv, "PATH="); ok {
			env[i] = "PATH=" + path + string(os.PathListSeparator) + old
			found = true
		}
	}
	if !found {
		env = append(env, "PATH="+path)
	}
	return env
}
