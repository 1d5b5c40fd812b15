package main

import (
	"fmt"
	"os"
	"strings"

	"faultstack/internal/gotree"
	"faultstack/internal/toolchain"
	"faultstack/internal/upstream"
)

// runTree makes the editable tree, or brings an existing one up to date
// with patches/ when it holds no unexported work.
func runTree(r *repo, args []string) error {
	fs := newFlags("tree", "")
	if err := noArgs(fs, args); err != nil {
		return err
	}
	patches, err := r.patches()
	if err != nil {
		return err
	}
	dir := r.treeDir()
	var tree *gotree.Tree
	if gotree.Exists(dir) {
		tree = &gotree.Tree{Dir: dir}
		rep, err := tree.Status(patches)
		if err != nil {
			return err
		}
		if rep.InSync() {
			fmt.Printf("tree: %s is up to date: %s + %d patches\n", dir, upstream.Version, len(patches))
			return nil
		}
		if rep.Lost() {
			return fmt.Errorf("refusing to reset %s: it holds work that patches/ lacks:\n%s\nExport it (go run ./cmd/faultstack export) or discard it in the tree, then run tree again", dir, describe(rep))
		}
		fmt.Printf("tree: resetting %s to %s and applying %d patches\n", dir, upstream.Version, len(patches))
		if err := tree.Reset(); err != nil {
			return err
		}
	} else {
		if _, err := os.Stat(dir); err == nil {
			return fmt.Errorf("%s exists but is not a faultstack tree (no %q tag); move it away", dir, gotree.BaseTag)
		}
		base, err := upstream.SourceRoot()
		if err != nil {
			return err
		}
		fmt.Printf("tree: copying %s from %s into %s\n", upstream.Version, base, dir)
		if tree, err = gotree.Init(dir, base, upstream.Version); err != nil {
			return err
		}
		fmt.Printf("tree: applying %d patches\n", len(patches))
	}
	if err := tree.Apply(patches); err != nil {
		return err
	}
	fmt.Printf("tree: ready: %s\n", dir)
	fmt.Printf("tree: build it with: go run ./cmd/faultstack build -tree (then %s)\n", toolchain.GoBin(dir))
	return nil
}

// describe lists what a report finds, one indented line each.
func describe(rep *gotree.Report) string {
	var b strings.Builder
	for _, l := range rep.Uncommitted {
		fmt.Fprintf(&b, "\tuncommitted: %s\n", l)
	}
	for _, l := range rep.Unexported {
		fmt.Fprintf(&b, "\tnot exported: commit %s\n", l)
	}
	for _, l := range rep.Stashes {
		fmt.Fprintf(&b, "\tstashed: %s\n", l)
	}
	return b.String()
}

func runExport(r *repo, args []string) error {
	fs := newFlags("export", "")
	if err := noArgs(fs, args); err != nil {
		return err
	}
	if !gotree.Exists(r.treeDir()) {
		return fmt.Errorf("no editable tree at %s; make one with: go run ./cmd/faultstack tree", r.treeDir())
	}
	tree := &gotree.Tree{Dir: r.treeDir()}
	if dirty, err := tree.Uncommitted(); err != nil {
		return err
	} else if len(dirty) > 0 {
		fmt.Fprintf(os.Stderr, "export: warning: %d uncommitted changes in %s are not exported; commit them first\n", len(dirty), r.treeDir())
	}
	series, err := tree.Series()
	if err != nil {
		return err
	}
	written, removed, err := gotree.WritePatches(r.patchesDir(), series)
	if err != nil {
		return err
	}
	for _, n := range written {
		fmt.Printf("export: wrote patches/%s\n", n)
	}
	for _, n := range removed {
		fmt.Printf("export: removed patches/%s\n", n)
	}
	fmt.Printf("export: patches/ holds %d patches (%d written, %d removed)\n", len(series), len(written), len(removed))
	return nil
}

func runStatus(r *repo, args []string) error {
	fs := newFlags("status", "")
	if err := noArgs(fs, args); err != nil {
		return err
	}
	patches, err := r.patches()
	if err != nil {
		return err
	}
	if !gotree.Exists(r.treeDir()) {
		fmt.Printf("status: no editable tree at %s; patches/ holds %d patches\n", r.treeDir(), len(patches))
		return nil
	}
	tree := &gotree.Tree{Dir: r.treeDir()}
	rep, err := tree.Status(patches)
	if err != nil {
		return err
	}
	for _, n := range rep.NotApplied {
		fmt.Printf("status: patches/%s is not in the tree (go run ./cmd/faultstack tree updates it)\n", n)
	}
	if rep.Lost() {
		fmt.Printf("status: %s holds work that patches/ lacks:\n%s", r.treeDir(), describe(rep))
		fmt.Printf("status: commit it in the tree, then run: go run ./cmd/faultstack export\n")
		return errSilent
	}
	fmt.Printf("status: %s: nothing to export (%d patches)\n", r.treeDir(), len(patches))
	return nil
}
