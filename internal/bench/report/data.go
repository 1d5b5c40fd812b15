// Package report holds the results of a faultstack bench run (written as
// results.json) and renders them as report.md with SVG plots.
package report

import (
	"encoding/json"
	"os"

	"faultstack/internal/bench/prologue"
)

// Data is everything a report shows; results.json is its JSON form, from
// which the report can be rendered again.
type Data struct {
	Date      string   // RFC 3339, UTC
	Command   string   // the exact command line
	Preset    string   // short or full
	Count     int      // runs per benchmark and configuration
	Benchtime string   // -test.benchtime of CPU runs
	Machine   Machine  //
	Toolchain string   // the toolchain stamp (hash of base and patches)
	GOROOT    string   // the patched toolchain
	Base      string   // the configuration the others are compared with
	Configs   []Config // in report order, Base first
	Duration  string   // how long the run took
	CountEnv  []string // the environment of the cachegrind runs (GOGC, GOMAXPROCS, GODEBUG)

	CPU    []Bench  // wall-clock benchmark samples
	Counts []Count  // cachegrind counts
	Sizes  []Size   // code size per binary
	Mem    []Mem    // memory and lifecycle cases
	Notes  []string // things the reader must know: skipped configs, failures
}

// Machine says where the numbers come from.
type Machine struct {
	CPU    string
	Cores  int
	Kernel string
	OS     string
	Pinned string // e.g. "taskset -c 1" or "not pinned (no taskset)"
}

// A Config is one configuration.
type Config struct {
	Name      string
	Env       []string
	GOROOT    string
	GoVersion string
	Skipped   string // why the configuration was left out; empty if it ran
}

// A Bench is one benchmark's samples per configuration, index-aligned
// by interleaved run.
type Bench struct {
	Workload string               // e.g. go/parser
	Name     string               // e.g. BenchmarkParse
	Unit     string               // ns/op
	Samples  map[string][]float64 // config -> samples
}

// A Count is one cachegrind run.
type Count struct {
	Workload string
	Config   string
	Ir       float64            // instructions executed
	I1mr     float64            // I1 misses
	Stack    map[string]float64 // Ir in runtime.morestack, runtime.newstack, runtime.copystack, ...
	// IrRepeat and I1mrRepeat are a second count of the same run, taken
	// for the base only: how far they are from Ir and I1mr is the noise.
	IrRepeat, I1mrRepeat float64 `json:",omitempty"`
	Err                  string
}

// A Size is one binary's code-size figures.
type Size struct {
	Binary string // cmd/go, go/parser.test, ...
	Config string
	prologue.Summary
	Err string
}

// A Mem is one memory/lifecycle case in one configuration.
type Mem struct {
	Case   string // e.g. idle/100000
	Group  string // idle, stack, spawn, grow, preempt
	Config string
	Values map[string]float64
	Err    string
}

// WriteJSON writes d to path.
func (d *Data) WriteJSON(path string) error {
	b, err := json.MarshalIndent(d, "", "\t")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// ReadJSON reads results.json.
func ReadJSON(path string) (*Data, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var d Data
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// Ran returns the configurations that ran, Base first.
func (d *Data) Ran() []string {
	var names []string
	for _, c := range d.Configs {
		if c.Skipped == "" {
			names = append(names, c.Name)
		}
	}
	return names
}
