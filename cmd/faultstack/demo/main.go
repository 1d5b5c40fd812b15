// Demo is the program `faultstack demo` builds with the experiment off and
// on: goroutines that grow their stacks by recursion, reporting what that
// cost in stack bytes, page faults and resident memory.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"syscall"
)

// recurse uses about depth*128 bytes of stack.
func recurse(depth int) int {
	var pad [96]byte
	pad[depth%len(pad)] = byte(depth)
	if depth == 0 {
		return int(pad[0])
	}
	return recurse(depth-1) + int(pad[depth%len(pad)])
}

func status(field string) string {
	data, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, field+":") {
			return strings.Join(strings.Fields(line[len(field)+1:]), " ")
		}
	}
	return "?"
}

func minflt() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Minflt
}

func main() {
	const goroutines, depth = 10000, 512 // 64 KiB of stack each
	before := minflt()
	var wg sync.WaitGroup
	release := make(chan struct{})
	for range goroutines {
		wg.Add(1)
		go func() {
			recurse(depth)
			wg.Done()
			<-release
		}()
	}
	wg.Wait()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("%s: %d goroutines recursed %d deep (~%d KiB of stack each)\n", runtime.Version(), goroutines, depth, depth*128/1024)
	fmt.Printf("  minor faults %d, VmRSS %s, VmPTE %s, StackInuse %d KiB, StackSys %d KiB\n",
		minflt()-before, status("VmRSS"), status("VmPTE"), ms.StackInuse/1024, ms.StackSys/1024)
	close(release)
}
