package checks

// The failure matrix: how a program built with the experiment fails (or
// does not) where the machine says no, each row asserting the exact
// outcome: message, exit status, traceback, and nothing unexpected. The
// programs are the modes of testdata/failmatrix, built once with the
// experiment on and once off; the off build is the control wherever the
// claim is "unchanged stock behaviour". Rows that the runtime's own tests
// cover (src/runtime/faultstack_test.go) are not repeated here; see
// docs/testing.md for the whole table.

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// childTimeout bounds every row's program; each takes well under a
// second when it behaves.
const childTimeout = 20 * time.Second

// matrixProg is one of testdata's programs built with the experiment
// off and on, once per test process.
type matrixProg struct {
	once    sync.Once
	off, on string
	err     error
}

var (
	matrixMu    sync.Mutex
	matrixDir   string
	matrixProgs = map[string]*matrixProg{}
)

func TestMain(m *testing.M) {
	code := m.Run()
	if matrixDir != "" {
		os.RemoveAll(matrixDir)
	}
	os.Exit(code)
}

// matrixBins returns testdata/failmatrix built with the experiment off
// and on.
func matrixBins(t *testing.T) (off, on string) {
	t.Helper()
	return buildProg(t, "failmatrix")
}

// buildProg builds testdata/name (one main.go) with the experiment off
// and on, once per test process, and returns the two binaries.
func buildProg(t *testing.T, name string, env ...string) (off, on string) {
	t.Helper()
	goroot(t)
	matrixMu.Lock()
	if matrixDir == "" {
		var err error
		if matrixDir, err = os.MkdirTemp("", "failmatrix"); err != nil {
			matrixMu.Unlock()
			t.Fatal(err)
		}
	}
	p := matrixProgs[name]
	if p == nil {
		p = new(matrixProg)
		matrixProgs[name] = p
	}
	matrixMu.Unlock()
	p.once.Do(func() {
		src, err := os.ReadFile(filepath.Join("testdata", name, "main.go"))
		if err != nil {
			p.err = err
			return
		}
		dir := filepath.Join(matrixDir, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			p.err = err
			return
		}
		files := map[string][]byte{"go.mod": []byte("module " + name + "\n\ngo 1.26\n"), "main.go": src}
		for f, data := range files {
			if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
				p.err = err
				return
			}
		}
		for _, b := range []struct {
			bin *string
			exp []string
		}{{&p.off, nil}, {&p.on, []string{experimentOn}}} {
			bin := name + "-off"
			if b.exp != nil {
				bin = name + "-on"
			}
			*b.bin = filepath.Join(dir, bin)
			if out, err := goCmd(t, dir, append(b.exp, env...), "build", "-o", *b.bin, "."); err != nil {
				p.err = errors.New("go build " + bin + ": " + err.Error() + "\n" + out)
				return
			}
		}
	})
	if p.err != nil {
		t.Fatal(p.err)
	}
	return p.off, p.on
}

// result is how a child ended.
type result struct {
	out      string
	code     int // exit status; -1 when killed by a signal
	timedOut bool
}

// runChild runs bin with args in a clean environment (no GODEBUG,
// GOTRACEBACK, GOGC or GOMAXPROCS from ours) plus env, killing it after
// childTimeout. A non-empty ulimitKB runs it under `ulimit -v ulimitKB`
// (RLIMIT_AS).
func runChild(t *testing.T, bin string, ulimitKB string, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), childTimeout)
	defer cancel()
	var cmd *exec.Cmd
	if ulimitKB != "" {
		cmd = exec.CommandContext(ctx, "sh", append([]string{"-c", `ulimit -v "$1" || exit 99; shift; exec "$@"`, "sh", ulimitKB, bin}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, bin, args...)
	}
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
	out, err := cmd.CombinedOutput()
	r := result{out: string(out), timedOut: ctx.Err() != nil}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		t.Fatalf("%s %s: %v", bin, strings.Join(args, " "), err)
	}
	if r.code == 99 {
		t.Fatalf("ulimit -v %s failed:\n%s", ulimitKB, out)
	}
	return r
}

