// Command stressprog is the stress program of `faultstack test -stress`
// (see internal/stress and docs/testing.md). It runs for a bounded time:
// many goroutines grow and shrink their stacks at random depths, some past
// the experiment's default 256 KiB reservation so that their stacks move
// to dedicated reservations and back, while the GC runs with a low GOGC
// plus explicit runtime.GC and debug.FreeOSMemory; goroutines block in
// channel operations and selects (their sudogs point into their stacks)
// at depth; panics unwind deep frames to a recover; deferred calls run
// normally and during panics; runtime.Stack and pprof goroutine and heap
// profiles are taken concurrently; timers fire and a loopback TCP echo
// server answers. Every goroutine checks its own data: arrays on its stack
// (checksummed across calls), heap objects held only by its stack, values
// received through channels into its stack, echoed bytes.
//
// Each worker draws its operations from its own PCG generator seeded with
// (seed, worker), so a seed replays the same operation sequences; the
// interleaving is the scheduler's. On any corruption it prints a line
// starting "stress: FAIL" and exits with status 1; on success the last
// line starts "stress: PASS". It builds with stock Go as well.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var (
	seedFlag     = flag.Uint64("seed", 0, "seed of the operation sequences (0: from the clock; printed)")
	durationFlag = flag.Duration("duration", 20*time.Second, "how long to run")
	workersFlag  = flag.Int("workers", 32, "worker goroutines")
	gogcFlag     = flag.Int("gogc", 10, "GOGC to run with")
	progressFlag = flag.Duration("progress", 5*time.Second, "interval of progress lines")
	tcpFlag      = flag.Bool("tcp", true, "run the loopback TCP echo")
	injectFlag   = flag.Int64("inject", 0, "test the checker: corrupt a stack array in the Nth deep call (0: never)")
)

// frameWords is the size of the array each recursive frame keeps on its
// stack: with it a frame is about 300 bytes, so 1000 frames pass the
// default 256 KiB reservation.
const frameWords = 24

var (
	seed     uint64
	stopping atomic.Bool
	failOnce sync.Once

	stats struct {
		ops, descents, panics, defers, exchanges, timeouts, tcp, traces, profiles, gcs, timers atomic.Int64
		maxDepth                                                                               atomic.Int64
		deepCalls                                                                              atomic.Int64
	}
)

// fail reports corruption (or a hang) and exits with status 1.
func fail(format string, args ...any) {
	failOnce.Do(func() {
		fmt.Printf("stress: FAIL: "+format+"\n", args...)
		fmt.Printf("stress: FAIL: seed %d; replay with -seed %d\n", seed, seed)
		os.Exit(1)
	})
	select {} // another goroutine is exiting
}

func main() {
	flag.Parse()
	seed = *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())%1_000_000_000 + 1
	}
	debug.SetGCPercent(*gogcFlag)
	fmt.Printf("stress: %s, seed %d, %v, %d workers, GOGC=%d, GOMAXPROCS=%d (replay: -seed %d)\n",
		runtime.Version(), seed, *durationFlag, *workersFlag, *gogcFlag, runtime.GOMAXPROCS(0), seed)

	var echo string
	if *tcpFlag {
		echo = startEcho()
	}
	stopBackground := make(chan struct{})
	var bg sync.WaitGroup
	for _, f := range []func(*rand.Rand, <-chan struct{}){gcLoop, profileLoop, timerLoop} {
		bg.Add(1)
		r := rand.New(rand.NewPCG(seed, uint64(1000+bg2id())))
		go func() {
			defer bg.Done()
			f(r, stopBackground)
		}()
	}

	exch := make([]chan message, 4)
	for i := range exch {
		exch[i] = make(chan message)
	}
	var wg sync.WaitGroup
	for i := 0; i < *workersFlag; i++ {
		w := &worker{id: i, rng: rand.New(rand.NewPCG(seed, uint64(i))), exch: exch, echo: echo}
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.run()
		}()
	}

	start := time.Now()
	deadline := start.Add(*durationFlag)
	tick := time.NewTicker(*progressFlag)
	lastOps, lastChange := int64(-1), time.Now()
	for now := time.Now(); now.Before(deadline); now = time.Now() {
		select {
		case <-tick.C:
		case <-time.After(time.Until(deadline)):
		}
		ops := stats.ops.Load()
		if ops != lastOps {
			lastOps, lastChange = ops, time.Now()
		} else if time.Since(lastChange) > time.Minute {
			dumpAndFail("no operation completed in a minute")
		}
		if time.Now().Before(deadline) {
			progress(time.Since(start))
		}
	}
	tick.Stop()
	stopping.Store(true)
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(stopBackground)
		bg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		dumpAndFail("workers did not stop within a minute of the deadline")
	}
	progress(time.Since(start))
	if *injectFlag != 0 {
		fail("-inject %d: the corruption was not detected", *injectFlag)
	}
	fmt.Printf("stress: PASS: seed %d, %d operations in %v, no corruption\n", seed, stats.ops.Load(), time.Since(start).Round(time.Millisecond))
}

