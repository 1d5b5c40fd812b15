package stress

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// build builds the stress program with the go command that runs these
// tests (stock Go: the program must build and pass there too).
func build(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	bin, err := Build(goBin, os.Environ(), t.TempDir(), "stressprog")
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

func TestShortRunPasses(t *testing.T) {
	bin := build(t)
	var out bytes.Buffer
	err := Run(Config{Bin: bin, Env: os.Environ(), Seed: 42, Duration: 2 * time.Second, Progress: time.Second, Extra: []string{"-workers", "8"}, Out: &out, Prefix: "[stock] "})
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{"[stock] stress: go1.", "seed 42", "(replay: -seed 42)", "[stock] stress: PASS: seed 42"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestCorruptionDetected checks that the program's checks work: with
// -inject it corrupts a stack array itself and must fail with a clear
// message, exit status 1, and the seed to replay.
func TestCorruptionDetected(t *testing.T) {
	bin := build(t)
	var out bytes.Buffer
	err := Run(Config{Bin: bin, Env: os.Environ(), Seed: 7, Duration: 5 * time.Second, Extra: []string{"-workers", "4", "-inject", "3"}, Out: &out})
	if !errors.Is(err, ErrFailed) {
		t.Fatalf("Run = %v, want ErrFailed\n%s", err, out.String())
	}
	for _, want := range []string{"stress: FAIL: worker ", ": after return: stack array of frame ", "stress: FAIL: seed 7; replay with -seed 7", "exit status 1"} {
		if !strings.Contains(out.String()+err.Error(), want) {
			t.Errorf("output lacks %q:\n%s\n%v", want, out.String(), err)
		}
	}
}