// want checks that r exited with code and that its output contains
// every string of contains and none of lacks; it logs the output when
// something is wrong.
func (r result) want(t *testing.T, name string, code int, contains, lacks []string) {
	t.Helper()
	bad := false
	if r.timedOut {
		t.Errorf("%s: killed after %v: it hangs", name, childTimeout)
		bad = true
	} else if r.code != code {
		t.Errorf("%s: exit status %d, want %d", name, r.code, code)
		bad = true
	}
	for _, s := range contains {
		if !strings.Contains(r.out, s) {
			t.Errorf("%s: output lacks %q", name, s)
			bad = true
		}
	}
	for _, s := range lacks {
		if strings.Contains(r.out, s) {
			t.Errorf("%s: output has %q", name, s)
			bad = true
		}
	}
	if bad {
		t.Logf("%s output:\n%s", name, r.out)
	}
}

// unexpected is what no row's output may hold unless the row says so.
var unexpected = []string{"BAD:", "unexpected fault address", "panic:", "stack overflow", "out of memory", "SIGSEGV"}

func without(list []string, drop ...string) []string {
	var out []string
	for _, s := range list {
		keep := true
		for _, d := range drop {
			if s == d {
				keep = false
			}
		}
		if keep {
			out = append(out, s)
		}
	}
	return out
}

var (
	hexAddrRE = regexp.MustCompile(`\b(pc|sp|fp|gp|mp)=0x[0-9a-f]+`)
	stackRE   = regexp.MustCompile(`stack=\[0x[0-9a-f]+, 0x[0-9a-f]+\]`)
	goidRE    = regexp.MustCompile(`^goroutine \d+`)
	mRE       = regexp.MustCompile(`\bm=\d+`)
)

// head returns the first paragraph of a crash report (the lines before
// the first blank one: the message and the signal line), with the
// addresses and numbers that differ from run to run replaced.
func head(out string) []string {
	var lines []string
	for line := range strings.Lines(out) {
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			break
		}
		line = hexAddrRE.ReplaceAllString(line, "$1=X")
		line = stackRE.ReplaceAllString(line, "stack=[X, X]")
		line = mRE.ReplaceAllString(line, "m=N")
		line = goidRE.ReplaceAllString(line, "goroutine N")
		lines = append(lines, line)
	}
	return lines
}

// frames returns the function names of the first goroutine's traceback
// in out, in order.
func frames(out string) []string {
	var fns []string
	inG := false
	for line := range strings.Lines(out) {
		line = strings.TrimSuffix(line, "\n")
		if goidRE.MatchString(line) {
			if inG {
				break
			}
			inG = true
			continue
		}
		if !inG || line == "" {
			if inG && line == "" {
				break
			}
			continue
		}
		if strings.HasPrefix(line, "\t") {
			continue
		}
		fn, _, _ := strings.Cut(line, "(")
		fns = append(fns, fn)
	}
	return fns
}

// asLimit returns an RLIMIT_AS, in kB, for the address-space rows: what
// bin (built with the experiment) maps at startup, one 64 MiB stack
// region included, plus 48 MiB: room for the runtime to go on with
// smaller regions (32 and 16 MiB), not for another 64 MiB one. With it,
// 250 goroutines need a smaller region (a 64 MiB region holds 195
// default slots of 336 KiB) and 20000 cannot fit.
func asLimit(t *testing.T, bin string) string {
	t.Helper()
	r := runChild(t, bin, "", nil, "vmsize")
	kb, err := strconv.Atoi(strings.TrimSpace(r.out))
	if r.code != 0 || err != nil {
		t.Fatalf("vmsize: exit status %d, %v:\n%s", r.code, err, r.out)
	}
	return strconv.Itoa(kb + 48<<10)
}