var bgCounter int

func bg2id() int { bgCounter++; return bgCounter }

func dumpAndFail(why string) {
	buf := make([]byte, 8<<20)
	n := runtime.Stack(buf, true)
	os.Stdout.Write(buf[:n])
	fail("%s", why)
}

func progress(d time.Duration) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s := &stats
	fmt.Printf("stress: %v: %d ops (%d descents, max depth %d frames; %d panics recovered, %d defers, %d channel exchanges, %d timeouts, %d tcp echoes, %d tracebacks, %d profiles, %d timers), %d GCs, StackInuse %.1f MiB, %d goroutines\n",
		d.Round(time.Second), s.ops.Load(), s.descents.Load(), s.maxDepth.Load(), s.panics.Load(), s.defers.Load(),
		s.exchanges.Load(), s.timeouts.Load(), s.tcp.Load(), s.traces.Load(), s.profiles.Load(), s.timers.Load(),
		ms.NumGC, float64(ms.StackInuse)/(1<<20), runtime.NumGoroutine())
}

// A worker runs random operations until stopping.
type worker struct {
	id     int
	rng    *rand.Rand
	exch   []chan message
	echo   string
	conn   net.Conn
	op     int64
	ndefer int64 // deferred calls run in the current operation
}

// message goes through the exchange channels by value: the sender's copy
// is on the sender's stack and the receiver's destination on the
// receiver's, both reached through sudog.elem while the other is blocked.
type message struct {
	from int
	key  uint64
	data [16]uint64
}

func (m *message) fill(from int, key uint64) {
	m.from, m.key = from, key
	for i := range m.data {
		m.data[i] = mix(key, uint64(i))
	}
}

func (m *message) check(w *worker, how string) {
	for i := range m.data {
		if m.data[i] != mix(m.key, uint64(i)) {
			fail("worker %d op %d: %s from worker %d: word %d is %#x, want %#x", w.id, w.op, how, m.from, i, m.data[i], mix(m.key, uint64(i)))
		}
	}
}

func mix(a, b uint64) uint64 {
	x := a*0x9e3779b97f4a7c15 ^ (b+0x632be59bd9b4e019)*0xbf58476d1ce4e5b9
	x ^= x >> 31
	return x * 0x94d049bb133111eb
}

// depth draws a recursion depth: mostly shallow, a quarter up to 1500
// frames (near and past the default reservation), some up to 4500.
func (w *worker) depth() int {
	switch r := w.rng.IntN(100); {
	case r < 70:
		return w.rng.IntN(200)
	case r < 95:
		return 200 + w.rng.IntN(1300)
	default:
		return 1500 + w.rng.IntN(3000)
	}
}

