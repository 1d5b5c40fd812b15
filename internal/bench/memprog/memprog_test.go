package memprog

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestCases(t *testing.T) {
	short, full := Cases(true), Cases(false)
	if len(full) <= len(short) {
		t.Errorf("full preset (%d cases) not larger than short (%d)", len(full), len(short))
	}
	names := map[string]bool{}
	for _, c := range full {
		if names[c.Name()] {
			t.Errorf("duplicate case %s", c.Name())
		}
		names[c.Name()] = true
	}
	for _, want := range []string{"idle/1000000", "stack/32KiB/10000", "grow/64MiB", "grow/64KiB", "preempt/2000ms"} {
		if !names[want] {
			t.Errorf("full preset lacks %s (has %v)", want, names)
		}
	}
}

func TestParse(t *testing.T) {
	out := []byte("some noise\n{\"case\":\"idle\",\"n\":10000,\"rss_per_g\":2773.8,\"version\":\"go1.26.8\"}\n")
	m, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	if m["n"] != 10000 || m["rss_per_g"] != 2773.8 {
		t.Errorf("parsed %v", m)
	}
	if _, err := Parse([]byte("panic: out of memory\n")); err == nil {
		t.Error("no error for output without a result")
	}
}

func TestBytes(t *testing.T) {
	for in, want := range map[float64]string{512: "512B", 65536: "64KiB", 1 << 20: "1MiB", 64 << 20: "64MiB", 1536: "1.5KiB"} {
		if got := Bytes(in); got != want {
			t.Errorf("Bytes(%v) = %q, want %q", in, got, want)
		}
	}
}

// TestProgram builds the program with the installed go and runs its
// cheapest case, so that a change that breaks it fails here, not in a
// long bench run.
func TestProgram(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	dir := t.TempDir()
	if err := Write(dir); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "memprog")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOEXPERIMENT=")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	if out, err := exec.Command(bin, "version").Output(); err != nil || !strings.HasPrefix(Version(out), "go") {
		t.Errorf("version: %q, %v", out, err)
	}
	out, err := exec.Command(bin, "idle", "100").Output()
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	if m["n"] != 100 || m["vmas"] <= 0 {
		t.Errorf("idle 100: %v", m)
	}
}
