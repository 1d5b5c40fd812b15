package cachegrind

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	p, err := ParseFile("testdata/cachegrind.out")
	if err != nil {
		t.Fatal(err)
	}
	if p.Total["Ir"] != 4969404 || p.Total["I1mr"] != 9445 || p.Total["DLmw"] != 55108 {
		t.Errorf("totals %v", p.Total)
	}
	for _, c := range []struct {
		fn, ev string
		want   float64
	}{
		{"runtime.morestack.abi0", "Ir", 154},
		{"runtime.morestack.abi0", "I1mr", 8},
		{"runtime.newstack", "Ir", 254}, // over three files; the last line lacks trailing zeros
		{"runtime.newstack", "I1mr", 5},
		{"main.use", "Ir", 1500},
		{"main.use", "D1mr", 0},
		{"main.use", "Dr", 200},
	} {
		if got := p.Funcs[c.fn][c.ev]; got != c.want {
			t.Errorf("%s %s = %v, want %v", c.fn, c.ev, got, c.want)
		}
	}
	if got := p.Func("runtime.morestack", "Ir"); got != 154 {
		t.Errorf("Func(runtime.morestack) = %v", got)
	}
}

func TestParseIncomplete(t *testing.T) {
	if _, err := Parse(strings.NewReader("events: Ir\nfn=x\n1 2\n")); err == nil {
		t.Error("no error without a summary line")
	}
	if _, err := Parse(strings.NewReader("1 2 3\n")); err == nil {
		t.Error("no error for counts outside a function")
	}
}

func TestArgs(t *testing.T) {
	a := strings.Join(Args("out", "./x.test", "-test.run=^$"), " ")
	for _, want := range []string{"--cache-sim=yes", "--I1=32768,8,64", "--LL=8388608,16,64", "--cachegrind-out-file=out ./x.test -test.run=^$"} {
		if !strings.Contains(a, want) {
			t.Errorf("args %q lack %q", a, want)
		}
	}
	if e := strings.Join(Env(), " "); !strings.Contains(e, "GODEBUG="+GODEBUG) || !strings.Contains(e, "GOGC=off") {
		t.Errorf("env %q", e)
	}
}
