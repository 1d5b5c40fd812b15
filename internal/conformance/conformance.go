// Package conformance runs Go's own tests with a toolchain, experiment off
// and on, and compares the outcomes: a test that passes with the
// experiment off must pass with it on.
package conformance

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os/exec"
	"slices"
	"strings"
	"time"
)

// An Outcome is how one test, or one package as a whole, ended.
type Outcome string

const (
	Pass Outcome = "pass"
	Fail Outcome = "fail"
	Skip Outcome = "skip"
)

// A Key names a test: Test is empty for the package as a whole (its
// build, its TestMain, tests that failed outside any Test function).
type Key struct {
	Package string
	Test    string
}

func (k Key) String() string {
	if k.Test == "" {
		return k.Package
	}
	return k.Package + " " + k.Test
}

// Results are the outcomes of one run of go test -json.
type Results struct {
	Outcomes map[Key]Outcome
	Elapsed  map[string]float64 // seconds, per package
	Output   map[Key][]string   // the output of failed tests, for the report
}

// event is one line of go test -json (cmd/test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Elapsed float64
	Output  string
}

// Parse reads the output of go test -json. Lines that are not JSON (a
// build failure printed before any event) are skipped; the package's
// fail event still records the failure. progress, when not nil, gets a
// line per finished package.
func Parse(r io.Reader, progress io.Writer) (*Results, error) {
	res := &Results{Outcomes: map[Key]Outcome{}, Elapsed: map[string]float64{}, Output: map[Key][]string{}}
	output := map[Key][]string{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		var e event
		if err := json.Unmarshal(line, &e); err != nil {
			continue
		}
		k := Key{e.Package, e.Test}
		switch e.Action {
		case "output":
			if len(output[k]) < 200 {
				output[k] = append(output[k], strings.TrimRight(e.Output, "\n"))
			}
		case "pass", "fail", "skip":
			res.Outcomes[k] = Outcome(e.Action)
			if e.Action == "fail" {
				res.Output[k] = output[k]
			}
			delete(output, k)
			if e.Test == "" {
				res.Elapsed[e.Package] = e.Elapsed
				if progress != nil {
					fmt.Fprintf(progress, "%-4s %s (%.1fs)\n", e.Action, e.Package, e.Elapsed)
				}
			}
		}
	}
	return res, sc.Err()
}

// Run runs `go test -json args...` with the go command gobin in dir with
// env, and parses its output. A non-zero exit is not an error: failures
// are in the results.
func Run(gobin, dir string, env []string, progress io.Writer, args ...string) (*Results, error) {
	cmd := exec.Command(gobin, append([]string{"test", "-json"}, args...)...)
	cmd.Dir = dir
	cmd.Env = env
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	res, perr := Parse(stdout, progress)
	werr := cmd.Wait()
	if perr != nil {
		return nil, perr
	}
	if werr != nil && len(res.Outcomes) == 0 {
		return nil, fmt.Errorf("go test: %v\n%s", werr, stderr.String())
	}
	return res, nil
}

// A Comparison sets the outcomes with the experiment on against off.
type Comparison struct {
	Regressions []Key // pass off, fail (or missing) on
	BothFail    []Key // fail in both: not the experiment's doing
	OnlyOff     []Key // fail off, pass on
	SkippedOn   []Key // pass off, skipped on: allowed, but listed
	Tests       int   // tests (and packages) that ran off
}

// Compare compares two runs of the same packages.
func Compare(off, on *Results) *Comparison {
	var c Comparison
	for _, k := range sortedKeys(off.Outcomes) {
		o := off.Outcomes[k]
		c.Tests++
		n, ran := on.Outcomes[k]
		switch {
		case o == Pass && (n == Fail || !ran && k.Test == ""):
			c.Regressions = append(c.Regressions, k)
		case o == Pass && !ran && !parentFailed(on, k):
			// A test that ran off but not on, in a package that did
			// not fail as a whole, means the run on stopped early.
			c.Regressions = append(c.Regressions, k)
		case o == Pass && n == Skip:
			c.SkippedOn = append(c.SkippedOn, k)
		case o == Fail && n == Fail:
			c.BothFail = append(c.BothFail, k)
		case o == Fail && n == Pass:
			c.OnlyOff = append(c.OnlyOff, k)
		}
	}
	for _, k := range sortedKeys(on.Outcomes) {
		if _, ranOff := off.Outcomes[k]; !ranOff && on.Outcomes[k] == Fail {
			c.Regressions = append(c.Regressions, k)
		}
	}
	return &c
}

// parentFailed reports whether k's package failed as a whole in r, which
// already counts as the regression.
func parentFailed(r *Results, k Key) bool {
	return r.Outcomes[Key{Package: k.Package}] == Fail
}

func sortedKeys(m map[Key]Outcome) []Key {
	return slices.SortedFunc(maps.Keys(m), func(a, b Key) int {
		if a.Package != b.Package {
			return strings.Compare(a.Package, b.Package)
		}
		return strings.Compare(a.Test, b.Test)
	})
}

// Write prints the comparison as Markdown: the regressions (which must be
// none) with their output, then what failed in both runs.
func (c *Comparison) Write(w io.Writer, on *Results, offElapsed, onElapsed time.Duration) {
	fmt.Fprintf(w, "| | count |\n| --- | --- |\n")
	fmt.Fprintf(w, "| tests and packages run, experiment off | %d (%v) |\n", c.Tests, offElapsed.Round(time.Second))
	fmt.Fprintf(w, "| pass off, fail on (must be none) | %d (run on: %v) |\n", len(c.Regressions), onElapsed.Round(time.Second))
	fmt.Fprintf(w, "| fail in both | %d |\n", len(c.BothFail))
	fmt.Fprintf(w, "| fail off, pass on | %d |\n", len(c.OnlyOff))
	fmt.Fprintf(w, "| pass off, skipped on | %d |\n\n", len(c.SkippedOn))
	if len(c.Regressions) > 0 {
		fmt.Fprintf(w, "Pass with the experiment off, fail with it on:\n\n")
		for _, k := range c.Regressions {
			fmt.Fprintf(w, "- %s\n", k)
			out := on.Output[k]
			if len(out) > 30 {
				out = out[len(out)-30:]
			}
			for _, l := range out {
				fmt.Fprintf(w, "      %s\n", l)
			}
		}
		fmt.Fprintln(w)
	}
	for _, l := range []struct {
		what string
		keys []Key
	}{{"Fail in both runs", c.BothFail}, {"Fail off, pass on", c.OnlyOff}, {"Pass off, skipped on", c.SkippedOn}} {
		if len(l.keys) > 0 {
			fmt.Fprintf(w, "%s:\n\n", l.what)
			for _, k := range l.keys {
				fmt.Fprintf(w, "- %s\n", k)
			}
			fmt.Fprintln(w)
		}
	}
}
