// Memprog measures goroutine memory and lifecycle costs of the Go runtime
// it is built with. faultstack bench builds it once per configuration and
// runs one case per process, so that cases do not disturb each other:
//
//	memprog idle N          N goroutines blocked on a channel
//	memprog stack KIB N     N goroutines, each having used KIB KiB of stack, then blocked
//	memprog spawn N         spawn+exit throughput of N goroutines
//	memprog grow BYTES      one goroutine growing its stack to BYTES, twice
//	memprog preempt MS      wake-up latency of a sleeper while a tight loop runs, for MS ms
//	memprog version         just the runtime's version (which names experiments)
//
// Each prints one JSON object on stdout.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

type proc struct {
	RSS, PTE, Size float64 // bytes
	VMAs           float64
	MinFlt         float64
}

func sample() proc {
	var p proc
	if f, err := os.Open("/proc/self/status"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			k, v, _ := strings.Cut(sc.Text(), ":")
			kb := func() float64 {
				n, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
				return n * 1024
			}
			switch k {
			case "VmRSS":
				p.RSS = kb()
			case "VmPTE":
				p.PTE = kb()
			case "VmSize":
				p.Size = kb()
			}
		}
		f.Close()
	}
	if b, err := os.ReadFile("/proc/self/maps"); err == nil {
		p.VMAs = float64(strings.Count(string(b), "\n"))
	}
	p.MinFlt = minflt()
	return p
}

func minflt() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Minflt)
}

func emit(m map[string]any) {
	b, _ := json.Marshal(m)
	fmt.Println(string(b))
}

func perG(m map[string]any, before, after proc, n int) {
	m["rss_per_g"] = (after.RSS - before.RSS) / float64(n)
	m["pte_per_g"] = (after.PTE - before.PTE) / float64(n)
	m["vsize_per_g"] = (after.Size - before.Size) / float64(n)
	m["vmas_per_g"] = (after.VMAs - before.VMAs) / float64(n)
	m["minflt_per_g"] = (after.MinFlt - before.MinFlt) / float64(n)
	m["rss"] = after.RSS
	m["pte"] = after.PTE
	m["vsize"] = after.Size
	m["vmas"] = after.VMAs
}

// use puts about kib KiB of frames on the stack and touches them.
//
//go:noinline
func use(kib int) byte {
	var buf [1024]byte
	buf[0], buf[1023] = byte(kib), byte(kib)
	if kib <= 1 {
		return buf[0]
	}
	return use(kib-1) + buf[1023]
}

func park(n, kib int) map[string]any {
	runtime.GC()
	before := sample()
	var started sync.WaitGroup
	stop := make(chan struct{})
	started.Add(n)
	start := time.Now()
	for i := 0; i < n; i++ {
		go func() {
			if kib > 0 {
				use(kib)
			}
			started.Done()
			<-stop
		}()
	}
	started.Wait()
	elapsed := time.Since(start)
	runtime.GC()
	after := sample()
	m := map[string]any{"n": n, "kib": kib, "spawn_ns_per_g": float64(elapsed.Nanoseconds()) / float64(n)}
	perG(m, before, after, n)
	close(stop)
	return m
}

func spawn(n int) map[string]any {
	before := minflt()
	var wg sync.WaitGroup
	start := time.Now()
	const batch = 1000
	for done := 0; done < n; done += batch {
		wg.Add(batch)
		for i := 0; i < batch; i++ {
			go wg.Done()
		}
		wg.Wait()
	}
	d := time.Since(start)
	return map[string]any{"n": n, "ns_per_g": float64(d.Nanoseconds()) / float64(n), "per_sec": float64(n) / d.Seconds(), "minflt_per_g": (minflt() - before) / float64(n)}
}

func grow(bytes int) map[string]any {
	m := map[string]any{"bytes": bytes}
	for round, name := range []string{"first", "again"} {
		runtime.GC() // shrinks the stacks of earlier rounds
		before := minflt()
		done := make(chan time.Duration)
		go func() {
			start := time.Now()
			use(bytes / 1024)
			done <- time.Since(start)
		}()
		d := <-done
		m[name+"_ns"] = float64(d.Nanoseconds())
		m[name+"_minflt"] = minflt() - before
		_ = round
	}
	return m
}

// spin is a tight loop with no calls, so no prologue check: only
// asynchronous preemption stops it.
//
//go:noinline
func spin(stop *int32, x *uint64) {
	for *stop == 0 {
		*x++
	}
}

func preempt(ms int) map[string]any {
	runtime.GOMAXPROCS(1)
	var stop int32
	var x uint64
	go spin(&stop, &x)
	runtime.Gosched()
	var lat []float64
	end := time.Now().Add(time.Duration(ms) * time.Millisecond)
	for time.Now().Before(end) {
		t := time.Now()
		time.Sleep(100 * time.Microsecond)
		lat = append(lat, float64(time.Since(t).Nanoseconds()-100_000))
	}
	stop = 1
	slices.Sort(lat)
	m := map[string]any{"ms": ms, "samples": len(lat)}
	if len(lat) > 0 {
		m["median_ns"] = lat[len(lat)/2]
		m["p99_ns"] = lat[len(lat)*99/100]
		m["max_ns"] = lat[len(lat)-1]
	}
	return m
}

func main() {
	debug.SetGCPercent(100)
	if len(os.Args) == 2 && os.Args[1] == "version" {
		emit(map[string]any{"case": "version", "version": runtime.Version()})
		return
	}
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: memprog idle N | stack KIB N | spawn N | grow BYTES | preempt MS")
		os.Exit(2)
	}
	arg := func(i int) int {
		n, err := strconv.Atoi(os.Args[i])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		return n
	}
	var m map[string]any
	switch os.Args[1] {
	case "idle":
		m = park(arg(2), 0)
	case "stack":
		m = park(arg(3), arg(2))
	case "spawn":
		m = spawn(arg(2))
	case "grow":
		m = grow(arg(2))
	case "preempt":
		m = preempt(arg(2))
	default:
		fmt.Fprintln(os.Stderr, "unknown case", os.Args[1])
		os.Exit(2)
	}
	m["case"] = os.Args[1]
	m["version"] = runtime.Version()
	emit(m)
}
