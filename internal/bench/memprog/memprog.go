// Package memprog holds the memory and goroutine-lifecycle program that
// faultstack bench builds with each configuration (testdata/memprog), the
// cases it runs, and the parsing of its output.
package memprog

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

//go:embed testdata/memprog/main.go
var source []byte

// Write writes the program as a module in dir, ready for go build.
func Write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module memprog\n\ngo 1.26\n"), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "main.go"), source, 0o644)
}

// A Case is one run of the program.
type Case struct {
	Group string // idle, stack, spawn, grow, preempt
	Args  []string
}

// Name is the case's name, e.g. "stack/32KiB/10000".
func (c Case) Name() string {
	switch c.Group {
	case "stack":
		return "stack/" + c.Args[1] + "KiB/" + c.Args[2]
	case "grow":
		n, _ := strconv.Atoi(c.Args[1])
		return "grow/" + Bytes(float64(n))
	case "preempt":
		return "preempt/" + c.Args[1] + "ms"
	}
	return strings.Join(c.Args, "/")
}

// Cases returns the cases of a preset.
func Cases(short bool) []Case {
	idle := []int{10_000, 100_000, 1_000_000}
	stackN, spawnN, preemptMS := 10_000, 1_000_000, 2000
	if short {
		idle = idle[:2]
		stackN, spawnN, preemptMS = 2_000, 100_000, 300
	}
	var cs []Case
	for _, n := range idle {
		cs = append(cs, Case{"idle", []string{"idle", strconv.Itoa(n)}})
	}
	for _, kib := range []int{8, 32, 128} {
		cs = append(cs, Case{"stack", []string{"stack", strconv.Itoa(kib), strconv.Itoa(stackN)}})
	}
	cs = append(cs, Case{"spawn", []string{"spawn", strconv.Itoa(spawnN)}})
	for _, b := range []int{64 << 10, 1 << 20, 64 << 20} {
		cs = append(cs, Case{"grow", []string{"grow", strconv.Itoa(b)}})
	}
	cs = append(cs, Case{"preempt", []string{"preempt", strconv.Itoa(preemptMS)}})
	return cs
}

// Version returns the "version" field of the program's output, which is
// runtime.Version() of the configuration that built it.
func Version(out []byte) string {
	var v struct{ Version string }
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	json.Unmarshal([]byte(lines[len(lines)-1]), &v)
	return v.Version
}

// Parse reads the program's output: the last line that is a JSON object.
// Numeric fields are returned; "version" and "case" are checked for.
func Parse(out []byte) (map[string]float64, error) {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if !strings.HasPrefix(l, "{") {
			continue
		}
		var raw map[string]any
		if err := json.Unmarshal([]byte(l), &raw); err != nil {
			return nil, err
		}
		if _, ok := raw["case"]; !ok {
			return nil, fmt.Errorf("no case in %s", l)
		}
		m := map[string]float64{}
		for k, v := range raw {
			if f, ok := v.(float64); ok {
				m[k] = f
			}
		}
		return m, nil
	}
	return nil, fmt.Errorf("no result line in output")
}

// Bytes formats a byte count: 64KiB, 1MiB, 1.5GiB, 512B.
func Bytes(b float64) string {
	for _, u := range []struct {
		n    float64
		name string
	}{{1 << 30, "GiB"}, {1 << 20, "MiB"}, {1 << 10, "KiB"}} {
		if b >= u.n || -b >= u.n {
			return strconv.FormatFloat(b/u.n, 'f', -1, 64)[:min(len(strconv.FormatFloat(b/u.n, 'f', -1, 64)), 5)] + u.name
		}
	}
	return strconv.FormatFloat(b, 'f', 0, 64) + "B"
}