func (w *worker) run() {
	for !stopping.Load() {
		w.op++
		key := w.rng.Uint64()
		target := w.depth()
		switch r := w.rng.IntN(100); {
		case r < 40:
			action := w.rng.IntN(8)
			got := w.descend(0, target, key, func() { w.bottom(action, key) })
			if want := expectSum(0, target, key); got != want {
				fail("worker %d op %d: descend to %d returned %#x, want %#x", w.id, w.op, target, got, want)
			}
			stats.descents.Add(1)
		case r < 60:
			w.panicOp(target, key)
		case r < 80:
			if w.rng.IntN(2) == 0 {
				// Grow past the default reservation and come back, then
				// block shallow: the GC may move the stack back to a
				// default slot while the worker waits in the channel
				// operation, its sudog pointing into the stack.
				w.descend(0, 1500+w.rng.IntN(1000), key^2, func() {})
				target = w.rng.IntN(20)
			}
			got := w.descend(0, target, key, func() { w.exchange(key) })
			if want := expectSum(0, target, key); got != want {
				fail("worker %d op %d: descend to %d (exchange) returned %#x, want %#x", w.id, w.op, target, got, want)
			}
			stats.descents.Add(1)
		case r < 90:
			w.deferOp(target, key)
		default:
			action := 4 + w.rng.IntN(4)
			w.descend(0, target, key, func() { w.bottom(action, key) })
			stats.descents.Add(1)
		}
		for {
			m := stats.maxDepth.Load()
			if int64(target) <= m || stats.maxDepth.CompareAndSwap(m, int64(target)) {
				break
			}
		}
		stats.ops.Add(1)
	}
	if w.conn != nil {
		w.conn.Close()
	}
}

//go:noinline
func fillFrame(a *[frameWords]uint64, key uint64, depth int) {
	for i := range a {
		a[i] = mix(key+uint64(depth), uint64(i))
	}
}

//go:noinline
func checkFrame(w *worker, a *[frameWords]uint64, key uint64, depth int, where string) {
	for i := range a {
		if want := mix(key+uint64(depth), uint64(i)); a[i] != want {
			fail("worker %d op %d: %s: stack array of frame %d, word %d is %#x, want %#x", w.id, w.op, where, depth, i, a[i], want)
		}
	}
}

func expectSum(depth, target int, key uint64) uint64 {
	var s uint64
	for d := depth; d <= target; d++ {
		s += mix(key+uint64(d), uint64(d%frameWords))
	}
	return s
}

// descend recurses to target with a checksummed array in every frame and
// a heap object held only by every seventh frame, runs bottom there, and
// checks everything on the way back.
//
//go:noinline
func (w *worker) descend(depth, target int, key uint64, bottom func()) uint64 {
	var local [frameWords]uint64
	fillFrame(&local, key, depth)
	var held *[8]uint64
	if depth%7 == 0 {
		held = new([8]uint64)
		for i := range held {
			held[i] = mix(key, uint64(depth*8+i))
		}
	}
	var sum uint64
	if depth >= target {
		bottom()
	} else {
		sum = w.descend(depth+1, target, key, bottom)
	}
	if depth == target/2 && *injectFlag != 0 && stats.deepCalls.Add(1) == *injectFlag {
		local[3] ^= 1 << 17 // -inject: what corruption looks like
	}
	checkFrame(w, &local, key, depth, "after return")
	if held != nil {
		for i := range held {
			if held[i] != mix(key, uint64(depth*8+i)) {
				fail("worker %d op %d: heap object held by frame %d, word %d corrupted", w.id, w.op, depth, i)
			}
		}
	}
	return sum + local[depth%frameWords]
}

// bottom is what a worker does at the bottom of a descent.
func (w *worker) bottom(action int, key uint64) {
	switch action {
	case 0:
		runtime.Gosched()
	case 1:
		time.Sleep(time.Duration(w.rng.IntN(2000)) * time.Microsecond)
	case 2:
		t := time.NewTimer(time.Duration(w.rng.IntN(3)) * time.Millisecond)
		<-t.C
		stats.timers.Add(1)
	case 3:
		w.exchange(key)
	case 4:
		buf := make([]byte, 4096)
		n := runtime.Stack(buf, false)
		if !bytes.Contains(buf[:n], []byte("main.(*worker).")) {
			fail("worker %d op %d: runtime.Stack at depth lacks the worker's frames:\n%s", w.id, w.op, buf[:n])
		}
		stats.traces.Add(1)
	case 5:
		w.tcpEcho(key)
	case 6:
		if w.rng.IntN(20) == 0 {
			runtime.GC()
			stats.gcs.Add(1)
		} else {
			runtime.Gosched()
		}
	case 7:
		// Grow again from the bottom: a second, shallow descent.
		w.descend(0, w.rng.IntN(300), key^1, func() {})
	}
}