// TestFailMatrixAddressSpaceDegrade: under an RLIMIT_AS too small for
// another 64 MiB stack region, the experiment's runtime degrades (maps a
// 32 MiB region) and runs 250 goroutines: the first region holds 195
// slots, the rest fit in the 32 MiB one and leave the heap 16 MiB. (With
// 300 the stacks took a 16 MiB region too, and whether the heap or the
// stacks then ran out of address space first varied from run to run.) With
// GODEBUG=faultstackreserve=16384, the remedy its message names, 1000
// goroutines fit. Stock Go runs 20000 goroutines under the same limit.
func TestFailMatrixAddressSpaceDegrade(t *testing.T) {
	off, on := matrixBins(t)
	limit := asLimit(t, on)
	t.Logf("ulimit -v %s", limit)
	runChild(t, off, limit, nil, "manygoroutines", "20000").want(t, "off, 20000 goroutines", 0, []string{"started 20000\n"}, unexpected)
	runChild(t, on, limit, nil, "manygoroutines", "250").want(t, "on, 250 goroutines", 0, []string{"started 250\n"}, unexpected)
	runChild(t, on, limit, []string{"GODEBUG=faultstackreserve=16384"}, "manygoroutines", "1000").want(t, "on, 1000 goroutines, faultstackreserve=16384", 0, []string{"started 1000\n"}, unexpected)
}

// TestFailMatrixAddressSpaceExhausted: when even one more slot cannot be
// mapped, the runtime must stop with its address-space message (docs/
// design.md, "Failure modes"), exit status 2 and a traceback, and the
// program must go no further.
//
// This test found that the runtime of patches 0001-0008 spun instead,
// calling mmap for 512 KiB regions forever (alignUp with the slot size,
// which is not a power of two); patch 0009 fixed it. A hang shows as a
// failure after childTimeout.
func TestFailMatrixAddressSpaceExhausted(t *testing.T) {
	_, on := matrixBins(t)
	const asMany = "20000"
	r := runChild(t, on, asLimit(t, on), nil, "manygoroutines", asMany)
	r.want(t, "on, "+asMany+" goroutines", 2, []string{
		"runtime: cannot reserve ",
		" bytes of address space for a goroutine stack: mmap failed with errno 12\n",
		" goroutines, stack reservation 262144 bytes each (GODEBUG=faultstackreserve), ",
		"runtime: the address space or commit limit is exhausted: check RLIMIT_AS (ulimit -v), vm.overcommit_memory and vm.max_map_count\n",
		"fatal error: out of memory (goroutine stack reservation)\n",
		"\ngoroutine ",
	}, without(unexpected, "out of memory"))
	if !r.timedOut && !strings.HasPrefix(r.out, "runtime: cannot reserve ") {
		t.Errorf("on, %s goroutines: output does not start with the address-space message", asMany)
	}
	if strings.Contains(r.out, "started ") {
		t.Errorf("on, %s goroutines: the program went on after the failure", asMany)
	}
}

// TestFailMatrixInfiniteRecursion: a goroutine recursing forever hits
// debug.SetMaxStack's limit (64 MiB here, past the default reservation,
// so the stack moves through dedicated reservations) with Go's own
// messages, as stock.
func TestFailMatrixInfiniteRecursion(t *testing.T) {
	off, on := matrixBins(t)
	want := []string{"runtime: goroutine stack exceeds 67108864-byte limit\n", "fatal error: stack overflow\n", "main.forever(", "main.infiniteRecursion.func1()"}
	lacks := without(unexpected, "stack overflow")
	ro := runChild(t, off, "", nil, "infinite")
	ro.want(t, "off", 2, want, lacks)
	rn := runChild(t, on, "", nil, "infinite")
	rn.want(t, "on", 2, want, append(lacks, "stack overflow: fault at"))
	sameHead(t, ro, rn)
}

