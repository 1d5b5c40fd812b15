package main

import "os"

// rec has a frame and calls itself: its prologue has a stack check.
//
//go:noinline
func rec(n int) int {
	if n == 0 {
		return 0
	}
	return rec(n-1) + 1
}

// big has a frame over 4 KiB: the large-frame form of the check.
//
//go:noinline
func big(n int) int {
	var a [20000]byte
	a[n] = 1
	return int(a[n/2]) + n
}

// leaf is nosplit: no check.
//
//go:nosplit
//go:noinline
func leaf(n int) int { return n*3 + 1 }

func main() {
	os.Exit(rec(len(os.Args)) + big(len(os.Args)) + leaf(len(os.Args)) - 9)
}
