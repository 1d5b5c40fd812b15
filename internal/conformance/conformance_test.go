package conformance

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func parseFile(t *testing.T, name string) *Results {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var progress strings.Builder
	r, err := Parse(f, &progress)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestParse(t *testing.T) {
	r := parseFile(t, "testdata/off.json")
	want := map[Key]Outcome{
		{"runtime", "TestA"}: Pass, {"runtime", "TestB"}: Pass, {"runtime", "TestFlaky"}: Fail,
		{"runtime", "TestC"}: Pass, {"runtime", ""}: Fail, {"sync", "TestS"}: Pass, {"sync", ""}: Pass,
		{"reflect", ""}: Pass,
	}
	if len(r.Outcomes) != len(want) {
		t.Errorf("got %d outcomes, want %d: %v", len(r.Outcomes), len(want), r.Outcomes)
	}
	for k, o := range want {
		if r.Outcomes[k] != o {
			t.Errorf("%v: got %q, want %q", k, r.Outcomes[k], o)
		}
	}
	if r.Elapsed["runtime"] != 52.3 {
		t.Errorf("runtime elapsed %v, want 52.3", r.Elapsed["runtime"])
	}
	if out := r.Output[Key{"runtime", "TestFlaky"}]; len(out) != 1 || !strings.Contains(out[0], "broken on this machine") {
		t.Errorf("failed test output = %q", out)
	}
	if _, ok := r.Output[Key{"runtime", "TestA"}]; ok {
		t.Error("output kept for a passing test")
	}
}

func TestCompare(t *testing.T) {
	off, on := parseFile(t, "testdata/off.json"), parseFile(t, "testdata/on.json")
	c := Compare(off, on)
	keys := func(ks []Key) []string {
		var s []string
		for _, k := range ks {
			s = append(s, k.String())
		}
		return s
	}
	// TestA fails only on; sync's TestS passed off and never ran on
	// although sync passed; reflect did not run on at all; TestNew
	// exists only on, and fails.
	wantReg := []string{"reflect", "runtime TestA", "sync TestS", "runtime TestNew"}
	if got := keys(c.Regressions); !slices.Equal(got, wantReg) {
		t.Errorf("Regressions = %q, want %q", got, wantReg)
	}
	if got := keys(c.BothFail); !slices.Equal(got, []string{"runtime", "runtime TestFlaky"}) {
		t.Errorf("BothFail = %q", got)
	}
	if got := keys(c.SkippedOn); !slices.Equal(got, []string{"runtime TestB"}) {
		t.Errorf("SkippedOn = %q", got)
	}
	if c.Tests != 8 {
		t.Errorf("Tests = %d, want 8", c.Tests)
	}

	var b strings.Builder
	c.Write(&b, on, time.Minute, 2*time.Minute)
	report := b.String()
	for _, want := range []string{"| pass off, fail on (must be none) | 4 ", "- runtime TestA\n", "a_test.go:9: stack moved", "Fail in both runs:\n\n- runtime\n- runtime TestFlaky\n"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}

	// The same run compared with itself has no regression.
	if c := Compare(off, off); len(c.Regressions)+len(c.OnlyOff)+len(c.SkippedOn) != 0 || len(c.BothFail) != 2 {
		t.Errorf("self comparison: %+v", c)
	}
}