// exchange sends or receives a message on a random exchange channel,
// with a timeout, while deep.
func (w *worker) exchange(key uint64) {
	c := w.exch[w.rng.IntN(len(w.exch))]
	timeout := time.NewTimer(time.Duration(1+w.rng.IntN(20)) * time.Millisecond)
	defer timeout.Stop()
	if w.rng.IntN(2) == 0 {
		var m message
		m.fill(w.id, key)
		select {
		case c <- m:
			stats.exchanges.Add(1)
		case <-timeout.C:
			stats.timeouts.Add(1)
		}
		m.check(w, "own message after send")
		return
	}
	var m message
	select {
	case m = <-c:
		m.check(w, "message received")
		stats.exchanges.Add(1)
	case <-timeout.C:
		stats.timeouts.Add(1)
	}
}

type panicValue struct {
	worker int
	op     int64
	depth  int
	key    uint64
}

// panicOp panics at target and recovers at a random frame above it,
// with deferred calls in between that run during the panic (some of them
// growing the stack again), and checks every frame that survives.
func (w *worker) panicOp(target int, key uint64) {
	recoverAt := w.rng.IntN(target + 1)
	w.ndefer = 0
	r := w.panicky(0, target, recoverAt, key)
	if r != 1 {
		fail("worker %d op %d: panic at %d recovered at %d: result %d", w.id, w.op, target, recoverAt, r)
	}
	want := int64(0)
	for d := 0; d <= target; d++ {
		if d%5 == 0 {
			want++
		}
	}
	if w.ndefer != want {
		fail("worker %d op %d: %d deferred calls ran across a panic from %d, want %d", w.id, w.op, w.ndefer, target, want)
	}
	stats.panics.Add(1)
	stats.defers.Add(want)
}

//go:noinline
func (w *worker) panicky(depth, target, recoverAt int, key uint64) (result int) {
	var local [frameWords]uint64
	fillFrame(&local, key, depth)
	if depth%5 == 0 {
		defer w.deferred(depth, key)
	}
	if depth == recoverAt {
		defer func() {
			v := recover()
			pv, ok := v.(panicValue)
			if !ok || pv != (panicValue{w.id, w.op, target, key}) {
				fail("worker %d op %d: recovered %v, want the panic from depth %d", w.id, w.op, v, target)
			}
			checkFrame(w, &local, key, depth, "in the recovering defer")
			result = 1
		}()
	}
	if depth == target {
		panic(panicValue{w.id, w.op, target, key})
	}
	r := w.panicky(depth+1, target, recoverAt, key)
	if depth >= recoverAt {
		fail("worker %d op %d: panicky(%d) went on past a panic from %d that it should recover or be unwound by", w.id, w.op, depth, target)
	}
	checkFrame(w, &local, key, depth, "above the recovered panic")
	return r
}

// deferred runs deferred, normally or during a panic, and checks a
// fresh array; every tenth one descends to grow the stack.
//
//go:noinline
func (w *worker) deferred(depth int, key uint64) {
	var local [frameWords]uint64
	fillFrame(&local, key^0xdefe, depth)
	if depth%50 == 0 {
		w.descend(0, 200+depth%400, key^0xdefe, func() {})
	}
	checkFrame(w, &local, key^0xdefe, depth, "deferred call")
	w.ndefer++
}

// deferOp descends with a deferred call in every frame, then checks
// that each ran once, in order.
func (w *worker) deferOp(target int, key uint64) {
	var order []int
	w.deferChain(0, target, key, &order)
	if len(order) != target+1 {
		fail("worker %d op %d: %d deferred calls ran, want %d", w.id, w.op, len(order), target+1)
	}
	for i, d := range order {
		if d != target-i {
			fail("worker %d op %d: deferred call %d was frame %d's, want %d's", w.id, w.op, i, d, target-i)
		}
	}
	stats.defers.Add(int64(len(order)))
}

//go:noinline
func (w *worker) deferChain(depth, target int, key uint64, order *[]int) {
	var local [frameWords]uint64
	fillFrame(&local, key, depth)
	defer func() {
		checkFrame(w, &local, key, depth, "deferred call of the chain")
		*order = append(*order, depth)
	}()
	if depth < target {
		w.deferChain(depth+1, target, key, order)
	} else if w.rng.IntN(4) == 0 {
		runtime.Gosched()
	}
}

