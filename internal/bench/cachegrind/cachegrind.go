// Package cachegrind runs programs under valgrind's cachegrind and reads
// its output: instructions executed (Ir) and simulated first-level
// instruction cache misses (I1mr), in total and per function.
package cachegrind

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// GODEBUG is the GODEBUG setting of counted runs. measuring.md found
// asyncpreemptoff=1 the least noisy, but the faultstacknocheck estimation
// mode refuses it (without prologue checks, asynchronous preemption is the
// only way to stop a goroutine), and every configuration must be counted
// the same way. With asynchronous preemption on, two counts of the same
// go/parser binary differed by 0.4% here; the report measures that noise
// by counting stock twice.
const GODEBUG = ""

// Env returns the settings of a counted run, to add to an environment:
// no GC (its timing varies from run to run), one P (valgrind serializes
// threads and Go programs with two spun under it) and GODEBUG.
func Env() []string {
	return []string{"GOGC=off", "GOMAXPROCS=1", "GODEBUG=" + GODEBUG}
}

// Args returns the valgrind command line that runs prog with args and
// writes the profile to out. The caches are fixed so that counts do not
// depend on the host's: 32 KiB 8-way L1s, 8 MiB 16-way LL, 64-byte lines.
func Args(out, prog string, args ...string) []string {
	return append([]string{
		"valgrind", "--tool=cachegrind", "--cache-sim=yes",
		"--I1=32768,8,64", "--D1=32768,8,64", "--LL=8388608,16,64",
		"--cachegrind-out-file=" + out,
		prog,
	}, args...)
}

// A Profile is a parsed cachegrind output file.
type Profile struct {
	Events []string                      // e.g. Ir, I1mr, ...
	Total  map[string]float64            // the summary line
	Funcs  map[string]map[string]float64 // function -> event -> count, summed over files and lines
}

// Func returns the count of event in the functions whose name has the
// given prefix (runtime.morestack matches runtime.morestack.abi0 and
// runtime.morestack_noctxt.abi0).
func (p *Profile) Func(prefix, event string) float64 {
	var n float64
	for name, ev := range p.Funcs {
		if strings.HasPrefix(name, prefix) {
			n += ev[event]
		}
	}
	return n
}

// ParseFile parses the cachegrind output file at path.
func ParseFile(path string) (*Profile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(f)
}

// Parse parses cachegrind output (format of valgrind 3.x: "events:",
// "fl=", "fn=", count lines "line c1 c2 ...", "summary:").
func Parse(r io.Reader) (*Profile, error) {
	p := &Profile{Total: map[string]float64{}, Funcs: map[string]map[string]float64{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var cur map[string]float64
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "events:"):
			p.Events = strings.Fields(strings.TrimPrefix(line, "events:"))
		case strings.HasPrefix(line, "fn="):
			name := strings.TrimPrefix(line, "fn=")
			if p.Funcs[name] == nil {
				p.Funcs[name] = map[string]float64{}
			}
			cur = p.Funcs[name]
		case strings.HasPrefix(line, "summary:"):
			for i, f := range strings.Fields(strings.TrimPrefix(line, "summary:")) {
				if i < len(p.Events) {
					v, err := strconv.ParseFloat(f, 64)
					if err != nil {
						return nil, fmt.Errorf("line %d: %v", lineNo, err)
					}
					p.Total[p.Events[i]] = v
				}
			}
		case line != "" && line[0] >= '0' && line[0] <= '9':
			if cur == nil || len(p.Events) == 0 {
				return nil, fmt.Errorf("line %d: counts outside a function", lineNo)
			}
			fs := strings.Fields(line)
			for i, f := range fs[1:] {
				if i >= len(p.Events) {
					break
				}
				v, err := strconv.ParseFloat(f, 64)
				if err != nil {
					return nil, fmt.Errorf("line %d: %v", lineNo, err)
				}
				cur[p.Events[i]] += v
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(p.Events) == 0 || len(p.Total) == 0 {
		return nil, fmt.Errorf("not a complete cachegrind profile (no events or summary line)")
	}
	return p, nil
}
