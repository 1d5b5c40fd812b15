package stats

import (
	"math"
	"os"
	"strings"
	"testing"
)

func load(t *testing.T, name string) []Result {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rs, err := Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func TestParse(t *testing.T) {
	rs := load(t, "faultstack.txt")
	if len(rs) != 10 {
		t.Fatalf("got %d results, want 10", len(rs))
	}
	r := rs[0]
	if r.Name != "BenchmarkParse" || r.Procs != 2 || r.Iters != 100 || r.Values["ns/op"] != 10500000 || r.Values["allocs/op"] != 30000 {
		t.Errorf("first result = %+v", r)
	}
	if Key(r) != "go/parser.BenchmarkParse" {
		t.Errorf("Key = %q", Key(r))
	}
	last := rs[9]
	if last.Name != "BenchmarkMatch/Hard/32K" || Key(last) != "regexp.BenchmarkMatch/Hard/32K" || last.Config["goarch"] != "amd64" {
		t.Errorf("last result = %+v (config %v)", last, last.Config)
	}
	s := load(t, "stock.txt")
	if len(s) != 10 || s[0].Procs != 1 || s[0].Config["cpu"] != "AMD EPYC" {
		t.Fatalf("stock: %d results, first %+v", len(s), s[0])
	}
}

func TestParseBadValue(t *testing.T) {
	_, err := Parse(strings.NewReader("BenchmarkX 10 abc ns/op\n"))
	if err == nil {
		t.Fatal("no error for a non-numeric value")
	}
}

func TestMedian(t *testing.T) {
	e := Median([]float64{5, 1, 3, 2, 4})
	if e.Center != 3 || e.Lo != 1 || e.Hi != 5 || e.N != 5 {
		t.Errorf("Median(5 values) = %+v", e)
	}
	if math.Abs(e.Conf-0.9375) > 1e-9 {
		t.Errorf("Conf for n=5 = %v, want 0.9375", e.Conf)
	}
	// n=10: [x(1), x(8)] has coverage 1-2*(1+10)/1024 = 0.978; [x(2), x(7)] 0.891.
	xs := []float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}
	e = Median(xs)
	if e.Center != 5.5 || e.Lo != 2 || e.Hi != 9 {
		t.Errorf("Median(1..10) = %+v, want 5.5 [2, 9]", e)
	}
	if math.Abs(e.Conf-(1-2*11.0/1024)) > 1e-9 {
		t.Errorf("Conf = %v", e.Conf)
	}
}

func TestRatioAndGeomean(t *testing.T) {
	// The recorded faultstack run is exactly 5% slower on go/parser and
	// 2% faster on regexp, pair by pair.
	base, test := byKey(load(t, "stock.txt")), byKey(load(t, "faultstack.txt"))
	p := Ratio(base["go/parser.BenchmarkParse"], test["go/parser.BenchmarkParse"])
	if math.Abs(p.Center-1.05) > 1e-9 || math.Abs(p.Lo-1.05) > 1e-9 || math.Abs(p.Hi-1.05) > 1e-9 {
		t.Errorf("parser ratio = %+v, want 1.05 exactly", p)
	}
	if !p.Significant() {
		t.Errorf("a constant 5%% slowdown is not significant: %+v", p)
	}
	r := Ratio(base["regexp.BenchmarkMatch/Hard/32K"], test["regexp.BenchmarkMatch/Hard/32K"])
	if math.Abs(r.Center-0.98) > 1e-9 {
		t.Errorf("regexp ratio = %+v, want 0.98", r)
	}
	g := GeomeanRatio([][2][]float64{
		{base["go/parser.BenchmarkParse"], test["go/parser.BenchmarkParse"]},
		{base["regexp.BenchmarkMatch/Hard/32K"], test["regexp.BenchmarkMatch/Hard/32K"]},
	})
	want := math.Sqrt(1.05 * 0.98)
	if math.Abs(g.Center-want) > 1e-9 || math.Abs(g.Lo-want) > 1e-9 || math.Abs(g.Hi-want) > 1e-9 {
		t.Errorf("geomean = %+v, want %v", g, want)
	}
	if got := g.String(); got != "+1.44% [+1.44%, +1.44%]" {
		t.Errorf("String = %q", got)
	}
}

func TestRatioNoise(t *testing.T) {
	base := []float64{100, 100, 100, 100, 100, 100, 100, 100, 100, 100}
	test := []float64{99, 101, 98, 102, 100, 103, 97, 100, 101, 99}
	e := Ratio(base, test)
	if e.Significant() {
		t.Errorf("noise around 1 is significant: %+v", e)
	}
	if e.Lo >= 1 || e.Hi <= 1 {
		t.Errorf("interval %+v does not contain 1", e)
	}
	// Two runs, both 10% slower: the interval covers only 50%, too little.
	if e := Ratio([]float64{1, 1}, []float64{1.1, 1.1}); e.Significant() {
		t.Errorf("two runs called significant: %+v", e)
	}
	if Geomean([]float64{2, 8}) != 4 {
		t.Errorf("Geomean(2, 8) = %v", Geomean([]float64{2, 8}))
	}
	if !math.IsNaN(Ratio(nil, nil).Center) {
		t.Error("empty ratio is not NaN")
	}
}

func byKey(rs []Result) map[string][]float64 {
	m := map[string][]float64{}
	for _, r := range rs {
		m[Key(r)] = append(m[Key(r)], r.Values["ns/op"])
	}
	return m
}
