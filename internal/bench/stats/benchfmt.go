// Package stats reads Go benchmark results (the benchfmt text format that
// go test -bench prints and benchstat reads) and computes the comparisons
// faultstack bench reports: medians, ratios between configurations with
// confidence intervals, and geometric means.
package stats

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
)

// A Result is one benchmark result line.
type Result struct {
	Name   string             // full name without the -GOMAXPROCS suffix, e.g. BenchmarkParse or BenchmarkMatch/Hard/32K
	Procs  int                // the GOMAXPROCS suffix; 1 when absent
	Iters  int64              // b.N
	Values map[string]float64 // unit -> value, e.g. "ns/op" -> 123
	Config map[string]string  // the file configuration (goos:, pkg:, ...) in effect
}

// Parse reads benchfmt text: result lines and "key: value" configuration
// lines. Other lines (PASS, ok, test output) are ignored.
func Parse(r io.Reader) ([]Result, error) {
	var out []Result
	cfg := map[string]string{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		if strings.HasPrefix(line, "Benchmark") {
			res, ok, err := parseResult(line)
			if err != nil {
				return out, fmt.Errorf("line %d: %v", lineNo, err)
			}
			if ok {
				res.Config = cfg
				out = append(out, res)
			}
			continue
		}
		if k, v, ok := configLine(line); ok {
			next := make(map[string]string, len(cfg)+1)
			for kk, vv := range cfg {
				next[kk] = vv
			}
			if v == "" {
				delete(next, k)
			} else {
				next[k] = v
			}
			cfg = next
		}
	}
	return out, sc.Err()
}

// configLine recognizes "key: value" where key is a lower-case word
// without spaces, as in the benchfmt specification.
func configLine(line string) (k, v string, ok bool) {
	k, v, ok = strings.Cut(line, ":")
	if !ok || k == "" {
		return "", "", false
	}
	for _, c := range k {
		if unicode.IsSpace(c) || unicode.IsUpper(c) {
			return "", "", false
		}
	}
	return k, strings.TrimSpace(v), true
}

// parseResult parses "BenchmarkX-8  100  123 ns/op  4 B/op". A line that
// starts with Benchmark but is not a result (a benchmark's log output,
// "BenchmarkX" alone while it runs) is skipped without error.
func parseResult(line string) (Result, bool, error) {
	f := strings.Fields(line)
	if len(f) < 4 || len(f)%2 != 0 {
		return Result{}, false, nil
	}
	iters, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return Result{}, false, nil
	}
	res := Result{Name: f[0], Procs: 1, Iters: iters, Values: map[string]float64{}}
	if i := strings.LastIndexByte(f[0], '-'); i > 0 {
		if p, err := strconv.Atoi(f[0][i+1:]); err == nil {
			res.Name, res.Procs = f[0][:i], p
		}
	}
	for i := 2; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return Result{}, false, fmt.Errorf("bad value %q in %q", f[i], line)
		}
		res.Values[f[i+1]] = v
	}
	return res, true, nil
}

// Key names a benchmark within a package: "pkg.BenchmarkName".
func Key(r Result) string {
	if p := r.Config["pkg"]; p != "" {
		return p + "." + r.Name
	}
	return r.Name
}
