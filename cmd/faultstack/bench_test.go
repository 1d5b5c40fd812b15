package main

import (
	"regexp"
	"strings"
	"testing"
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
