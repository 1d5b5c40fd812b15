// Package checks tests a built faultstack toolchain from the outside, as a
// user runs it. `faultstack test` runs these tests with FAULTSTACK_GOROOT
// set to the toolchain it built from patches/; without it they skip.
package checks

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"faultstack/internal/toolchain"
	"faultstack/internal/upstream"
)

func goroot(t *testing.T) string {
	t.Helper()
	root := os.Getenv("FAULTSTACK_GOROOT")
	if root == "" {
		t.Skip("FAULTSTACK_GOROOT is not set; `go run ./cmd/faultstack test` sets it")
	}
	return root
}

// hello writes a program that prints runtime.Version() and returns its dir.
func hello(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":  "module hello\n\ngo 1.26\n",
		"main.go": "package main\n\nimport \"runtime\"\n\nfunc main() { println(runtime.Version()) }\n",
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// goCmd runs the toolchain's go command in dir with extra environment.
func goCmd(t *testing.T, dir string, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(toolchain.GoBin(goroot(t)), args...)
	cmd.Dir = dir
	cmd.Env = toolchain.GoEnv(goroot(t), append([]string{"GOCACHE=" + gocache(t)}, env...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// gocache shares one build cache among the tests of a run.
func gocache(t *testing.T) string {
	if c := os.Getenv("GOCACHE"); c != "" {
		return c
	}
	out, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

var experimentOn = "GOEXPERIMENT=" + upstream.Experiment

func TestToolchainVersion(t *testing.T) {
	out, err := goCmd(t, t.TempDir(), nil, "version")
	if err != nil {
		t.Fatalf("go version: %v\n%s", err, out)
	}
	if !strings.HasPrefix(out, "go version "+upstream.Version+" ") {
		t.Errorf("go version = %q, want the upstream version %s", out, upstream.Version)
	}
}

func TestUnsupportedPlatformRefused(t *testing.T) {
	dir := hello(t)
	for _, p := range []struct{ goos, goarch string }{
		{"darwin", "amd64"}, {"darwin", "arm64"}, {"windows", "amd64"}, {"linux", "386"}, {"linux", "riscv64"},
	} {
		out, err := goCmd(t, dir, []string{experimentOn, "GOOS=" + p.goos, "GOARCH=" + p.goarch}, "build", "-o", os.DevNull, ".")
		if err == nil {
			t.Errorf("%s/%s: build with the experiment succeeded; want a refusal", p.goos, p.goarch)
			continue
		}
		want := "GOEXPERIMENT faultstack is not supported on " + p.goos + "/" + p.goarch + ": it requires linux/amd64 or linux/arm64"
		if !strings.Contains(out, want) {
			t.Errorf("%s/%s: output %q lacks %q", p.goos, p.goarch, out, want)
		}
		// Without the experiment the same cross build works. One
		// platform shows it; each costs a build of the runtime.
		if p.goos != "darwin" || p.goarch != "arm64" {
			continue
		}
		if out, err := goCmd(t, dir, []string{"GOOS=" + p.goos, "GOARCH=" + p.goarch}, "build", "-o", os.DevNull, "."); err != nil {
			t.Errorf("%s/%s: build without the experiment failed: %v\n%s", p.goos, p.goarch, err, out)
		}
	}
}

func TestArm64Builds(t *testing.T) {
	out, err := goCmd(t, hello(t), []string{experimentOn, "GOOS=linux", "GOARCH=arm64"}, "build", "-o", os.DevNull, ".")
	if err != nil {
		t.Fatalf("linux/arm64 build with the experiment: %v\n%s", err, out)
	}
}

func TestVersionShowsExperiment(t *testing.T) {
	dir := hello(t)
	for _, tt := range []struct {
		name string
		env  []string
		want string
	}{
		{"off", nil, upstream.Version},
		// The linker joins a release version and the experiments with
		// "-" (cmd/link/internal/ld/main.go): go1.26.8-X:faultstack.
		{"on", []string{experimentOn}, upstream.Version + "-X:" + upstream.Experiment},
	} {
		bin := filepath.Join(t.TempDir(), "hello")
		if out, err := goCmd(t, dir, tt.env, "build", "-o", bin, "."); err != nil {
			t.Fatalf("%s: build: %v\n%s", tt.name, err, out)
		}
		run, err := exec.Command(bin).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: run: %v\n%s", tt.name, err, run)
		}
		if got := strings.TrimSpace(string(run)); got != tt.want {
			t.Errorf("%s: runtime.Version() = %q, want %q", tt.name, got, tt.want)
		}
		out, err := goCmd(t, dir, nil, "version", bin)
		if err != nil {
			t.Fatalf("%s: go version: %v\n%s", tt.name, err, out)
		}
		if want := bin + ": " + tt.want + "\n"; out != want {
			t.Errorf("%s: go version = %q, want %q", tt.name, out, want)
		}
		out, err = goCmd(t, dir, nil, "version", "-m", bin)
		if err != nil {
			t.Fatalf("%s: go version -m: %v\n%s", tt.name, err, out)
		}
		hasExp := strings.Contains(out, "GOEXPERIMENT="+upstream.Experiment)
		if hasExp != (tt.env != nil) || !strings.HasPrefix(out, bin+": "+tt.want+"\n") {
			t.Errorf("%s: go version -m:\n%s", tt.name, out)
		}
	}
}
