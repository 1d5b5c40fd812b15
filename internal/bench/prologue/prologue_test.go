package prologue

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// build builds testdata/tiny with the go command in PATH for goarch.
func build(t *testing.T, goarch string) string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	out := filepath.Join(t.TempDir(), "tiny."+goarch)
	cmd := exec.Command("go", "build", "-o", out, "./testdata/tiny")
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+goarch, "CGO_ENABLED=0", "GOEXPERIMENT=", "GOFLAGS=")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	return out
}

func TestDetect(t *testing.T) {
	for _, arch := range []string{"amd64", "arm64"} {
		t.Run(arch, func(t *testing.T) {
			s, fns, err := Analyze(build(t, arch))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%+v", s)
			if s.Arch != arch || s.TextBytes == 0 || s.Funcs < 100 {
				t.Fatalf("summary %+v", s)
			}
			// Most Go functions have a check; a runtime without any would
			// mean the detector is broken.
			if s.Checked < s.Funcs/3 || s.HotBytes == 0 || s.ColdBytes == 0 {
				t.Errorf("only %d of %d functions checked: %+v", s.Checked, s.Funcs, s)
			}
			// The few functions with an unrecognized prologue are assembly.
			if s.Unrecognized > s.Funcs/20 {
				t.Errorf("%d functions call morestack with an unrecognized prologue", s.Unrecognized)
			}
			by := map[string]Func{}
			for _, f := range fns {
				by[f.Name] = f
			}
			for name, want := range map[string]bool{"main.rec": true, "main.big": true, "main.leaf": false, "runtime.morestack.abi0": false} {
				f, ok := by[name]
				if !ok {
					t.Errorf("no function %s", name)
					continue
				}
				if f.Checked != want {
					t.Errorf("%s: checked = %v, want %v (%+v)", name, f.Checked, want, f)
				}
				if want && (f.HotBytes == 0 || f.ColdBytes == 0 || f.HotBytes+f.ColdBytes >= f.Size) {
					t.Errorf("%s: implausible sizes %+v", name, f)
				}
			}
			if arch == "amd64" {
				// CMPQ SP, 16(R14) (4 bytes) + JBE rel8 (2 bytes).
				if f := by["main.rec"]; f.HotBytes != 6 {
					t.Errorf("main.rec hot bytes = %d, want 6", f.HotBytes)
				}
				// MOVQ SP, R12; SUBQ $n, R12; JB; CMPQ R12, 16(R14); JBE: 3+7+2+4+2.
				if f := by["main.big"]; f.HotBytes != 18 {
					t.Errorf("main.big hot bytes = %d, want 18", f.HotBytes)
				}
			}
		})
	}
}

func TestNotGo(t *testing.T) {
	if _, _, err := Analyze("prologue_test.go"); err == nil {
		t.Error("no error for a file that is not ELF")
	}
}
