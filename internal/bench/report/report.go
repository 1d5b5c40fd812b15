package report

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"faultstack/internal/bench/memprog"
	"faultstack/internal/bench/stats"
)

// Files written by Render, in the report directory.
const (
	MarkdownFile = "report.md"
	CPUPlot      = "cpu.svg"
	MemPlot      = "mem.svg"
	RatiosFile   = "cpu-ratios.txt"
	JSONFile     = "results.json"
)

// A CPURow is one benchmark's ratio against the base.
type CPURow struct {
	Workload, Name string
	Base           stats.Estimate // the base's samples
	Ratio          stats.Estimate // config / base
}

// CPURatios compares config with the base, benchmark by benchmark, and
// returns the rows and their geometric mean.
func (d *Data) CPURatios(config string) ([]CPURow, stats.Estimate) {
	var rows []CPURow
	var pairs [][2][]float64
	for _, b := range d.CPU {
		base, test := b.Samples[d.Base], b.Samples[config]
		if len(base) == 0 || len(test) == 0 {
			continue
		}
		var ok []float64 // a failed run leaves a 0
		for _, v := range base {
			if v > 0 {
				ok = append(ok, v)
			}
		}
		rows = append(rows, CPURow{b.Workload, b.Name, stats.Median(ok), stats.Ratio(base, test)})
		pairs = append(pairs, [2][]float64{base, test})
	}
	return rows, stats.GeomeanRatio(pairs)
}

// CountRatio returns the geometric mean over workloads of config's count
// of an event (Ir or I1mr) against the base's, and the rows it is made of.
func (d *Data) CountRatio(config, event string) (float64, map[string]float64) {
	get := func(c Count) float64 {
		if event == "I1mr" {
			return c.I1mr
		}
		return c.Ir
	}
	base := map[string]float64{}
	for _, c := range d.Counts {
		if c.Config == d.Base && c.Err == "" {
			base[c.Workload] = get(c)
		}
	}
	rows := map[string]float64{}
	var rs []float64
	for _, c := range d.Counts {
		if c.Config == config && c.Err == "" && base[c.Workload] > 0 {
			r := get(c) / base[c.Workload]
			rows[c.Workload] = r
			rs = append(rs, r)
		}
	}
	return stats.Geomean(rs), rows
}

// CountNoise is how far two counts of the same base run differ at most
// (as a fraction: 0.001 is 0.1%), over the workloads counted twice; NaN
// when none was.
func (d *Data) CountNoise(event string) float64 {
	noise := math.NaN()
	for _, c := range d.Counts {
		a, b := c.Ir, c.IrRepeat
		if event == "I1mr" {
			a, b = c.I1mr, c.I1mrRepeat
		}
		if c.Config == d.Base && c.Err == "" && a > 0 && b > 0 {
			n := math.Abs(b/a - 1)
			if math.IsNaN(noise) || n > noise {
				noise = n
			}
		}
	}
	return noise
}

// sameCount reports whether a count ratio is within the noise: twice the
// measured noise floor (0.2%, measuring.md's run-to-run spread, when
// there is no measurement), and never less than 0.1%, which two builds of
// the same code differ by from code layout alone (pristine against stock
// on text/template/parse: +0.03%; on go/parser: +0.2%).
func (d *Data) sameCount(r float64, event string) bool {
	n := d.CountNoise(event)
	if math.IsNaN(n) {
		n = 0.001
	}
	return math.Abs(r-1) <= math.Max(2*n, 0.001)
}

func (d *Data) size(binary, config string) (Size, bool) {
	for _, s := range d.Sizes {
		if s.Binary == binary && s.Config == config && s.Err == "" {
			return s, true
		}
	}
	return Size{}, false
}

func (d *Data) mem(name, config string) (Mem, bool) {
	for _, m := range d.Mem {
		if m.Case == name && m.Config == config && m.Err == "" {
			return m, true
		}
	}
	return Mem{}, false
}

