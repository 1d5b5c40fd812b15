// Faultstack builds and tests the faultstack Go toolchain: go1.26.8 plus
// the patch series in patches/, which adds GOEXPERIMENT=faultstack.
//
// Usage:
//
//	faultstack <command> [flags]
//
// The commands are:
//
//	tree     make the editable Go tree: base release plus patches/
//	export   write the editable tree's commits back to patches/
//	status   exit non-zero when the editable tree holds work patches/ lacks
//	build    build the toolchain from patches/
//	goroot   print the GOROOT of the built toolchain
//	test     run the project's tests
//	demo     build the toolchain and run a demonstration, experiment off and on
//
// Run it from the repository: go run ./cmd/faultstack <command>. The
// editable tree and the built toolchain live outside the repository, in
// $FAULTSTACK_WORK or the user's cache directory; tree, status and goroot
// print where.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"faultstack/internal/gotree"
	"faultstack/internal/toolchain"
	"faultstack/internal/upstream"
)

type command struct {
	name  string
	short string
	run   func(r *repo, args []string) error
}

var commands []command

func init() {
	commands = []command{
		{"tree", "make the editable Go tree: base release plus patches/", runTree},
		{"export", "write the editable tree's commits back to patches/", runExport},
		{"status", "exit non-zero when the editable tree holds work patches/ lacks", runStatus},
		{"build", "build the toolchain from patches/", runBuild},
		{"goroot", "print the GOROOT of the built toolchain", runGoroot},
		{"test", "run the project's tests", runTest},
		{"bench", "measure what the stack checks cost: report/ with report.md", runBench},
		{"demo", "build the toolchain and run a demonstration, experiment off and on", runDemo},
	}
}

func usage() {
	fmt.Fprintf(os.Stderr, "usage: faultstack <command> [flags]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(os.Stderr, "\t%-8s %s\n", c.name, c.short)
	}
	fmt.Fprintf(os.Stderr, "\nRun 'faultstack <command> -h' for a command's flags.\n")
}

// errSilent reports failure when the command already said why.
var errSilent = errors.New("silent")

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	name := os.Args[1]
	for _, c := range commands {
		if c.name != name {
			continue
		}
		r, err := findRepo()
		if err == nil {
			err = c.run(r, os.Args[2:])
		}
		if err != nil {
			if err != errSilent && err != flag.ErrHelp {
				fmt.Fprintf(os.Stderr, "faultstack %s: %v\n", name, err)
			}
			os.Exit(1)
		}
		return
	}
	if name == "help" || name == "-h" || name == "--help" {
		usage()
		return
	}
	fmt.Fprintf(os.Stderr, "faultstack: unknown command %q\n", name)
	usage()
	os.Exit(2)
}

// A repo is the faultstack repository and the places it keeps things.
type repo struct {
	root string // the repository
	work string // the editable tree and the built toolchain; see workDir
}

func (r *repo) patchesDir() string   { return filepath.Join(r.root, "patches") }
func (r *repo) treeDir() string      { return filepath.Join(r.work, "go") }
func (r *repo) toolchainDir() string { return filepath.Join(r.work, "toolchain") }

// workDir returns where the repository at root keeps its Go trees:
// $FAULTSTACK_WORK when set, else a directory of its own under the user's
// cache directory, keyed by root so that two clones never share one.
//
// The trees must not live inside the repository: the go command, run in a
// GOROOT directory outside GOROOT/src (as go/importer does in runtime's
// TestAtomicAlignment), looks for a go.mod above it, would find this
// module's and would fail in ways it never does with stock Go.
//
// A tree made before this rule, in root/_work, is still used, with a
// warning, so that work in it is not stranded.
func workDir(root string) (string, error) {
	if w := os.Getenv("FAULTSTACK_WORK"); w != "" {
		return filepath.Abs(w)
	}
	legacy := filepath.Join(root, "_work")
	if gotree.Exists(filepath.Join(legacy, "go")) {
		fmt.Fprintf(os.Stderr, "faultstack: warning: using the trees in %s, inside the module; export your work, remove %s and run tree again to move them out\n", legacy, legacy)
		return legacy, nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no place for the Go trees (%v); set FAULTSTACK_WORK", err)
	}
	sum := sha256.Sum256([]byte(root))
	return filepath.Join(cache, "faultstack", filepath.Base(root)+"-"+hex.EncodeToString(sum[:4])), nil
}

// findRepo finds the repository root above the working directory.
func findRepo() (*repo, error) {
	dir, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	for {
		mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.HasPrefix(string(mod), "module faultstack\n") {
			work, err := workDir(dir)
			if err != nil {
				return nil, err
			}
			return &repo{root: dir, work: work}, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil, errors.New("not inside the faultstack repository (no go.mod for module faultstack above the working directory)")
		}
		dir = parent
	}
}

func (r *repo) patches() ([]gotree.Patch, error) {
	return gotree.ReadPatches(r.patchesDir())
}

// toolchainSpec says how to build the toolchain from patches/.
func (r *repo) toolchainSpec() (toolchain.Spec, error) {
	patches, err := r.patches()
	if err != nil {
		return toolchain.Spec{}, err
	}
	return toolchain.Spec{
		Dir:       r.toolchainDir(),
		Version:   upstream.Version,
		Patches:   patches,
		Bootstrap: os.Getenv("GOROOT_BOOTSTRAP"),
	}, nil
}

// newFlags returns a flag set for a command that prints its usage line.
func newFlags(name, args string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: faultstack %s %s\n", name, args)
		fs.PrintDefaults()
	}
	return fs
}

func noArgs(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return errSilent
	}
	return nil
}