// tcpEcho writes bytes derived from key to the echo server and checks
// what comes back, reading into a buffer on the worker's stack.
func (w *worker) tcpEcho(key uint64) {
	if w.echo == "" {
		return
	}
	if w.conn == nil {
		c, err := net.DialTimeout("tcp", w.echo, 5*time.Second)
		if err != nil {
			fail("worker %d: dial %s: %v", w.id, w.echo, err)
		}
		w.conn = c
	}
	var out, in [512]byte
	for i := range out {
		out[i] = byte(mix(key, uint64(i)))
	}
	n := 64 + w.rng.IntN(len(out)-64)
	w.conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := w.conn.Write(out[:n]); err != nil {
		fail("worker %d op %d: tcp write: %v", w.id, w.op, err)
	}
	if _, err := io.ReadFull(w.conn, in[:n]); err != nil {
		fail("worker %d op %d: tcp read: %v", w.id, w.op, err)
	}
	if !bytes.Equal(in[:n], out[:n]) {
		fail("worker %d op %d: tcp echo differs", w.id, w.op)
	}
	stats.tcp.Add(1)
}

// startEcho starts an echo server on a loopback port and returns its
// address. Each connection's handler echoes from a buffer on its stack,
// after growing it.
func startEcho() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail("listen: %v", err)
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go serveEcho(c, 0)
		}
	}()
	return l.Addr().String()
}

//go:noinline
func serveEcho(c net.Conn, depth int) {
	var pad [frameWords]uint64
	fillFrame(&pad, 7, depth)
	if depth < 600 {
		// Serve from deep in the stack, past the default reservation.
		serveEcho(c, depth+1)
		return
	}
	defer c.Close()
	var buf [512]byte
	for {
		n, err := c.Read(buf[:])
		if err != nil {
			return
		}
		if _, err := c.Write(buf[:n]); err != nil {
			return
		}
	}
}

// gcLoop collects, and returns memory to the OS, at random intervals.
func gcLoop(r *rand.Rand, stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case <-time.After(time.Duration(20+r.IntN(200)) * time.Millisecond):
		}
		if r.IntN(3) == 0 {
			debug.FreeOSMemory()
		} else {
			runtime.GC()
		}
		stats.gcs.Add(1)
	}
}

// profileLoop takes goroutine profiles (the concurrent one, debug=0, and
// the stop-the-world tracebacks of debug=1 and 2), heap profiles and
// runtime.Stack of all goroutines, and checks that they hold workers.
func profileLoop(r *rand.Rand, stop <-chan struct{}) {
	var buf bytes.Buffer
	big := make([]byte, 4<<20)
	for {
		select {
		case <-stop:
			return
		case <-time.After(time.Duration(50+r.IntN(300)) * time.Millisecond):
		}
		buf.Reset()
		switch r.IntN(4) {
		case 0:
			if err := pprof.Lookup("goroutine").WriteTo(&buf, 0); err != nil || buf.Len() == 0 {
				fail("goroutine profile: %v", err)
			}
		case 1:
			if err := pprof.Lookup("goroutine").WriteTo(&buf, 1+r.IntN(2)); err != nil || !strings.Contains(buf.String(), "main.(*worker).run") {
				fail("goroutine profile (text) lacks the workers: %v", err)
			}
		case 2:
			if err := pprof.Lookup("heap").WriteTo(&buf, 0); err != nil || buf.Len() == 0 {
				fail("heap profile: %v", err)
			}
		case 3:
			n := runtime.Stack(big, true)
			if !bytes.Contains(big[:n], []byte("main.(*worker).run")) {
				fail("runtime.Stack(all) lacks the workers")
			}
		}
		stats.profiles.Add(1)
	}
}

// timerLoop starts timers whose functions grow a stack and check it.
func timerLoop(r *rand.Rand, stop <-chan struct{}) {
	var pending sync.WaitGroup
	defer pending.Wait()
	w := &worker{id: -1, rng: r}
	for {
		select {
		case <-stop:
			return
		case <-time.After(time.Duration(1+r.IntN(20)) * time.Millisecond):
		}
		d, key := 100+r.IntN(1200), r.Uint64()
		pending.Add(1)
		time.AfterFunc(time.Duration(r.IntN(5))*time.Millisecond, func() {
			defer pending.Done()
			if got, want := w.descend(0, d, key, func() {}), expectSum(0, d, key); got != want {
				fail("timer function: descend to %d returned %#x, want %#x", d, got, want)
			}
			stats.timers.Add(1)
		})
	}
}