// memCases returns the memory case names in run order.
func (d *Data) memCases(groups ...string) []string {
	var names []string
	for _, m := range d.Mem {
		if (len(groups) == 0 || slices.Contains(groups, m.Group)) && !slices.Contains(names, m.Case) {
			names = append(names, m.Case)
		}
	}
	return names
}

// largestIdle is the idle case with the most goroutines that the base
// and config both ran.
func (d *Data) largestIdle(config string) string {
	best, bestN := "", 0.0
	for _, m := range d.Mem {
		if _, ok := d.mem(m.Case, config); !ok {
			continue
		}
		if m.Group == "idle" && m.Config == d.Base && m.Err == "" && m.Values["n"] > bestN {
			best, bestN = m.Case, m.Values["n"]
		}
	}
	return best
}

func pct(r float64) string {
	if math.IsNaN(r) || r == 0 {
		return "n/a"
	}
	return stats.Delta(r)
}

// Verdicts are the plain statements at the top of the report: for each
// configuration, whether it is slower, runs more instructions, is bigger
// or uses more memory than the base.
func (d *Data) Verdicts() []string {
	var out []string
	for _, cfg := range d.Ran() {
		if cfg == d.Base {
			continue
		}
		rows, g := d.CPURatios(cfg)
		switch {
		case len(rows) == 0:
		case g.Significant() && g.Center > 1:
			out = append(out, fmt.Sprintf("**%s is slower than %s**: CPU time %s (geomean of %d benchmarks, 95%% CI %s to %s).", cfg, d.Base, stats.Delta(g.Center), len(rows), stats.Delta(g.Lo), stats.Delta(g.Hi)))
		case g.Significant() && g.Center < 1:
			out = append(out, fmt.Sprintf("%s is faster than %s: CPU time %s (geomean of %d benchmarks, 95%% CI %s to %s).", cfg, d.Base, stats.Delta(g.Center), len(rows), stats.Delta(g.Lo), stats.Delta(g.Hi)))
		case g.Conf < stats.MinConf:
			out = append(out, fmt.Sprintf("%s: too few runs (%d) to call a CPU time difference from %s: %s (geomean of %d benchmarks; the interval %s to %s covers only %.0f%%).", cfg, g.N, d.Base, stats.Delta(g.Center), len(rows), stats.Delta(g.Lo), stats.Delta(g.Hi), 100*g.Conf))
		default:
			out = append(out, fmt.Sprintf("%s: no CPU time difference from %s detected at this precision: %s (geomean of %d benchmarks, 95%% CI %s to %s).", cfg, d.Base, stats.Delta(g.Center), len(rows), stats.Delta(g.Lo), stats.Delta(g.Hi)))
		}
		var worse []string
		for _, r := range rows {
			if r.Ratio.Significant() && r.Ratio.Center > 1 {
				worse = append(worse, fmt.Sprintf("%s %s %s", r.Workload, strings.TrimPrefix(r.Name, "Benchmark"), stats.Delta(r.Ratio.Center)))
			}
		}
		if len(worse) > 0 {
			out = append(out, fmt.Sprintf("%s is significantly slower on %d of %d benchmarks: %s.", cfg, len(worse), len(rows), strings.Join(worse, ", ")))
		}
		if ir, _ := d.CountRatio(cfg, "Ir"); !math.IsNaN(ir) {
			i1, _ := d.CountRatio(cfg, "I1mr")
			noise := ""
			if n := d.CountNoise("Ir"); !math.IsNaN(n) {
				noise = fmt.Sprintf("; %s counted twice differs by %.3f%%", d.Base, 100*n)
			}
			switch {
			case d.sameCount(ir, "Ir"):
				out = append(out, fmt.Sprintf("%s executes the same number of instructions as %s within the noise (%s%s), with %s I1 misses.", cfg, d.Base, pct(ir), noise, pct(i1)))
			case ir > 1:
				out = append(out, fmt.Sprintf("**%s executes more instructions** than %s under cachegrind: %s (%s), with %s I1 misses.", cfg, d.Base, pct(ir), strings.TrimPrefix(noise, "; "), pct(i1)))
			default:
				out = append(out, fmt.Sprintf("%s executes fewer instructions than %s under cachegrind: %s (%s), with %s I1 misses.", cfg, d.Base, pct(ir), strings.TrimPrefix(noise, "; "), pct(i1)))
			}
		}
		if b, ok := d.size("cmd/go", d.Base); ok {
			if s, ok := d.size("cmd/go", cfg); ok {
				out = append(out, fmt.Sprintf("cmd/go built with %s: .text %s (%+d bytes), %d functions with a stack check (%s: %d).", cfg, pct(float64(s.TextBytes)/float64(b.TextBytes)), int64(s.TextBytes)-int64(b.TextBytes), s.Checked, d.Base, b.Checked))
			}
		}
		if idle := d.largestIdle(cfg); idle != "" {
			b, _ := d.mem(idle, d.Base)
			m, _ := d.mem(idle, cfg)
			rb, rm := b.Values["rss_per_g"], m.Values["rss_per_g"]
			verb := "about the same memory as"
			switch {
			case rm > rb*1.05:
				verb = "**more memory** than"
			case rm < rb*0.95:
				verb = "less memory than"
			}
			out = append(out, fmt.Sprintf("%s uses %s %s per idle goroutine (%s): RSS %s vs %s, page tables %s vs %s, %.3g vs %.3g VMAs, virtual size %s vs %s.",
				cfg, verb, d.Base, idle, memprog.Bytes(rm), memprog.Bytes(rb), memprog.Bytes(m.Values["pte_per_g"]), memprog.Bytes(b.Values["pte_per_g"]),
				m.Values["vmas_per_g"], b.Values["vmas_per_g"], memprog.Bytes(m.Values["vsize_per_g"]), memprog.Bytes(b.Values["vsize_per_g"])))
		}
		var failed []string
		for _, m := range d.Mem {
			if m.Config == cfg && m.Err != "" {
				failed = append(failed, m.Case+" ("+firstLine(m.Err)+")")
			}
		}
		if len(failed) > 0 {
			out = append(out, fmt.Sprintf("**%s failed %d memory/lifecycle cases**: %s.", cfg, len(failed), strings.Join(failed, "; ")))
		}
	}
	return out
}

