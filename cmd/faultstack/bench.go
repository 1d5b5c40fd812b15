package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"time"

	"faultstack/internal/bench/cache"
	"faultstack/internal/bench/cachegrind"
	"faultstack/internal/bench/memprog"
	"faultstack/internal/bench/prologue"
	"faultstack/internal/bench/report"
	"faultstack/internal/bench/stats"
	"faultstack/internal/gotree"
	"faultstack/internal/toolchain"
	"faultstack/internal/upstream"
)

// sizeCmdGo is the name under which -run selects the code size of cmd/go.
const sizeCmdGo = "size/cmd/go"

// preset holds what -short changes.
type preset struct {
	name      string
	count     int
	benchtime string
}

var (
	fullPreset  = preset{"full", 10, "1s"}
	shortPreset = preset{"short", 5, "500ms"}
)

// A benchRun is one invocation of faultstack bench.
type benchRun struct {
	r       *repo
	pre     preset
	count   int
	sel     *regexp.Regexp
	out     string // report directory
	work    string // <work dir>/bench: binaries, scratch module, cache
	cache   *cache.Cache
	cg      bool
	taskset []string // prefix that pins a run to one CPU; nil when not available
	configs []*builtConfig
	data    *report.Data
	start   time.Time
}

// A builtConfig is a configuration with its toolchain, once its probe
// build succeeded.
type builtConfig struct {
	benchConfig
	goroot  string
	stamp   string
	binDir  string
	skipped string
	version string
}

// buildEnv is the environment in which c's go command builds: its
// toolchain's go first in PATH, and its settings.
func (c *builtConfig) buildEnv(extra ...string) []string {
	return toolchain.GoEnv(c.goroot, append(slices.Clone(c.env), extra...)...)
}

// runEnv is the environment of c's programs: no settings of ours but
// extra, and c's go first in PATH for tests that run go themselves
// (go/types's benchmarks load export data through it).
func (c *builtConfig) runEnv(extra ...string) []string {
	return toolchain.GoEnv(c.goroot, extra...)
}

func runBench(r *repo, args []string) error {
	fs := newFlags("bench", "[-short] [-run regexp] [-count N] [-o dir] [-list]")
	short := fs.Bool("short", false, "the short preset: fewer workloads, fewer runs, small N (about 10 minutes)")
	runPat := fs.String("run", "", "run only the workloads whose name matches `regexp` (see -list; memory cases are mem/..., code size of cmd/go is "+sizeCmdGo+")")
	count := fs.Int("count", 0, "runs per benchmark and configuration (default 10, or 5 with -short)")
	out := fs.String("o", "report", "write the report into `dir`")
	list := fs.Bool("list", false, "list the workloads, memory cases and configurations, and exit")
	benchtime := fs.String("benchtime", "", "-test.benchtime of the CPU runs (default 1s, or 500ms with -short)")
	cfgPat := fs.String("configs", "", "use only the configurations whose name matches `regexp` ("+baseConfig+" always runs)")
	noCG := fs.Bool("nocachegrind", false, "skip the cachegrind counts")
	if err := noArgs(fs, args); err != nil {
		return err
	}
	pre := fullPreset
	if *short {
		pre = shortPreset
	}
	if *count > 0 {
		pre.count = *count
	}
	if *benchtime != "" {
		pre.benchtime = *benchtime
	}
	sel, err := regexp.Compile(*runPat)
	if err != nil {
		return err
	}
	cfgRe, err := regexp.Compile(*cfgPat)
	if err != nil {
		return err
	}
	if *list {
		printBenchList(*short)
		return nil
	}
	b := &benchRun{r: r, pre: pre, count: pre.count, sel: sel, out: *out, cg: !*noCG, start: time.Now()}
	if !filepath.IsAbs(b.out) {
		wd, _ := os.Getwd()
		b.out = filepath.Join(wd, b.out)
	}
	b.work = filepath.Join(r.work, "bench")
	b.cache = &cache.Cache{Dir: filepath.Join(b.work, "cache")}
	return b.run(*short, cfgRe)
}

