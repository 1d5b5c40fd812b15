// Command failmatrixcgo is the failure matrix's cgo row
// (internal/checks/failmatrix_test.go): infinite recursion in a Go
// callback from C, called from a goroutine ("callback") and from a thread
// that C created ("thread").
package main

/*
#include <pthread.h>

extern void goRecurse(void);

static void callGo(void) { goRecurse(); }

static void *threadMain(void *arg) { goRecurse(); return 0; }

static void callGoFromThread(void) {
	pthread_t t;
	pthread_create(&t, 0, threadMain, 0);
	pthread_join(t, 0);
}
*/
import "C"

import (
	"fmt"
	"os"
	"runtime/debug"
)

var sink int

//export goRecurse
func goRecurse() {
	sink = forever(0)
}

//go:noinline
func forever(n int) int {
	var buf [16]uint64
	buf[n%16] = uint64(n)
	return forever(n+1) + int(buf[n%16])
}

func main() {
	debug.SetMaxStack(64 << 20)
	switch os.Args[1] {
	case "callback":
		done := make(chan bool)
		go func() {
			C.callGo()
			close(done)
		}()
		<-done
	case "thread":
		C.callGoFromThread()
	}
	fmt.Println("BAD: returned")
}