func (d *Data) memErr(name, config string) string {
	for _, m := range d.Mem {
		if m.Case == name && m.Config == config && m.Err != "" {
			return m.Err
		}
	}
	return ""
}

// Summary is the short text printed at the end of a run.
func (d *Data) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "summary (vs %s, %s preset, count %d):\n", d.Base, d.Preset, d.Count)
	for _, v := range d.Verdicts() {
		fmt.Fprintf(&b, "  - %s\n", strings.ReplaceAll(v, "**", ""))
	}
	for _, c := range d.Configs {
		if c.Skipped != "" {
			fmt.Fprintf(&b, "  - %s skipped: %s\n", c.Name, firstLine(c.Skipped))
		}
	}
	return b.String()
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}

// Render writes report.md and the plots into dir.
func Render(d *Data, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	ran := d.Ran()
	others := slices.DeleteFunc(slices.Clone(ran), func(s string) bool { return s == d.Base })

	w("# faultstack bench: what the stack checks cost\n\n")
	w("%s, %s preset, on %s (%d cores, Linux %s). Every ratio is *configuration / %s*: above 1 (a + sign) is slower, bigger or more.\n\n", d.Date, d.Preset, d.Machine.CPU, d.Machine.Cores, d.Machine.Kernel, d.Base)

	w("## Summary\n\n")
	w("| configuration | CPU time (geomean, 95%% CI) | instructions | I1 misses | .text of cmd/go | functions with a check (cmd/go) | RSS per idle goroutine |\n")
	w("|---|---|---|---|---|---|---|\n")
	for _, cfg := range ran {
		idle := d.largestIdle(cfg)
		cpu, ir, i1, text, checks, rss := "baseline", "baseline", "baseline", "n/a", "n/a", "n/a"
		if cfg != d.Base {
			_, g := d.CPURatios(cfg)
			cpu = g.String()
			r, _ := d.CountRatio(cfg, "Ir")
			ir = pct(r)
			r, _ = d.CountRatio(cfg, "I1mr")
			i1 = pct(r)
		}
		if s, ok := d.size("cmd/go", cfg); ok {
			text = memprog.Bytes(float64(s.TextBytes))
			if b, ok := d.size("cmd/go", d.Base); ok && cfg != d.Base {
				text = fmt.Sprintf("%s (%+d B)", text, int64(s.TextBytes)-int64(b.TextBytes))
			}
			checks = fmt.Sprintf("%d of %d", s.Checked, s.Funcs)
		}
		if m, ok := d.mem(idle, cfg); ok {
			rss = memprog.Bytes(m.Values["rss_per_g"]) + " (" + idle + ")"
		}
		w("| %s | %s | %s | %s | %s | %s | %s |\n", cfg, cpu, ir, i1, text, checks, rss)
	}
	w("\n")
	for _, v := range d.Verdicts() {
		w("- %s\n", v)
	}
	for _, c := range d.Configs {
		if c.Skipped != "" {
			w("- **%s was skipped**: %s\n", c.Name, firstLine(c.Skipped))
		}
	}
	w("\n")

	// CPU.
	w("## CPU time\n\n")
	w("Each benchmark ran %d times per configuration, the configurations interleaved run by run (A, B, A, B, ...), with GOMAXPROCS=1, %s and -test.benchtime=%s. A ratio is the median of the per-run ratios; its interval is a distribution-free 95%% interval (order statistics; with fewer than 6 runs it is [min, max] and covers less). The geomean's interval comes from the per-run geomeans across benchmarks. Wall-clock time on this machine resolves effects of about 4%% (see measuring.md); use the instruction counts below for smaller ones.\n\n", d.Count, d.Machine.Pinned, d.Benchtime)
	if len(d.CPU) > 0 {
		w("| benchmark | %s (median) |", d.Base)
		for _, cfg := range others {
			w(" %s |", cfg)
		}
		w("\n|---|---|%s\n", strings.Repeat("---|", len(others)))
		ratios := map[string][]CPURow{}
		geo := map[string]stats.Estimate{}
		for _, cfg := range others {
			ratios[cfg], geo[cfg] = d.CPURatios(cfg)
		}
		baseRows, _ := d.CPURatios(d.Base)
		for i, r := range baseRows {
			w("| %s %s | %s %s |", r.Workload, strings.TrimPrefix(r.Name, "Benchmark"), fmtNum(r.Base.Center), d.CPU[indexOf(d, r)].Unit)
			for _, cfg := range others {
				w(" %s |", ratioCell(ratios[cfg], r, i))
			}
			w("\n")
		}
		w("| **geomean** | |")
		for _, cfg := range others {
			w(" **%s** |", geo[cfg])
		}
		w("\n\n![CPU time ratios](%s)\n\n", CPUPlot)
	} else {
		w("No CPU benchmarks ran.\n\n")
	}

	// Counts.
	w("## Instructions and I1 misses (cachegrind)\n\n")
	countEnv := "GOGC=off GOMAXPROCS=1"
	if len(d.CountEnv) > 0 {
		countEnv = strings.Join(d.CountEnv, " ")
	}
	w("Counted under valgrind cachegrind with %s and a fixed iteration count,", countEnv)
	w(" simulated 32 KiB 8-way I1/D1 and 8 MiB LL caches: instruction counts repeat to within about 0.4%% run to run, so small differences are real. GOGC=off hides stack shrinking; the wall-clock runs above have it. Instruction counts are the reliable measure here. Simulated I1 misses depend on where the linker places code: two builds of the same code (stock and pristine) have differed by tens of percent, so read an I1 difference only against that.\n\n")
	if len(d.Counts) > 0 {
		w("| workload | config | instructions | vs %s | I1 misses | vs %s | morestack+newstack+copystack share |\n|---|---|---|---|---|---|---|\n", d.Base, d.Base)
		base := map[string]Count{}
		for _, c := range d.Counts {
			if c.Config == d.Base {
				base[c.Workload] = c
			}
		}
		for _, c := range d.Counts {
			if c.Err != "" {
				w("| %s | %s | failed: %s | | | | |\n", c.Workload, c.Config, firstLine(c.Err))
				continue
			}
			bi, bm := "", ""
			if b, ok := base[c.Workload]; ok && c.Config != d.Base && b.Ir > 0 {
				bi, bm = pct(c.Ir/b.Ir), pct(c.I1mr/b.I1mr)
			}
			var st float64
			for _, v := range c.Stack {
				st += v
			}
			w("| %s | %s | %.0f | %s | %.0f | %s | %.3f%% |\n", c.Workload, c.Config, c.Ir, bi, c.I1mr, bm, 100*st/c.Ir)
		}
		w("\n")
		if n := d.CountNoise("Ir"); !math.IsNaN(n) {
			w("Noise floor: %s counted twice differs by at most %.3f%% in instructions and %.3f%% in I1 misses. Instruction counts within twice that, or within 0.1%% (what code layout alone changes between two builds of the same code), are called the same.\n\n", d.Base, 100*n, 100*d.CountNoise("I1mr"))
		}
	} else {
		w("No cachegrind counts (valgrind missing or not selected).\n\n")
	}

	// Sizes.
	w("## Code size\n\n")
	w("From the binaries' ELF symbol tables and machine code: .text size, functions whose prologue compares SP with the stack guard and branches to a morestack call, the bytes of those compares and branches (hot: run on every call) and of the blocks that call morestack (cold: at the function's end). \"Unrecognized\" counts functions that call morestack through a prologue the detector does not know (assembly): the check count excludes them.\n\n")
	if len(d.Sizes) > 0 {
		w("| binary | config | .text | vs %s | functions | with a check | hot bytes | cold bytes | unrecognized |\n|---|---|---|---|---|---|---|---|---|\n", d.Base)
		for _, s := range d.Sizes {
			if s.Err != "" {
				w("| %s | %s | failed: %s | | | | | | |\n", s.Binary, s.Config, firstLine(s.Err))
				continue
			}
			delta := ""
			if b, ok := d.size(s.Binary, d.Base); ok && s.Config != d.Base {
				delta = fmt.Sprintf("%+d B (%s)", int64(s.TextBytes)-int64(b.TextBytes), pct(float64(s.TextBytes)/float64(b.TextBytes)))
			}
			w("| %s | %s | %d | %s | %d | %d | %d | %d | %d |\n", s.Binary, s.Config, s.TextBytes, delta, s.Funcs, s.Checked, s.HotBytes, s.ColdBytes, s.Unrecognized)
		}
		w("\n")
	}

	// Memory.
	w("## Memory and address space per goroutine\n\n")
	w("Each case runs in its own process: N goroutines are started (each first using the given stack depth, if any) and block; the process's VmRSS, VmPTE (page tables), VmSize and /proc/self/maps line count are read before and after, and divided by N.\n\n")
	memTable(&b, d, d.memCases("idle", "stack"), []string{"rss_per_g", "pte_per_g", "vmas_per_g", "vsize_per_g", "spawn_ns_per_g"},
		[]string{"RSS/g", "page tables/g", "VMAs/g", "virtual/g", "start ns/g"})
	if len(d.memCases("idle", "stack")) > 0 {
		w("![RSS per goroutine](%s)\n\n", MemPlot)
	}
	w("## Goroutine lifecycle\n\n")
	w("spawn: N goroutines started and exited in batches of 1000. grow: one goroutine grows its stack to the size, then (after a GC, which shrinks stacks) a new one does it again: time and minor page faults (getrusage) of each.\n\n")
	memTable(&b, d, d.memCases("spawn"), []string{"ns_per_g", "minflt_per_g"}, []string{"ns per goroutine", "minor faults/g"})
	memTable(&b, d, d.memCases("grow"), []string{"first_ns", "first_minflt", "again_ns", "again_minflt"}, []string{"first ns", "first faults", "again ns", "again faults"})
	w("## Preemption latency\n\n")
	w("With GOMAXPROCS=1 a goroutine spins in a loop without calls (so without prologue checks) while another sleeps 100µs at a time: how late the sleeper wakes is how long the loop takes to be preempted.\n\n")
	memTable(&b, d, d.memCases("preempt"), []string{"median_ns", "p99_ns", "max_ns", "samples"}, []string{"median ns late", "p99 ns", "max ns", "samples"})

	// Configurations and machine.
	w("## Configurations\n\n| name | environment | toolchain | go version | status |\n|---|---|---|---|---|\n")
	for _, c := range d.Configs {
		status := "ran"
		if c.Skipped != "" {
			status = "skipped: " + firstLine(c.Skipped)
		}
		w("| %s | %s | %s | %s | %s |\n", c.Name, strings.Join(c.Env, " "), c.GOROOT, c.GoVersion, status)
	}
	w("\n## Machine and reproduction\n\n")
	w("- date: %s (took %s)\n- machine: %s, %d cores, %s, kernel %s\n- pinning: %s\n- toolchain stamp: %s (%s)\n- command: `%s`\n\n", d.Date, d.Duration, d.Machine.CPU, d.Machine.Cores, d.Machine.OS, d.Machine.Kernel, d.Machine.Pinned, d.Toolchain, d.GOROOT, d.Command)
	if len(d.Notes) > 0 {
		w("## Notes\n\n")
		for _, n := range d.Notes {
			w("- %s\n", n)
		}
		w("\n")
	}
	w("## Raw data\n\n- results.json: everything above, as data\n- cpu-ratios.txt: the CPU table as plain text\n- cpu-<config>.txt: the benchmark output of each configuration (benchfmt; compare with `benchstat cpu-%s.txt cpu-faultstack.txt`)\n- cpu-all.txt: all of them with a `config:` key (`benchstat -col .config cpu-all.txt`)\n", d.Base)

	if err := os.WriteFile(filepath.Join(dir, MarkdownFile), []byte(b.String()), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, RatiosFile), []byte(d.RatiosText()), 0o644); err != nil {
		return err
	}
	if err := writeChart(filepath.Join(dir, CPUPlot), d.cpuChart(others)); err != nil {
		return err
	}
	return writeChart(filepath.Join(dir, MemPlot), d.memChart())
}

