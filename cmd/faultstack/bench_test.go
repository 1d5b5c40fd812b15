package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"faultstack/internal/bench/cache"
	"faultstack/internal/bench/report"
)

// TestBenchTables checks the workload and configuration tables: a typo in
// a regexp or a version would otherwise show only in a long run.
func TestBenchTables(t *testing.T) {
	names := map[string]bool{}
	short, cg := 0, 0
	for _, w := range workloads {
		if names[w.name] {
			t.Errorf("duplicate workload %s", w.name)
		}
		names[w.name] = true
		if strings.HasPrefix(w.name, "mem/") || w.name == sizeCmdGo {
			t.Errorf("workload %s collides with the mem/ and size/ names", w.name)
		}
		for _, re := range []string{w.bench, w.cgBench} {
			for _, part := range strings.Split(re, "/") {
				if _, err := regexp.Compile(part); err != nil {
					t.Errorf("%s: bad regexp %q: %v", w.name, re, err)
				}
			}
		}
		if w.module != "" {
			path, version, ok := strings.Cut(w.module, "@")
			if !ok || !strings.HasPrefix(version, "v") || !strings.HasPrefix(w.pkg, path) {
				t.Errorf("%s: module %q is not path@version pinning package %s", w.name, w.module, w.pkg)
			}
		}
		if w.short {
			short++
		}
		if w.cgIters > 0 {
			cg++
			if w.cgBench == "" {
				t.Errorf("%s: cachegrind iterations without a benchmark", w.name)
			}
		}
		if w.cgShort && (!w.short || w.cgIters == 0) {
			t.Errorf("%s: counted in -short but not run in it", w.name)
		}
	}
	if short == 0 || short == len(workloads) || cg == 0 {
		t.Errorf("%d short workloads and %d counted, of %d", short, cg, len(workloads))
	}
	if benchConfigs[0].name != baseConfig {
		t.Errorf("the first configuration is %s, not the base %s", benchConfigs[0].name, baseConfig)
	}
	seen := map[string]bool{}
	for _, c := range benchConfigs {
		if seen[c.name] {
			t.Errorf("duplicate configuration %s", c.name)
		}
		seen[c.name] = true
	}
}

func TestLastLines(t *testing.T) {
	if got := lastLines("a\n\nb\nc\n", 2); got != "b | c" {
		t.Errorf("lastLines = %q", got)
	}
	if got := lastLines("", 2); got != "(no output)" {
		t.Errorf("lastLines(empty) = %q", got)
	}
}

// TestRunCPUResume runs the CPU loop on a fake benchmark binary (a shell
// script that logs each run), interrupts it with a failing run, and checks
// that a second invocation runs only what is missing.
func TestRunCPUResume(t *testing.T) {
	dir := t.TempDir()
	logf := filepath.Join(dir, "runs.log")
	failFlag := filepath.Join(dir, "fail")
	script := filepath.Join(dir, "fake.test")
	body := `#!/bin/sh
n=$(wc -l < ` + logf + ` 2>/dev/null || echo 0)
echo run >> ` + logf + `
if [ -e ` + failFlag + ` ] && [ "$n" -eq 3 ]; then echo boom >&2; exit 1; fi
echo "pkg: fake"
echo "BenchmarkFake 	 10	 $((100 + n)) ns/op"
echo PASS
`
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(failFlag, nil, 0o644)
	runs := func() int {
		b, _ := os.ReadFile(logf)
		return strings.Count(string(b), "\n")
	}
	newRun := func() *benchRun {
		b := &benchRun{
			pre:   preset{"test", 3, "1x"},
			count: 3,
			out:   filepath.Join(dir, "report"),
			cache: &cache.Cache{Dir: filepath.Join(dir, "cache")},
			data:  &report.Data{},
			start: time.Now(),
		}
		for _, name := range []string{"stock", "faultstack"} {
			b.configs = append(b.configs, &builtConfig{benchConfig: benchConfig{name: name}, stamp: "s"})
		}
		return b
	}
	ws := []workload{{name: "fake", bench: "."}}
	bins := map[string]map[string]string{"fake": {"stock": script, "faultstack": script}}
	dirs := map[string]map[string]string{"fake": {"stock": dir, "faultstack": dir}}

	b1 := newRun()
	if err := b1.runCPU(ws, bins, dirs); err != nil {
		t.Fatal(err)
	}
	if got := runs(); got != 6 {
		t.Fatalf("first invocation ran %d times, want 6", got)
	}
	if len(b1.data.Notes) != 1 || !strings.Contains(b1.data.Notes[0], "boom") {
		t.Errorf("notes %q lack the failed run", b1.data.Notes)
	}
	// Runs: 1 stock, 1 faultstack, 2 faultstack, 2 stock (failed), 3 stock, 3 faultstack.
	s := b1.data.CPU[0].Samples
	if got := fmt.Sprint(s["stock"], s["faultstack"]); got != "[100 0 104] [101 102 105]" {
		t.Errorf("samples after the failure: %s", got)
	}

	os.Remove(failFlag)
	b2 := newRun()
	if err := b2.runCPU(ws, bins, dirs); err != nil {
		t.Fatal(err)
	}
	if got := runs(); got != 7 {
		t.Fatalf("after the resume %d runs in all, want 7 (only the failed one again)", got)
	}
	s = b2.data.CPU[0].Samples
	if got := fmt.Sprint(s["stock"], s["faultstack"]); got != "[100 106 104] [101 102 105]" {
		t.Errorf("samples after the resume: %s", got)
	}
	txt, err := os.ReadFile(filepath.Join(dir, "report", "cpu-all.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(txt), "config: stock\n") || !strings.Contains(string(txt), "config: faultstack\n") || strings.Count(string(txt), "BenchmarkFake") != 6 {
		t.Errorf("cpu-all.txt:\n%s", txt)
	}
}