func sameHead(t *testing.T, off, on result) {
	t.Helper()
	ho, hn := head(off.out), head(on.out)
	if strings.Join(ho, "\n") != strings.Join(hn, "\n") {
		t.Errorf("the report's first lines differ:\noff:\n%s\non:\n%s", strings.Join(ho, "\n"), strings.Join(hn, "\n"))
	}
	if off.code != on.code {
		t.Errorf("exit status: off %d, on %d", off.code, on.code)
	}
}

// TestFailMatrixCgoCallback: infinite recursion in a Go callback from C,
// on a goroutine that called C and on a thread that C created (an extra
// M): Go's stack overflow at the 64 MiB limit, as stock.
func TestFailMatrixCgoCallback(t *testing.T) {
	goroot(t)
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("no C compiler (gcc) for cgo")
	}
	off, on := buildProg(t, "failmatrixcgo", "CGO_ENABLED=1")
	for _, mode := range []string{"callback", "thread"} {
		t.Run(mode, func(t *testing.T) {
			want := []string{"runtime: goroutine stack exceeds 67108864-byte limit\n", "fatal error: stack overflow\n", "[running, locked to thread]:\nmain.forever(", "main.goRecurse(", "runtime.cgocallbackg("}
			lacks := without(unexpected, "stack overflow")
			ro := runChild(t, off, "", nil, mode)
			ro.want(t, "off", 2, want, lacks)
			rn := runChild(t, on, "", nil, mode)
			rn.want(t, "on", 2, want, append(lacks, "stack overflow: fault at"))
			sameHead(t, ro, rn)
		})
	}
}

// TestFailMatrixHugeFrame: functions with a 1 MiB frame (four times the
// default reservation) recursing. Bounded, every frame and two neighbour
// goroutines keep their data; unbounded, the recursion ends with Go's
// stack overflow at the limit and the neighbours saw no corruption.
func TestFailMatrixHugeFrame(t *testing.T) {
	off, on := matrixBins(t)
	for _, b := range []struct{ name, bin string }{{"off", off}, {"on", on}} {
		runChild(t, b.bin, "", nil, "hugeframe").want(t, b.name+" bounded", 0, []string{"ok\n"}, unexpected)
		runChild(t, b.bin, "", nil, "hugeframeinf").want(t, b.name+" unbounded", 2,
			[]string{"runtime: goroutine stack exceeds 67108864-byte limit\n", "fatal error: stack overflow\n", "main.huge("},
			append(without(unexpected, "stack overflow"), "stack overflow: fault at"))
	}
}

// TestFailMatrixSIGSEGV: a nil dereference and a load from an unmapped
// address (0xdead0000), on the main goroutine's stack and on a goroutine
// stack grown past the default reservation: the same report as stock
// (first lines up to the goroutine header equal, after replacing
// addresses; same exit status; the faulting function in the traceback).
func TestFailMatrixSIGSEGV(t *testing.T) {
	off, on := matrixBins(t)
	for _, tc := range []struct {
		mode, first, fn string
	}{
		{"nilderef", "panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=", "main.nilDeref"},
		{"nilderefdeep", "panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=", "main.nilDeref"},
		{"badaddr", "unexpected fault address 0xdead0000\nfatal error: fault\n[signal SIGSEGV: segmentation violation code=0x1 addr=0xdead0000 pc=", "main.badAddr"},
		{"badaddrdeep", "unexpected fault address 0xdead0000\nfatal error: fault\n[signal SIGSEGV: segmentation violation code=0x1 addr=0xdead0000 pc=", "main.badAddr"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			ro := runChild(t, off, "", nil, tc.mode)
			rn := runChild(t, on, "", nil, tc.mode)
			for _, r := range []struct {
				name string
				r    result
			}{{"off", ro}, {"on", rn}} {
				if !strings.HasPrefix(r.r.out, tc.first) {
					t.Errorf("%s: output does not start with %q:\n%s", r.name, tc.first, r.r.out)
				}
				r.r.want(t, r.name, 2, []string{tc.fn + "("}, []string{"BAD:", "stack overflow", "fatal error: stack", "runtime: goroutine"})
			}
			sameHead(t, ro, rn)
			if fo, fn := frames(ro.out), frames(rn.out); strings.Join(fo, " ") != strings.Join(fn, " ") {
				t.Errorf("traceback functions differ:\noff: %v\non:  %v", fo, fn)
			}
		})
	}
}

