package report

import (
	"encoding/xml"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func load(t *testing.T) *Data {
	t.Helper()
	d, err := ReadJSON("testdata/results.json")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestRatios(t *testing.T) {
	d := load(t)
	rows, g := d.CPURatios("faultstack")
	if len(rows) != 2 {
		t.Fatalf("%d rows", len(rows))
	}
	if math.Abs(rows[0].Ratio.Center-1.05) > 1e-9 || math.Abs(rows[1].Ratio.Center-0.98) > 1e-9 {
		t.Errorf("ratios %+v %+v", rows[0].Ratio, rows[1].Ratio)
	}
	if want := math.Sqrt(1.05 * 0.98); math.Abs(g.Center-want) > 1e-9 {
		t.Errorf("geomean %v, want %v", g.Center, want)
	}
	// regexp's faultstack count failed: only go/parser counts.
	ir, rows2 := d.CountRatio("faultstack", "Ir")
	if math.Abs(ir-0.97) > 1e-9 || len(rows2) != 1 {
		t.Errorf("Ir ratio %v over %v", ir, rows2)
	}
	if got := d.Ran(); strings.Join(got, ",") != "stock,faultstack,pristine" {
		t.Errorf("Ran = %v", got)
	}
}

func TestRender(t *testing.T) {
	d := load(t)
	dir := t.TempDir()
	if err := Render(d, dir); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, MarkdownFile))
	if err != nil {
		t.Fatal(err)
	}
	s := string(md)
	// The summary table comes first.
	sum, cpu := strings.Index(s, "## Summary"), strings.Index(s, "## CPU time")
	if sum < 0 || cpu < sum || strings.Index(s, "| configuration |") > cpu {
		t.Errorf("summary table is not first:\n%s", s[:min(len(s), 600)])
	}
	for _, want := range []string{
		"| faultstack | +1.44% [",                              // CPU geomean with its interval
		"**faultstack is slower than stock**: CPU time +1.44%", // said plainly
		"faultstack is significantly slower on 1 of 2 benchmarks: go/parser Parse +5.00%",
		"faultstack executes fewer instructions than stock under cachegrind: -3.00% (stock counted twice differs by 0.050%), with -4.00% I1 misses.",
		"pristine executes the same number of instructions as stock within the noise (+0.07%; stock counted twice differs by 0.050%)",
		"Noise floor: stock counted twice differs by at most 0.050% in instructions and 0.100% in I1 misses",
		"cmd/go built with faultstack: .text -5.00% (-300000 bytes), 1200 functions with a stack check (stock: 15000)",
		"faultstack uses **more memory** than stock per idle goroutine (idle/10000): RSS 4.394KiB vs 2.708KiB",
		"**faultstack failed 1 memory/lifecycle cases**: idle/100000 (exit status 2: runtime: mmap: too many mappings)",
		"**nocheck was skipped**: build failed: go: unknown GOEXPERIMENT faultstacknocheck",
		"| idle/100000 | faultstack | failed: exit status 2: runtime: mmap: too many mappings |",
		"| go/parser | faultstack | failed:",
		"| regexp | faultstack | failed: valgrind: exit status 1 |",
		"toolchain stamp: 0123abcd",
		"command: `faultstack bench -short`",
		"machine: AMD EPYC, 2 cores",
		"![CPU time ratios](cpu.svg)",
	} {
		if want == "| go/parser | faultstack | failed:" {
			if strings.Contains(s, want) {
				t.Errorf("report shows a failure that did not happen: %q", want)
			}
			continue
		}
		if !strings.Contains(s, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// pristine against stock is within noise: no verdict of slower.
	if strings.Contains(s, "pristine is slower") {
		t.Error("pristine called slower")
	}

	// The CPU plot: one bar and one whisker per benchmark and configuration
	// compared, plus the geomean's, and the reference line at 1.
	c := parseSVG(t, filepath.Join(dir, CPUPlot))
	if want := 3 * 2; c["bar"] != want || c["whisker"] != want || c["ref"] != 1 {
		t.Errorf("cpu.svg: %v, want %d bars and whiskers and one ref line", c, want)
	}
	// The memory plot: idle cases x configurations that have them (one failed).
	m := parseSVG(t, filepath.Join(dir, MemPlot))
	if m["bar"] != 5 {
		t.Errorf("mem.svg: %d bars, want 5", m["bar"])
	}
	if d.Summary() == "" || !strings.Contains(d.Summary(), "nocheck skipped") {
		t.Errorf("summary:\n%s", d.Summary())
	}
}

// parseSVG checks that the file is well-formed XML and counts elements by class.
func parseSVG(t *testing.T, path string) map[string]int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := xml.NewDecoder(f)
	counts := map[string]int{}
	root := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if root == "" {
				root = se.Name.Local
			}
			for _, a := range se.Attr {
				if a.Name.Local == "class" {
					counts[a.Value]++
				}
			}
		}
	}
	if root != "svg" {
		t.Errorf("%s: root element %q", path, root)
	}
	return counts
}

func TestRatiosText(t *testing.T) {
	txt := load(t).RatiosText()
	lines := strings.Split(strings.TrimSpace(txt), "\n")
	// Title, blank line, header, two benchmarks, geomean.
	if len(lines) != 6 {
		t.Fatalf("%d lines:\n%s", len(lines), txt)
	}
	for _, want := range []string{"faultstack vs stock", "pristine vs stock", "go/parser Parse", "10000000 ns/op ± 2.0%", "+5.00% [+5.00%, +5.00%]", "-2.00%"} {
		if !strings.Contains(txt, want) {
			t.Errorf("ratios text lacks %q:\n%s", want, txt)
		}
	}
	if !strings.HasPrefix(lines[5], "geomean") || !strings.Contains(lines[5], "+1.44%") {
		t.Errorf("last line %q", lines[5])
	}
	// Columns line up: every row's third column starts at the same offset.
	col := len([]rune(lines[2][:strings.Index(lines[2], "faultstack vs stock")]))
	for _, line := range lines[3:] {
		l := []rune(line)
		if len(l) <= col || l[col-1] != ' ' || l[col] == ' ' {
			t.Errorf("misaligned row %q (column at %d)", line, col)
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	d := load(t)
	p := filepath.Join(t.TempDir(), "r.json")
	if err := d.WriteJSON(p); err != nil {
		t.Fatal(err)
	}
	d2, err := ReadJSON(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(d2.CPU) != len(d.CPU) || d2.Sizes[1].Checked != 1200 || d2.Mem[1].Values["vsize_per_g"] != 1048576 {
		t.Errorf("round trip lost data: %+v", d2.Sizes)
	}
}
