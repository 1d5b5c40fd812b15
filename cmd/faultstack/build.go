package main

import (
	"fmt"
	"os"

	"faultstack/internal/gotree"
	"faultstack/internal/toolchain"
	"faultstack/internal/upstream"
)

func runBuild(r *repo, args []string) error {
	fs := newFlags("build", "[-tree]")
	tree := fs.Bool("tree", false, "build the editable tree instead of patches/")
	if err := noArgs(fs, args); err != nil {
		return err
	}
	if *tree {
		if !gotree.Exists(r.treeDir()) {
			return fmt.Errorf("no editable tree at %s; make one with: go run ./cmd/faultstack tree", r.treeDir())
		}
		bootstrap, err := bootstrapRoot()
		if err != nil {
			return err
		}
		return toolchain.Make(r.treeDir(), bootstrap, os.Stdout)
	}
	_, err := r.ensureToolchain()
	return err
}

// ensureToolchain builds the toolchain from patches/ unless it is built,
// and returns its GOROOT.
func (r *repo) ensureToolchain() (string, error) {
	spec, err := r.toolchainSpec()
	if err != nil {
		return "", err
	}
	if ok, _ := toolchain.Current(spec); !ok {
		if spec.BaseRoot, err = upstream.SourceRoot(); err != nil {
			return "", err
		}
	}
	if _, err := toolchain.Ensure(spec, os.Stdout); err != nil {
		return "", err
	}
	return spec.Dir, nil
}

// bootstrapRoot is the Go that builds the toolchain: GOROOT_BOOTSTRAP
// when set, else the upstream release itself.
func bootstrapRoot() (string, error) {
	if b := os.Getenv("GOROOT_BOOTSTRAP"); b != "" {
		return b, nil
	}
	return upstream.SourceRoot()
}

func runGoroot(r *repo, args []string) error {
	fs := newFlags("goroot", "[-tree]")
	tree := fs.Bool("tree", false, "print the editable tree's GOROOT instead")
	if err := noArgs(fs, args); err != nil {
		return err
	}
	if *tree {
		if _, err := os.Stat(toolchain.GoBin(r.treeDir())); err != nil {
			return fmt.Errorf("the editable tree is not built; run: go run ./cmd/faultstack build -tree")
		}
		fmt.Println(r.treeDir())
		return nil
	}
	spec, err := r.toolchainSpec()
	if err != nil {
		return err
	}
	if ok, reason := toolchain.Current(spec); !ok {
		return fmt.Errorf("%s; run: go run ./cmd/faultstack build", reason)
	}
	fmt.Println(spec.Dir)
	return nil
}
