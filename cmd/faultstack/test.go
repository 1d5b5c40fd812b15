package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"faultstack/internal/toolchain"
	"faultstack/internal/upstream"
)

// A suite is one part of the project's tests.
type suite struct {
	name string
	what string
	run  func(r *repo, goroot string) error
}

// suites are the project's tests, in the order they run. The first needs
// no toolchain; the others run against the one built from patches/.
var suites = []suite{
	{"tool", "the faultstack tool's own tests (go test ./...)", func(r *repo, _ string) error {
		return runCmd(r.root, os.Environ(), "go", "test", "./...")
	}},
	{"toolchain", "the built toolchain: the experiment's build checks (internal/checks)", func(r *repo, goroot string) error {
		return runCmd(r.root, append(os.Environ(), "FAULTSTACK_GOROOT="+goroot), "go", "test", "-count=1", "-v", "./internal/checks")
	}},
	{"runtime", "go test -short runtime, experiment off", func(r *repo, goroot string) error {
		return goTestStd(goroot, nil, "-short", "runtime")
	}},
	{"runtime-" + upstream.Experiment, "go test -short runtime, GOEXPERIMENT=" + upstream.Experiment, func(r *repo, goroot string) error {
		return goTestStd(goroot, []string{"GOEXPERIMENT=" + upstream.Experiment}, "-short", "runtime")
	}},
}

// runTest builds the toolchain from patches/ when needed, runs the
// selected suites and ends with one summary line: "test: N passed, N failed".
func runTest(r *repo, args []string) error {
	fs := newFlags("test", "[-run regexp] [-list]")
	runPat := fs.String("run", "", "run only the suites whose name matches `regexp`")
	list := fs.Bool("list", false, "list the suites and exit")
	if err := noArgs(fs, args); err != nil {
		return err
	}
	if *list {
		for _, s := range suites {
			fmt.Printf("%-20s %s\n", s.name, s.what)
		}
		return nil
	}
	re, err := regexp.Compile(*runPat)
	if err != nil {
		return err
	}
	var selected []suite
	for _, s := range suites {
		if re.MatchString(s.name) {
			selected = append(selected, s)
		}
	}
	if len(selected) == 0 {
		return fmt.Errorf("no suite matches -run %q (see -list)", *runPat)
	}

	var goroot string
	passed, failed := 0, 0
	var results []string
	for _, s := range selected {
		if s.name != "tool" && goroot == "" {
			if goroot, err = r.ensureToolchain(); err != nil {
				return err
			}
		}
		fmt.Printf("=== suite %s: %s\n", s.name, s.what)
		start := time.Now()
		err := s.run(r, goroot)
		d := time.Since(start).Round(100 * time.Millisecond)
		if err != nil {
			failed++
			results = append(results, fmt.Sprintf("--- FAIL suite %s (%v): %v", s.name, d, err))
		} else {
			passed++
			results = append(results, fmt.Sprintf("--- PASS suite %s (%v)", s.name, d))
		}
		fmt.Println(results[len(results)-1])
	}
	fmt.Println()
	fmt.Println(strings.Join(results, "\n"))
	fmt.Printf("test: %d passed, %d failed\n", passed, failed)
	if failed > 0 {
		return errSilent
	}
	return nil
}

// goTestStd runs the toolchain's go test on standard packages from
// GOROOT/src, as Go's own builders do: some tests (runtime's
// TestAtomicAlignment, for one) load packages relative to the main
// module and fail when run from another module.
func goTestStd(goroot string, env []string, args ...string) error {
	args = append([]string{"test", "-count=1"}, args...)
	return runCmd(filepath.Join(goroot, "src"), toolchain.GoEnv(goroot, env...), toolchain.GoBin(goroot), args...)
}

// runCmd runs a command in dir with env, its output going to ours.
func runCmd(dir string, env []string, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return nil
}