func printBenchList(short bool) {
	fmt.Println("CPU workloads (* = in -short; cachegrind: benchmark x iterations):")
	for _, w := range workloads {
		mark := " "
		if w.short {
			mark = "*"
		}
		src := "std"
		if w.module != "" {
			src = w.module
		}
		cg := ""
		if w.cgIters > 0 {
			cg = fmt.Sprintf("  [cachegrind %s %dx]", w.cgBench, w.cgIters)
		}
		fmt.Printf("%s %-20s %-36s %s %s%s\n", mark, w.name, w.pkg, w.bench, src, cg)
	}
	fmt.Printf("\nCode size: %s, and every CPU workload's test binary\n", sizeCmdGo)
	fmt.Printf("\nMemory and lifecycle cases (%s preset):\n", map[bool]string{true: "short", false: "full"}[short])
	for _, c := range memprog.Cases(short) {
		fmt.Printf("  mem/%s\n", c.Name())
	}
	fmt.Println("\nConfigurations:")
	for _, c := range benchConfigs {
		fmt.Printf("  %-12s %-40s %s\n", c.name, strings.Join(c.env, " "), c.what)
	}
}

func (b *benchRun) logf(format string, args ...any) {
	fmt.Printf("bench: [%5.0fs] %s\n", time.Since(b.start).Seconds(), fmt.Sprintf(format, args...))
}

func (b *benchRun) run(short bool, cfgRe *regexp.Regexp) error {
	var cpu []workload
	for _, w := range workloads {
		if (w.short || !short) && b.sel.MatchString(w.name) {
			cpu = append(cpu, w)
		}
	}
	var mem []memprog.Case
	for _, c := range memprog.Cases(short) {
		if b.sel.MatchString("mem/" + c.Name()) {
			mem = append(mem, c)
		}
	}
	sizeGo := b.sel.MatchString(sizeCmdGo)
	if len(cpu) == 0 && len(mem) == 0 && !sizeGo {
		return fmt.Errorf("nothing matches -run %q (see -list)", b.sel)
	}
	if runtime.GOOS != "linux" {
		return fmt.Errorf("bench measures the Linux runtime; this is %s", runtime.GOOS)
	}

	goroot, err := b.r.ensureToolchain()
	if err != nil {
		return err
	}
	spec, err := b.r.toolchainSpec()
	if err != nil {
		return err
	}
	stamp := gotree.Hash(spec.Version, spec.Patches)

	b.data = &report.Data{
		Date:      b.start.UTC().Format(time.RFC3339),
		Command:   "faultstack bench " + strings.Join(os.Args[2:], " "),
		Preset:    b.pre.name,
		Count:     b.count,
		Benchtime: b.pre.benchtime,
		Machine:   machine(),
		Toolchain: stamp,
		GOROOT:    goroot,
		Base:      baseConfig,
		CountEnv:  cachegrind.Env(),
	}
	if p, err := exec.LookPath("taskset"); err == nil && runtime.NumCPU() > 1 {
		cpuID := fmt.Sprint(runtime.NumCPU() - 1)
		b.taskset = []string{p, "-c", cpuID}
		b.data.Machine.Pinned = "taskset -c " + cpuID
	} else {
		b.data.Machine.Pinned = "not pinned (no taskset, or one CPU)"
		b.data.Notes = append(b.data.Notes, "Runs were not pinned to a CPU: expect wider intervals.")
	}

	// Configurations: a probe build (the memory program) decides whether
	// each can build at all.
	for _, c := range benchConfigs {
		if c.name != baseConfig && !cfgRe.MatchString(c.name) {
			continue
		}
		bc := &builtConfig{benchConfig: c, goroot: goroot, stamp: stamp, binDir: filepath.Join(b.work, "bin", c.name)}
		if c.pristine {
			if bc.goroot, err = upstream.SourceRoot(); err != nil {
				bc.skipped = err.Error()
			}
			bc.stamp = "pristine " + upstream.Version + " " + bc.goroot
		}
		if bc.skipped == "" {
			b.logf("%s: building the memory program (probe)", c.name)
			if err := b.buildMemprog(bc); err != nil {
				bc.skipped = "build failed: " + err.Error()
			}
		}
		if bc.skipped != "" {
			b.logf("%s: skipped: %s", c.name, firstLine(bc.skipped))
			if c.name == baseConfig {
				return fmt.Errorf("the base configuration %s does not build: %s", c.name, bc.skipped)
			}
		}
		b.configs = append(b.configs, bc)
		b.data.Configs = append(b.data.Configs, report.Config{Name: c.name, Env: c.env, GOROOT: bc.goroot, GoVersion: bc.version, Skipped: bc.skipped})
	}
	ran := b.ran()

	// Build the test binaries: once per workload and configuration.
	bins := map[string]map[string]string{} // workload -> config -> binary
	dirs := map[string]map[string]string{} // workload -> config -> package directory
	var okCPU []workload
	for _, w := range cpu {
		bins[w.name], dirs[w.name] = map[string]string{}, map[string]string{}
		ok := true
		for _, c := range ran {
			b.logf("build %s (%s) with %s", w.name, w.pkg, c.name)
			bin, dir, err := b.buildTest(c, w)
			if err != nil {
				b.logf("build %s with %s failed: %v", w.name, c.name, err)
				b.data.Notes = append(b.data.Notes, fmt.Sprintf("%s: the test build with %s failed, so the workload was left out: %s", w.name, c.name, firstLine(err.Error())))
				ok = false
				break
			}
			bins[w.name][c.name], dirs[w.name][c.name] = bin, dir
		}
		if ok {
			okCPU = append(okCPU, w)
		}
	}

	// Code size, from the binaries.
	if sizeGo {
		for _, c := range ran {
			b.logf("build cmd/go with %s", c.name)
			out := filepath.Join(c.binDir, "go")
			if err := b.goCmd(c, filepath.Join(c.goroot, "src"), "build", "-o", out, "cmd/go"); err != nil {
				b.data.Sizes = append(b.data.Sizes, report.Size{Binary: "cmd/go", Config: c.name, Err: err.Error()})
				continue
			}
			b.addSize("cmd/go", c.name, out)
		}
	}
	for _, w := range okCPU {
		for _, c := range ran {
			b.addSize(w.name+".test", c.name, bins[w.name][c.name])
		}
	}

	// CPU: interleaved runs.
	if err := b.runCPU(okCPU, bins, dirs); err != nil {
		return err
	}

	// Deterministic counts.
	if b.cg {
		if _, err := exec.LookPath("valgrind"); err != nil {
			b.data.Notes = append(b.data.Notes, "valgrind is not installed: no instruction counts.")
		} else {
			b.runCachegrind(okCPU, short, bins, dirs)
		}
	}

	// Memory and lifecycle.
	b.runMem(mem)

	b.data.Duration = time.Since(b.start).Round(time.Second).String()
	return b.writeReport()
}

