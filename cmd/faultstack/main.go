// Faultstack builds and tests the faultstack Go toolchain: go1.26.8 plus
// the patch series in patches/, which adds GOEXPERIMENT=faultstack.
//
// Usage:
//
//	faultstack <command> [flags]
//
// The commands are:
//
//	tree     make the editable Go tree (_work/go): base release plus patches/
//	export   write the editable tree's commits back to patches/
//	status   exit non-zero when the editable tree holds work patches/ lacks
//	build    build the toolchain from patches/ into _work/toolchain
//	goroot   print the GOROOT of the built toolchain
//	test     run the project's tests
//	demo     build the toolchain and run a demonstration, experiment off and on
//
// Run it from the repository: go run ./cmd/faultstack <command>.
package main

import (
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
		{"tree", "make the editable Go tree (_work/go): base release plus patches/", runTree},
		{"export", "write the editable tree's commits back to patches/", runExport},
		{"status", "exit non-zero when the editable tree holds work patches/ lacks", runStatus},
		{"build", "build the toolchain from patches/ into _work/toolchain", runBuild},
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
	root string
}

func (r *repo) patchesDir() string   { return filepath.Join(r.root, "patches") }
func (r *repo) treeDir() string      { return filepath.Join(r.root, "_work", "go") }
func (r *repo) toolchainDir() string { return filepath.Join(r.root, "_work", "toolchain") }

// findRepo finds the repository root above the working directory.
func findRepo() (*repo, error) {
	dir, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	for {
		mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.HasPrefix(string(mod), "module faultstack\n") {
			return &repo{root: dir}, nil
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
