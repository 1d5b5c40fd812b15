// Command failmatrix holds the programs of the failure matrix
// (internal/checks/failmatrix_test.go): each mode is one row, run in a
// child process built with the experiment on and, as the control, off.
package main

import (
	"bufio"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: failmatrix mode")
		os.Exit(64)
	}
	modes := map[string]func(){
		"vmsize":         vmSize,
		"manygoroutines": manyGoroutines,
		"fewgoroutines":  fewGoroutines,
		"infinite":       infiniteRecursion,
		"hugeframe":      hugeFrameBounded,
		"hugeframeinf":   hugeFrameInfinite,
		"nilderef":       func() { nilDeref(nil) },
		"nilderefdeep":   func() { onDeepStack(func() { nilDeref(nil) }) },
		"badaddr":        badAddr,
		"badaddrdeep":    func() { onDeepStack(badAddr) },
		"signals":        signals,
		"thp":            thp,
	}
	f, ok := modes[os.Args[1]]
	if !ok {
		fmt.Fprintln(os.Stderr, "failmatrix: unknown mode", os.Args[1])
		os.Exit(64)
	}
	f()
}

// vmSize prints the process's VmSize in kB, what RLIMIT_AS limits.
func vmSize() {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(3)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmSize:"); ok {
			fmt.Println(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return
		}
	}
	fmt.Println("error: no VmSize")
	os.Exit(3)
}

// manyGoroutines starts N goroutines (os.Args[2]) that block, then
// prints "started N". Under a small RLIMIT_AS the experiment's
// reservations cannot fit; stock 2 KiB stacks can.
func manyGoroutines() {
	n, _ := strconv.Atoi(os.Args[2])
	var wg sync.WaitGroup
	block := make(chan bool)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			wg.Done()
			<-block
		}()
	}
	wg.Wait()
	fmt.Println("started", n)
}

// fewGoroutines grows a few stacks and exits: under a small RLIMIT_AS
// that still leaves room for some slots, the runtime must degrade to
// smaller stack regions and run.
func fewGoroutines() {
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			recurse(100)
		}()
	}
	wg.Wait()
	fmt.Println("ok")
}

//go:noinline
func recurse(n int) int {
	var buf [64]byte
	buf[n%64] = byte(n)
	if n == 0 {
		return int(buf[0])
	}
	return recurse(n-1) + int(buf[n%64])
}

var sink int

//go:noinline
func forever(n int) int {
	var buf [16]uint64
	buf[n%16] = uint64(n)
	return forever(n+1) + int(buf[n%16])
}

// infiniteRecursion recurses forever in a goroutine, with a 64 MiB
// limit so that it ends quickly.
func infiniteRecursion() {
	debug.SetMaxStack(64 << 20)
	done := make(chan bool)
	go func() {
		sink = forever(0)
		close(done)
	}()
	<-done
	fmt.Println("BAD: returned")
}

// A chunk is as large as a stack variable may be (cmd/compile's
// MaxStackVarSize, 128 KiB; larger ones move to the heap): huge keeps
// eight, a 1 MiB frame.
type chunk [128 << 10]byte

//go:noinline
func fillChunk(c *chunk, v byte) {
	for i := 0; i < len(c); i += 4096 {
		c[i] = v + byte(i>>12)
	}
	c[len(c)-1] = ^v
}

//go:noinline
func chunkOK(c *chunk, v byte) bool {
	for i := 0; i < len(c); i += 4096 {
		if c[i] != v+byte(i>>12) {
			return false
		}
	}
	return c[len(c)-1] == ^v
}

//go:noinline
func huge(n, limit int, seed byte) byte {
	var c0, c1, c2, c3, c4, c5, c6, c7 chunk
	cs := [...]*chunk{&c0, &c1, &c2, &c3, &c4, &c5, &c6, &c7}
	for i, c := range cs {
		fillChunk(c, seed+byte(n)+byte(i*16))
	}
	if limit > 0 && n == limit {
		return c0[0]
	}
	r := huge(n+1, limit, seed)
	for i, c := range cs {
		if !chunkOK(c, seed+byte(n)+byte(i*16)) {
			fmt.Printf("BAD: frame %d corrupted in chunk %d\n", n, i)
			os.Exit(3)
		}
	}
	return r + c0[0]
}

// neighbour keeps a stack-resident array and verifies it until stop,
// while growing its own stack in and out of its reservation.
func neighbour(stop *atomic.Bool, checked *atomic.Int64) {
	var data [512]uint64
	for i := range data {
		data[i] = uint64(i) * 0x9e3779b97f4a7c15
	}
	for !stop.Load() {
		recurse(1000 + int(checked.Load()%3000))
		for i := range data {
			if data[i] != uint64(i)*0x9e3779b97f4a7c15 {
				fmt.Printf("BAD: neighbour corrupted at %d\n", i)
				os.Exit(3)
			}
		}
		checked.Add(1)
		runtime.Gosched()
	}
}