// ran returns the configurations that were not skipped.
func (b *benchRun) ran() []*builtConfig {
	var cs []*builtConfig
	for _, c := range b.configs {
		if c.skipped == "" {
			cs = append(cs, c)
		}
	}
	return cs
}

func machine() report.Machine {
	m := report.Machine{Cores: runtime.NumCPU(), OS: runtime.GOOS + "/" + runtime.GOARCH, CPU: "unknown"}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	return m
}

// goCmd runs the configuration's go command in dir, its output going
// into the error when it fails.
func (b *benchRun) goCmd(c *builtConfig, dir string, args ...string) error {
	cmd := exec.Command(toolchain.GoBin(c.goroot), args...)
	cmd.Dir = dir
	cmd.Env = c.buildEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

func (b *benchRun) buildMemprog(c *builtConfig) error {
	src := filepath.Join(b.work, "src", "memprog")
	if err := memprog.Write(src); err != nil {
		return err
	}
	bin := filepath.Join(c.binDir, "memprog")
	if err := b.goCmd(c, src, "build", "-o", bin, "."); err != nil {
		return err
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		return fmt.Errorf("memprog version: %v", err)
	}
	c.version = memprog.Version(out)
	return nil
}

// scratchModule writes the module from which third-party workloads are
// built, requiring each at its pinned version. It is not the project's
// go.mod: nothing of it reaches faultstack's dependencies.
func (b *benchRun) scratchModule() (string, error) {
	dir := filepath.Join(b.work, "mod")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	var req strings.Builder
	for _, w := range workloads {
		if w.module != "" {
			path, version, _ := strings.Cut(w.module, "@")
			fmt.Fprintf(&req, "\t%s %s\n", path, version)
		}
	}
	mod := fmt.Sprintf("module faultstackbench\n\ngo 1.26\n\nrequire (\n%s)\n", req.String())
	f := filepath.Join(dir, "go.mod")
	if cur, err := os.ReadFile(f); err != nil || !bytes.HasPrefix(cur, []byte(mod)) {
		if err := os.WriteFile(f, []byte(mod), 0o644); err != nil {
			return "", err
		}
		os.Remove(filepath.Join(dir, "go.sum"))
	}
	return dir, nil
}

// buildTest builds w's test binary with c and returns it and the
// package's source directory, where the binary must run (for testdata).
func (b *benchRun) buildTest(c *builtConfig, w workload) (bin, dir string, err error) {
	// Standard packages build from GOROOT/src, as Go's builders test
	// them: some load packages relative to the main module.
	wd := filepath.Join(c.goroot, "src")
	env := c.buildEnv()
	if w.module != "" {
		if wd, err = b.scratchModule(); err != nil {
			return "", "", err
		}
		env = c.buildEnv("GOFLAGS=-mod=mod")
	}
	bin = filepath.Join(c.binDir, strings.ReplaceAll(w.name, "/", "_")+".test")
	cmd := exec.Command(toolchain.GoBin(c.goroot), "test", "-c", "-o", bin, w.pkg)
	cmd.Dir, cmd.Env = wd, env
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("go test -c %s: %v: %s", w.pkg, err, strings.TrimSpace(string(out)))
	}
	cmd = exec.Command(toolchain.GoBin(c.goroot), "list", "-f", "{{.Dir}}", w.pkg)
	cmd.Dir, cmd.Env = wd, env
	out, err := cmd.Output()
	if err != nil {
		return "", "", fmt.Errorf("go list %s: %v", w.pkg, err)
	}
	return bin, strings.TrimSpace(string(out)), nil
}

