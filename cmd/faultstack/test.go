package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"faultstack/internal/conformance"
	"faultstack/internal/stress"
	"faultstack/internal/toolchain"
	"faultstack/internal/upstream"
)

// A suite is one part of the project's tests.
type suite struct {
	name string
	what string
	only string // "": always; else only with the flag -only (full, stress)
	run  func(r *repo, goroot string) error
}

// conformanceSubset is what the default test run holds to Go's own tests,
// experiment off and on: the packages closest to stacks, scheduling and
// deep recursion that fit CI's time. -full runs all of std and cmd.
var conformanceSubset = []string{
	"runtime", "runtime/debug", "sync", "reflect", "encoding/json", "go/types", "os/signal",
}

// suites are the project's tests, in the order they run. The first needs
// no toolchain; the others run against the one built from patches/.
var suites = []suite{
	{"tool", "the faultstack tool's own tests (go test ./...)", "", func(r *repo, _ string) error {
		return runCmd(r.root, os.Environ(), "go", "test", "./...")
	}},
	{"toolchain", "the built toolchain: the experiment's build checks (internal/checks)", "", func(r *repo, goroot string) error {
		return runCmd(r.root, append(os.Environ(), "FAULTSTACK_GOROOT="+goroot), "go", "test", "-count=1", "-v", "./internal/checks")
	}},
	{"conformance", "go test -short " + strings.Join(conformanceSubset, " ") + ", experiment off and on: every test must pass both ways", "",
		func(r *repo, goroot string) error {
			return conformanceSuite(r, goroot, "conformance", true, append([]string{"-short"}, conformanceSubset...)...)
		}},
	{"full", "go test -short std cmd, experiment off and on: what passes off must pass on", "full",
		func(r *repo, goroot string) error {
			return conformanceSuite(r, goroot, "full", false, "-short", "std", "cmd")
		}},
	{"stress", "the stress program (internal/stress) for -stress.duration with the experiment on, after a short control run with it off", "stress",
		func(r *repo, goroot string) error {
			return stress.Suite(goroot, r.work, stressDuration, stressSeed, os.Stdout)
		}},
}

// Set by the flags -stress.duration and -stress.seed.
var (
	stressDuration time.Duration
	stressSeed     uint64
)

// conformanceSuite runs go test args with the experiment off, then on, and
// writes the comparison to the work directory and to standard output.
// It fails when a test passes off and fails on; when strict, also when
// anything fails at all.
func conformanceSuite(r *repo, goroot, name string, strict bool, args ...string) error {
	args = append([]string{"-count=1"}, args...)
	dir := filepath.Join(goroot, "src")
	var runs [2]*conformance.Results
	var took [2]time.Duration
	for i, exp := range []string{"", upstream.Experiment} {
		fmt.Printf("%s: go test %s, GOEXPERIMENT=%s\n", name, strings.Join(args, " "), exp)
		start := time.Now()
		res, err := conformance.Run(toolchain.GoBin(goroot), dir, toolchain.GoEnv(goroot, "GOEXPERIMENT="+exp), prefixWriter(name+": "), args...)
		if err != nil {
			return err
		}
		runs[i], took[i] = res, time.Since(start)
	}
	c := conformance.Compare(runs[0], runs[1])
	var report strings.Builder
	fmt.Fprintf(&report, "# go test %s: GOEXPERIMENT=%s against off\n\n", strings.Join(args, " "), upstream.Experiment)
	c.Write(&report, runs[1], took[0], took[1])
	out := filepath.Join(r.work, name+".md")
	if err := os.WriteFile(out, []byte(report.String()), 0o644); err != nil {
		return err
	}
	fmt.Print(report.String())
	fmt.Printf("%s: comparison written to %s\n", name, out)
	if len(c.Regressions) > 0 {
		return fmt.Errorf("%d tests pass with the experiment off and fail with it on", len(c.Regressions))
	}
	if strict {
		for i, res := range runs {
			for k, o := range res.Outcomes {
				if o == conformance.Fail {
					return fmt.Errorf("%s fails with GOEXPERIMENT=%s", k, []string{"", upstream.Experiment}[i])
				}
			}
		}
	}
	return nil
}

// prefixWriter writes each line it gets to standard output behind prefix.
type prefixWriter string

func (p prefixWriter) Write(b []byte) (int, error) {
	for line := range strings.Lines(string(b)) {
		fmt.Print(string(p) + line)
	}
	return len(b), nil
}

// runTest builds the toolchain from patches/ when needed, runs the
// selected suites and ends with one summary line: "test: N passed, N failed".
func runTest(r *repo, args []string) error {
	fs := newFlags("test", "[-full] [-stress [-stress.duration d] [-stress.seed n]] [-run regexp] [-list]")
	full := fs.Bool("full", false, "also run the full conformance suite: go test -short std cmd, experiment off and on")
	stressOn := fs.Bool("stress", false, "also run the stress suite: the stress program, experiment off (briefly) and on")
	fs.DurationVar(&stressDuration, "stress.duration", 3*time.Minute, "how long the stress suite runs with the experiment on")
	fs.Uint64Var(&stressSeed, "stress.seed", 0, "the stress suite's seed, to replay a run (0: from the clock; printed)")
	runPat := fs.String("run", "", "run only the suites whose name matches `regexp`")
	list := fs.Bool("list", false, "list the suites and exit")
	if err := noArgs(fs, args); err != nil {
		return err
	}
	if *list {
		for _, s := range suites {
			flag := ""
			if s.only != "" {
				flag = " (-" + s.only + ")"
			}
			fmt.Printf("%-12s %s%s\n", s.name, s.what, flag)
		}
		return nil
	}
	re, err := regexp.Compile(*runPat)
	if err != nil {
		return err
	}
	var selected []suite
	for _, s := range suites {
		enabled := map[string]bool{"": true, "full": *full, "stress": *stressOn}
		if re.MatchString(s.name) && enabled[s.only] {
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

// runCmd runs a command in dir with env, its output going to ours.
func runCmd(dir string, env []string, name string, args ...string) error {
	return runIn(dir, env, os.Stdout, name, args...)
}