// TestFailMatrixSignals: SIGUSR1 sent to itself 2000 times, each
// delivered through os/signal, while goroutines grow and shrink stacks
// past the default reservation: every signal arrives and the program
// completes, as stock.
func TestFailMatrixSignals(t *testing.T) {
	off, on := matrixBins(t)
	for _, b := range []struct{ name, bin string }{{"off", off}, {"on", on}} {
		runChild(t, b.bin, "", nil, "signals").want(t, b.name, 0, []string{"ok 500 true\n"}, unexpected)
	}
}

// TestFailMatrixTHP: the mappings that hold goroutine stacks (a default
// slot, and a dedicated reservation after growth) carry MADV_NOHUGEPAGE
// ("nh" in /proc/self/smaps VmFlags), whatever the system's transparent
// huge page setting, so a stack never costs a 2 MiB huge page.
func TestFailMatrixTHP(t *testing.T) {
	off, on := matrixBins(t)
	thp, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil {
		// A kernel without THP refuses MADV_NOHUGEPAGE, and needs none.
		t.Skipf("no transparent huge pages here: %v", err)
	}
	t.Logf("transparent_hugepage/enabled: %s", strings.TrimSpace(string(thp)))
	rn := runChild(t, on, "", nil, "thp")
	rn.want(t, "on", 0, []string{"fresh vmflags=[", "deep vmflags=["}, append(unexpected, "error:"))
	for _, line := range strings.Split(strings.TrimSpace(rn.out), "\n") {
		_, flags, _ := strings.Cut(line, "vmflags=[")
		if !strings.Contains(" "+strings.TrimSuffix(flags, "]")+" ", " nh ") {
			t.Errorf("on: %q: the stack's mapping lacks VmFlags nh (MADV_NOHUGEPAGE)", line)
		}
	}
	// Stock stacks live in heap spans: no claim, only a record.
	t.Logf("off (stock, for the record):\n%s", runChild(t, off, "", nil, "thp").out)
}

// TestCrashReportHelpers checks head and frames on two reports of the
// same crash from different runs. It needs no toolchain.
func TestCrashReportHelpers(t *testing.T) {
	a := "unexpected fault address 0xdead0000\nfatal error: fault\n[signal SIGSEGV: segmentation violation code=0x1 addr=0xdead0000 pc=0x4a86a5]\n\n" +
		"goroutine 1 gp=0x37a9faea21e0 m=0 mp=0x59c740 [running]:\nruntime.throw({0x4d11af?, 0x1?})\n\t/x/panic.go:1229 +0x48 fp=0x1 sp=0x2 pc=0x3\nmain.badAddr()\n\t/x/main.go:9 +0x1\n\ngoroutine 2 [idle]:\nmain.other()\n"
	b := strings.NewReplacer("pc=0x4a86a5", "pc=0x4a8700", "goroutine 1 gp=0x37a9faea21e0 m=0", "goroutine 7 gp=0x1 m=3").Replace(a)
	if ha, hb := strings.Join(head(a), "\n"), strings.Join(head(b), "\n"); ha != hb || len(head(a)) != 3 {
		t.Errorf("head:\n%s\n---\n%s", ha, hb)
	}
	if got := strings.Join(frames(b), " "); got != "runtime.throw main.badAddr" {
		t.Errorf("frames = %q", got)
	}
	if strings.Join(head(a), "") == strings.Join(head(strings.Replace(a, "addr=0xdead0000 pc", "addr=0xdead1000 pc", 1)), "") {
		t.Errorf("head hides the fault address")
	}
}