// RatiosText is the CPU comparison as a plain-text table, in the manner
// of benchstat's: the base's median and interval, then each
// configuration's ratio with its interval, and the geomean.
func (d *Data) RatiosText() string {
	ran := d.Ran()
	others := slices.DeleteFunc(slices.Clone(ran), func(s string) bool { return s == d.Base })
	rows := [][]string{{"benchmark", d.Base + " (median ± CI)"}}
	for _, cfg := range others {
		rows[0] = append(rows[0], cfg+" vs "+d.Base)
	}
	baseRows, _ := d.CPURatios(d.Base)
	ratios := map[string][]CPURow{}
	geo := map[string]stats.Estimate{}
	for _, cfg := range others {
		ratios[cfg], geo[cfg] = d.CPURatios(cfg)
	}
	for i, r := range baseRows {
		spread := ""
		if r.Base.N > 1 && r.Base.Center > 0 {
			spread = fmt.Sprintf(" ± %.1f%%", 100*math.Max(r.Base.Hi-r.Base.Center, r.Base.Center-r.Base.Lo)/r.Base.Center)
		}
		row := []string{r.Workload + " " + strings.TrimPrefix(r.Name, "Benchmark"), fmtNum(r.Base.Center) + " " + d.CPU[indexOf(d, r)].Unit + spread}
		for _, cfg := range others {
			row = append(row, strings.ReplaceAll(ratioCell(ratios[cfg], r, i), "**", ""))
		}
		rows = append(rows, row)
	}
	g := []string{"geomean", ""}
	for _, cfg := range others {
		g = append(g, geo[cfg].String())
	}
	rows = append(rows, g)
	width := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, c := range row {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "CPU time, configuration / %s: median of %d interleaved runs, 95%% interval (%s)\n\n", d.Base, d.Count, d.Date)
	for _, row := range rows {
		var line strings.Builder
		for i, c := range row {
			line.WriteString(c + strings.Repeat(" ", width[i]-utf8.RuneCountInString(c)+2))
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
	return b.String()
}

func indexOf(d *Data, r CPURow) int {
	for i, b := range d.CPU {
		if b.Workload == r.Workload && b.Name == r.Name {
			return i
		}
	}
	return 0
}

func ratioCell(rows []CPURow, want CPURow, _ int) string {
	for _, r := range rows {
		if r.Workload == want.Workload && r.Name == want.Name {
			s := r.Ratio.String()
			if r.Ratio.Significant() {
				s = "**" + s + "**"
			}
			return s
		}
	}
	return "n/a"
}

func fmtNum(v float64) string {
	switch {
	case math.IsNaN(v):
		return "n/a"
	case math.Abs(v) >= 1e4:
		return fmt.Sprintf("%.0f", v)
	case v == math.Trunc(v):
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.4g", v)
}

func memTable(b *strings.Builder, d *Data, cases, keys, heads []string) {
	if len(cases) == 0 {
		return
	}
	fmt.Fprintf(b, "| case | config | %s |\n|---|---|%s\n", strings.Join(heads, " | "), strings.Repeat("---|", len(heads)))
	for _, name := range cases {
		for _, cfg := range d.Ran() {
			if e := d.memErr(name, cfg); e != "" {
				fmt.Fprintf(b, "| %s | %s | failed: %s |%s\n", name, cfg, firstLine(e), strings.Repeat(" |", len(heads)-1))
				continue
			}
			m, ok := d.mem(name, cfg)
			if !ok {
				continue
			}
			fmt.Fprintf(b, "| %s | %s |", name, cfg)
			for _, k := range keys {
				v := m.Values[k]
				if strings.HasSuffix(k, "_per_g") && (strings.HasPrefix(k, "rss") || strings.HasPrefix(k, "pte") || strings.HasPrefix(k, "vsize")) {
					fmt.Fprintf(b, " %s |", memprog.Bytes(v))
				} else {
					fmt.Fprintf(b, " %s |", fmtNum(v))
				}
			}
			b.WriteString("\n")
		}
	}
	b.WriteString("\n")
}

func (d *Data) cpuChart(others []string) *Chart {
	c := &Chart{Title: "CPU time / " + d.Base + " (median, 95% CI)", YLabel: "ratio", Ref: 1,
		Format: func(v float64) string { return fmt.Sprintf("%.3f", v) }}
	for i, cfg := range others {
		rows, g := d.CPURatios(cfg)
		s := Series{Name: cfg}
		for _, r := range rows {
			if i == 0 {
				c.Labels = append(c.Labels, r.Workload+" "+strings.TrimPrefix(r.Name, "Benchmark"))
			}
			s.Values = append(s.Values, r.Ratio.Center)
			s.Lo = append(s.Lo, r.Ratio.Lo)
			s.Hi = append(s.Hi, r.Ratio.Hi)
		}
		if i == 0 {
			c.Labels = append(c.Labels, "geomean")
		}
		s.Values = append(s.Values, g.Center)
		s.Lo = append(s.Lo, g.Lo)
		s.Hi = append(s.Hi, g.Hi)
		c.Series = append(c.Series, s)
	}
	return c
}

func (d *Data) memChart() *Chart {
	c := &Chart{Title: "RSS per goroutine", YLabel: "bytes per goroutine", Format: func(v float64) string { return memprog.Bytes(v) }}
	c.Labels = d.memCases("idle", "stack")
	for _, cfg := range d.Ran() {
		s := Series{Name: cfg}
		for _, name := range c.Labels {
			v := math.NaN()
			if m, ok := d.mem(name, cfg); ok {
				v = m.Values["rss_per_g"]
			}
			s.Values = append(s.Values, v)
		}
		c.Series = append(c.Series, s)
	}
	return c
}

func writeChart(path string, c *Chart) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := c.WriteSVG(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