func (b *benchRun) addSize(name, config, bin string) {
	s, _, err := prologue.Analyze(bin)
	sz := report.Size{Binary: name, Config: config, Summary: s}
	if err != nil {
		sz.Err = err.Error()
	}
	b.data.Sizes = append(b.data.Sizes, sz)
}

// runCPU runs each workload count times per configuration, interleaved:
// round i runs every workload once in every configuration, back to back,
// the configurations' order reversed every other round so that neither
// always goes first.
func (b *benchRun) runCPU(ws []workload, bins, dirs map[string]map[string]string) error {
	ran := b.ran()
	total := len(ws) * len(ran) * b.count
	outputs := map[string]*bytes.Buffer{} // config -> benchfmt text
	samples := map[string]*report.Bench{} // workload + name -> samples
	var order []string
	for step, st := range schedule(b.count, len(ws), len(ran)) {
		i, w, c := st.index, ws[st.workload], ran[st.config]
		step := step + 1
		bin := bins[w.name][c.name]
		hash, err := cache.FileHash(bin)
		if err != nil {
			return err
		}
		args := []string{"-test.run=^$", "-test.bench=" + w.bench, "-test.benchtime=" + b.pre.benchtime, "-test.count=1", "-test.benchmem", "-test.timeout=20m"}
		key := cache.Key{Kind: "cpu", Workload: w.name, Config: c.name, Env: c.env, Stamp: c.stamp, Binary: hash, Params: append(args, "GOMAXPROCS=1", b.data.Machine.Pinned), Index: i}
		out, cached := b.cache.Get(key)
		if cached {
			b.logf("[%d/%d] %s %s run %d/%d (cached)", step, total, w.name, c.name, i, b.count)
		} else {
			b.logf("[%d/%d] %s %s run %d/%d", step, total, w.name, c.name, i, b.count)
			cmdline := append(slices.Clone(b.taskset), append([]string{bin}, args...)...)
			cmd := exec.Command(cmdline[0], cmdline[1:]...)
			cmd.Dir = dirs[w.name][c.name]
			cmd.Env = c.runEnv("GOMAXPROCS=1")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err = cmd.Output()
			if err != nil {
				msg := fmt.Sprintf("%s %s run %d failed: %v: %s", w.name, c.name, i, err, lastLines(stderr.String()+string(out), 3))
				b.logf("%s", msg)
				b.data.Notes = append(b.data.Notes, msg)
				continue
			}
			if err := b.cache.Put(key, out); err != nil {
				return err
			}
		}
		if outputs[c.name] == nil {
			outputs[c.name] = new(bytes.Buffer)
		}
		outputs[c.name].Write(out)
		rs, err := stats.Parse(bytes.NewReader(out))
		if err != nil {
			return fmt.Errorf("%s %s run %d: %v", w.name, c.name, i, err)
		}
		if len(rs) == 0 {
			b.data.Notes = append(b.data.Notes, fmt.Sprintf("%s %s run %d: no benchmark results (does -bench %q match?)", w.name, c.name, i, w.bench))
		}
		for _, r := range rs {
			id := w.name + " " + r.Name
			s := samples[id]
			if s == nil {
				s = &report.Bench{Workload: w.name, Name: r.Name, Unit: "ns/op", Samples: map[string][]float64{}}
				samples[id] = s
				order = append(order, id)
			}
			// Keep runs index-aligned: a failed run leaves a 0, which
			// the statistics skip.
			for len(s.Samples[c.name]) < i-1 {
				s.Samples[c.name] = append(s.Samples[c.name], 0)
			}
			s.Samples[c.name] = append(s.Samples[c.name], r.Values["ns/op"])
		}
	}
	for _, id := range order {
		b.data.CPU = append(b.data.CPU, *samples[id])
	}
	if err := os.MkdirAll(b.out, 0o755); err != nil {
		return err
	}
	var all bytes.Buffer
	for _, c := range ran {
		buf := outputs[c.name]
		if buf == nil {
			continue
		}
		if err := os.WriteFile(filepath.Join(b.out, "cpu-"+c.name+".txt"), buf.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(&all, "config: %s\n", c.name)
		all.Write(buf.Bytes())
	}
	if all.Len() > 0 {
		return os.WriteFile(filepath.Join(b.out, "cpu-all.txt"), all.Bytes(), 0o644)
	}
	return nil
}

// A slot is one CPU run: run index (from 1), workload and configuration.
type slot struct{ index, workload, config int }

// schedule orders the CPU runs: round i runs every workload once in
// every configuration, back to back, so that slow drifts of the machine
// hit all configurations alike; the configurations' order is reversed
// every other round so that none always runs first.
func schedule(count, workloads, configs int) []slot {
	var s []slot
	for i := 1; i <= count; i++ {
		for w := 0; w < workloads; w++ {
			for k := 0; k < configs; k++ {
				c := k
				if i%2 == 0 {
					c = configs - 1 - k
				}
				s = append(s, slot{i, w, c})
			}
		}
	}
	return s
}

// stackFuncs are the runtime functions whose instructions the counts
// attribute to stack growth.
var stackFuncs = []string{"runtime.morestack", "runtime.newstack", "runtime.copystack", "runtime.shrinkstack", "runtime.stackalloc", "runtime.stackfree"}

func (b *benchRun) runCachegrind(ws []workload, short bool, bins, dirs map[string]map[string]string) {
	var sel []workload
	for _, w := range ws {
		if w.cgIters > 0 && (w.cgShort || !short) {
			sel = append(sel, w)
		}
	}
	ran := b.ran()
	total := len(sel) * (len(ran) + 1)
	step := 0
	for _, w := range sel {
		for _, c := range ran {
			// The base is counted twice: the difference between its two
			// counts is the noise floor the report compares against.
			runs := 1
			if c.name == baseConfig {
				runs = 2
			}
			cnt := report.Count{Workload: w.name, Config: c.name}
			for i := 1; i <= runs; i++ {
				step++
				p, err := b.countOnce(w, c, bins[w.name][c.name], dirs[w.name][c.name], i, fmt.Sprintf("[cachegrind %d/%d]", step, total))
				if err != nil {
					cnt.Err = err.Error()
					b.logf("%s %s: %s", w.name, c.name, cnt.Err)
					break
				}
				if i == 2 {
					cnt.IrRepeat, cnt.I1mrRepeat = p.Total["Ir"], p.Total["I1mr"]
					continue
				}
				cnt.Ir, cnt.I1mr = p.Total["Ir"], p.Total["I1mr"]
				cnt.Stack = map[string]float64{}
				for _, f := range stackFuncs {
					cnt.Stack[f] = p.Func(f, "Ir")
				}
			}
			b.data.Counts = append(b.data.Counts, cnt)
		}
	}
}

// countOnce runs w's counted benchmark in c under cachegrind, or takes
// the profile of run index from the cache.
func (b *benchRun) countOnce(w workload, c *builtConfig, bin, dir string, index int, progress string) (*cachegrind.Profile, error) {
	hash, err := cache.FileHash(bin)
	if err != nil {
		return nil, err
	}
	args := []string{"-test.run=^$", "-test.bench=" + w.cgBench, fmt.Sprintf("-test.benchtime=%dx", w.cgIters), "-test.count=1"}
	key := cache.Key{Kind: "cachegrind", Workload: w.name, Config: c.name, Env: c.env, Stamp: c.stamp, Binary: hash, Params: append(slices.Clone(args), cachegrind.Env()...), Index: index}
	data, cached := b.cache.Get(key)
	if cached {
		b.logf("%s %s %s count %d (cached)", progress, w.name, c.name, index)
		return cachegrind.Parse(bytes.NewReader(data))
	}
	b.logf("%s %s %s count %d: %s %dx (about 30x slower than native)", progress, w.name, c.name, index, w.cgBench, w.cgIters)
	prof := filepath.Join(b.work, "cg", fmt.Sprintf("%s-%s-%d.out", c.name, strings.ReplaceAll(w.name, "/", "_"), index))
	if err := os.MkdirAll(filepath.Dir(prof), 0o755); err != nil {
		return nil, err
	}
	cmdline := cachegrind.Args(prof, bin, args...)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, cmdline[0], cmdline[1:]...)
	cmd.Dir = dir
	cmd.Env = c.runEnv(cachegrind.Env()...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("valgrind: %v: %s", err, lastLines(string(out), 3))
	}
	if data, err = os.ReadFile(prof); err != nil {
		return nil, err
	}
	p, err := cachegrind.Parse(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return p, b.cache.Put(key, data)
}

func (b *benchRun) runMem(cases []memprog.Case) {
	ran := b.ran()
	total := len(cases) * len(ran)
	step := 0
	for _, mc := range cases {
		for _, c := range ran {
			step++
			m := report.Mem{Case: mc.Name(), Group: mc.Group, Config: c.name}
			bin := filepath.Join(c.binDir, "memprog")
			hash, err := cache.FileHash(bin)
			if err != nil {
				m.Err = err.Error()
				b.data.Mem = append(b.data.Mem, m)
				continue
			}
			key := cache.Key{Kind: "mem", Workload: mc.Name(), Config: c.name, Env: c.env, Stamp: c.stamp, Binary: hash, Params: append(slices.Clone(mc.Args), b.data.Machine.Pinned), Index: 1}
			out, cached := b.cache.Get(key)
			if cached {
				b.logf("[mem %d/%d] %s %s (cached)", step, total, mc.Name(), c.name)
			} else {
				b.logf("[mem %d/%d] %s %s", step, total, mc.Name(), c.name)
				cmdline := append(slices.Clone(b.taskset), append([]string{bin}, mc.Args...)...)
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
				cmd := exec.CommandContext(ctx, cmdline[0], cmdline[1:]...)
				cmd.Env = c.runEnv()
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				out, err = cmd.Output()
				cancel()
				if err != nil {
					m.Err = fmt.Sprintf("%v: %s", err, lastLines(stderr.String(), 2))
					b.logf("%s %s failed: %s", mc.Name(), c.name, m.Err)
					b.data.Mem = append(b.data.Mem, m)
					continue
				}
				if err := b.cache.Put(key, out); err != nil {
					m.Err = err.Error()
				}
			}
			if m.Err == "" {
				if m.Values, err = memprog.Parse(out); err != nil {
					m.Err = err.Error()
				}
			}
			b.data.Mem = append(b.data.Mem, m)
		}
	}
}

func (b *benchRun) writeReport() error {
	if err := os.MkdirAll(b.out, 0o755); err != nil {
		return err
	}
	if err := b.data.WriteJSON(filepath.Join(b.out, report.JSONFile)); err != nil {
		return err
	}
	if err := report.Render(b.data, b.out); err != nil {
		return err
	}
	fmt.Println()
	fmt.Print(b.data.Summary())
	fmt.Printf("bench: report in %s (took %s)\n", filepath.Join(b.out, report.MarkdownFile), b.data.Duration)
	return nil
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}

// lastLines returns the last n non-empty lines of s, joined with " | ".
func lastLines(s string, n int) string {
	var ls []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			ls = append(ls, strings.TrimSpace(l))
		}
	}
	if len(ls) > n {
		ls = ls[len(ls)-n:]
	}
	if len(ls) == 0 {
		return "(no output)"
	}
	return strings.Join(ls, " | ")
}