func startNeighbours() (*atomic.Bool, *atomic.Int64) {
	var stop atomic.Bool
	var checked atomic.Int64
	for i := 0; i < 2; i++ {
		go neighbour(&stop, &checked)
	}
	for checked.Load() < 2 {
		runtime.Gosched()
	}
	return &stop, &checked
}

// hugeFrameBounded recurses 24 frames of 1 MiB in a goroutine, verifying
// every frame on the way back, while neighbours verify their own data.
func hugeFrameBounded() {
	stop, checked := startNeighbours()
	done := make(chan byte)
	go func() { done <- huge(0, 24, 7) }()
	<-done
	runtime.GC()
	before := checked.Load()
	for checked.Load() < before+2 {
		runtime.Gosched()
	}
	stop.Store(true)
	fmt.Println("ok")
}

// hugeFrameInfinite recurses 1 MiB frames forever: the 64 MiB limit must
// stop it with Go's stack overflow, and the neighbours must never see
// their data change before that.
func hugeFrameInfinite() {
	debug.SetMaxStack(64 << 20)
	startNeighbours()
	done := make(chan byte)
	go func() { done <- huge(0, 0, 7) }()
	<-done
	fmt.Println("BAD: returned")
}

//go:noinline
func nilDeref(p *int) {
	sink = *p
}

// onDeepStack runs f in a goroutine whose stack grew past the default
// reservation (512 KiB of frames).
func onDeepStack(f func()) {
	done := make(chan bool)
	go func() {
		deepThen(4000, f)
		close(done)
	}()
	<-done
}

//go:noinline
func deepThen(n int, f func()) int {
	var buf [16]uint64
	buf[n%16] = uint64(n)
	if n == 0 {
		f()
		return 0
	}
	return deepThen(n-1, f) + int(buf[n%16])
}

func badAddr() {
	sink = *(*int)(unsafe.Pointer(uintptr(0xdead0000)))
}

// signals sends itself SIGUSR1 in a loop while goroutines grow and
// shrink their stacks past the default reservation, and checks that
// every signal is delivered and the program completes.
func signals() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGUSR1)
	const n = 500
	var received atomic.Int64
	go func() {
		for range c {
			received.Add(1)
		}
	}()
	stop, checked := startNeighbours()
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 30; i++ {
				recurse(100 + i*100)
			}
		}()
	}
	pid := os.Getpid()
	for i := 0; i < n; i++ {
		if err := syscall.Kill(pid, syscall.SIGUSR1); err != nil {
			fmt.Println("BAD: kill:", err)
			os.Exit(3)
		}
		// The channel has room for one: let the receiver drain it
		// so that deliveries are not merged.
		for deadline := time.Now().Add(5 * time.Second); received.Load() < int64(i+1); {
			if time.Now().After(deadline) {
				fmt.Printf("BAD: signal %d not delivered in 5s\n", i+1)
				os.Exit(3)
			}
			runtime.Gosched()
		}
	}
	wg.Wait()
	stop.Store(true)
	fmt.Println("ok", received.Load(), checked.Load() > 0)
}

// thp prints the VmFlags of the mappings holding a fresh goroutine's
// stack and a stack grown past the default reservation.
func thp() {
	report := func(what string) {
		var x [8]byte
		addr := uintptr(unsafe.Pointer(&x))
		fmt.Printf("%s %s\n", what, vmFlags(addr))
	}
	done := make(chan bool)
	go func() {
		report("fresh")
		deepThen(4000, func() { report("deep") })
		close(done)
	}()
	<-done
}

// vmFlags returns the VmFlags of the mapping in /proc/self/smaps that
// contains addr.
func vmFlags(addr uintptr) string {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return "error: " + err.Error()
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in := false
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		if len(fields) > 0 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":") {
			lo, hi, _ := strings.Cut(fields[0], "-")
			l, err1 := strconv.ParseUint(lo, 16, 64)
			h, err2 := strconv.ParseUint(hi, 16, 64)
			in = err1 == nil && err2 == nil && uint64(addr) >= l && uint64(addr) < h
			continue
		}
		if in {
			if rest, ok := strings.CutPrefix(line, "VmFlags:"); ok {
				return "vmflags=[" + strings.TrimSpace(rest) + "]"
			}
		}
	}
	return "error: no mapping contains " + strconv.FormatUint(uint64(addr), 16)
}
