package toolchain

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"faultstack/internal/gotree"
)

// fakeRelease makes a base whose make.bash installs a bin/go and counts
// its runs in a file outside the tree, or fails when asked to.
func fakeRelease(t *testing.T, counter string) string {
	t.Helper()
	base := t.TempDir()
	script := `#!/bin/sh
set -e
[ -n "$GOROOT_BOOTSTRAP" ] || { echo "no GOROOT_BOOTSTRAP" >&2; exit 1; }
[ -z "$GOEXPERIMENT" ] || { echo "GOEXPERIMENT leaked into make.bash" >&2; exit 1; }
[ ! -f FAIL ] || { echo "failing as asked" >&2; exit 1; }
echo run >> ` + counter + `
mkdir -p ../bin
echo '#!/bin/sh' > ../bin/go
chmod +x ../bin/go
echo "Installed Go"
`
	for name, data := range map[string]string{
		"VERSION":       "go1.99.0\n",
		"src/make.bash": script,
		"src/x.go":      "package x\n",
	} {
		p := filepath.Join(base, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return base
}

func runs(t *testing.T, counter string) int {
	data, err := os.ReadFile(counter)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(data), "run\n")
}

// patchAddingFailFile is a patch that makes the fake make.bash fail.
const patchAddingFailFile = `From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: Gopher <gopher@example.com>
Date: Sat, 1 Jan 2000 00:00:00 +0000
Subject: [PATCH] src: fail the build

---
 src/FAIL | 1 +
 1 file changed, 1 insertion(+)
 create mode 100644 src/FAIL

diff --git a/src/FAIL b/src/FAIL
new file mode 100644
index 0000000000000000000000000000000000000000..d00491fd7e5bb6fa28c517a0bb32b8b506539d4d
--- /dev/null
+++ b/src/FAIL
@@ -0,0 +1 @@
+1
`

const patchChangingX = `From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: Gopher <gopher@example.com>
Date: Sat, 1 Jan 2000 00:00:00 +0000
Subject: [PATCH] x: add a line

---
 src/x.go | 1 +
 1 file changed, 1 insertion(+)

diff --git a/src/x.go b/src/x.go
index 0b1f1a6d9bf0a1d9e3bd1ef2a6a5a5c2a1b0b6a0..9c6d5a3bd5a2f2c65f2ae6a3b8b0f5e9f3d5a8e1 100644
--- a/src/x.go
+++ b/src/x.go
@@ -1 +1,2 @@
 package x
+const Y = 1
`

func TestEnsureCaches(t *testing.T) {
	t.Setenv("GOEXPERIMENT", "faultstack") // must not reach make.bash
	counter := filepath.Join(t.TempDir(), "runs")
	spec := Spec{
		Dir:      filepath.Join(t.TempDir(), "toolchain"),
		BaseRoot: fakeRelease(t, counter),
		Version:  "go1.99.0",
	}
	if ok, _ := Current(spec); ok {
		t.Fatal("Current before any build")
	}
	built, err := Ensure(spec, io.Discard)
	if err != nil || !built {
		t.Fatalf("first Ensure: built=%v err=%v", built, err)
	}
	built, err = Ensure(spec, io.Discard)
	if err != nil || built || runs(t, counter) != 1 {
		t.Fatalf("second Ensure: built=%v err=%v runs=%d; want a cached build", built, err, runs(t, counter))
	}

	// A new patch is a new build, with the patch applied.
	spec.Patches = []gotree.Patch{{Name: "0001-x-add-a-line.patch", Data: []byte(patchChangingX)}}
	if ok, reason := Current(spec); ok || !strings.Contains(reason, "other patches") {
		t.Errorf("Current with a new patch: ok=%v reason=%q", ok, reason)
	}
	if built, err = Ensure(spec, io.Discard); err != nil || !built || runs(t, counter) != 2 {
		t.Fatalf("Ensure after a patch change: built=%v err=%v runs=%d", built, err, runs(t, counter))
	}
	if x, _ := os.ReadFile(filepath.Join(spec.Dir, "src/x.go")); !strings.Contains(string(x), "const Y = 1") {
		t.Errorf("patch not applied: src/x.go is %q", x)
	}

	// A failed build leaves no stamp, so the next Ensure builds again.
	spec.Patches = append(spec.Patches, gotree.Patch{Name: "0002-src-fail-the-build.patch", Data: []byte(patchAddingFailFile)})
	if _, err := Ensure(spec, io.Discard); err == nil {
		t.Fatal("Ensure succeeded although make.bash failed")
	}
	if ok, _ := Current(spec); ok {
		t.Error("Current after a failed build")
	}
	spec.Patches = spec.Patches[:1]
	if ok, _ := Current(spec); ok {
		t.Error("a failed build kept the stamp of the previous one")
	}
	if built, err = Ensure(spec, io.Discard); err != nil || !built {
		t.Fatalf("Ensure after a failed build: built=%v err=%v", built, err)
	}
	if _, err := os.Stat(filepath.Join(spec.Dir, "src/FAIL")); err == nil {
		t.Error("the dropped patch's file is still in the tree")
	}
}

func TestEnvDropsBuildSettings(t *testing.T) {
	t.Setenv("GOROOT", "/nowhere")
	t.Setenv("GOEXPERIMENT", "faultstack")
	t.Setenv("GOFLAGS", "-tags=x")
	env := strings.Join(Env("GOEXPERIMENT=on"), "\n") + "\n"
	for _, bad := range []string{"GOROOT=/nowhere\n", "GOEXPERIMENT=faultstack\n", "GOFLAGS=-tags=x\n"} {
		if strings.Contains(env, bad) {
			t.Errorf("Env keeps %q", bad)
		}
	}
	if !strings.Contains(env, "GOEXPERIMENT=on\n") || !strings.Contains(env, "GOTOOLCHAIN=local\n") {
		t.Errorf("Env lacks the extra or GOTOOLCHAIN=local settings")
	}
}

func TestGoEnvPutsToolchainFirst(t *testing.T) {
	t.Setenv("PATH", "/usr/bin")
	var path string
	for _, kv := range GoEnv("/x/goroot") {
		if p, ok := strings.CutPrefix(kv, "PATH="); ok {
			if path != "" {
				t.Errorf("PATH set twice")
			}
			path = p
		}
	}
	if path != "/x/goroot/bin:/usr/bin" {
		t.Errorf("PATH = %q, want /x/goroot/bin:/usr/bin", path)
	}
}
