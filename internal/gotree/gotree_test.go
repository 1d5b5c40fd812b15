package gotree

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fakeBase makes a small directory shaped like a GOROOT release.
func fakeBase(t *testing.T) string {
	t.Helper()
	base := t.TempDir()
	files := map[string]string{
		"VERSION":             "go1.99.0\ntime 2000-01-01T00:00:00Z\n",
		"src/make.bash":       "#!/bin/sh\necho building\n",
		"src/runtime/a.go":    "package runtime\n\nconst A = 1\n",
		"bin/go":              "not copied",
		"pkg/tool/x":          "not copied",
		"test/fixedbugs/b.go": "package b\n",
	}
	for name, data := range files {
		p := filepath.Join(base, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o444); err != nil { // read-only, like the module cache
			t.Fatal(err)
		}
	}
	return base
}

// commit commits all changes in the tree as a contributor would.
func commit(t *testing.T, dir, msg string) {
	t.Helper()
	for _, args := range [][]string{{"add", "-A"}, {"commit", "-q", "-m", msg}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=Gopher", "GIT_AUTHOR_EMAIL=gopher@example.com",
			"GIT_COMMITTER_NAME=Gopher", "GIT_COMMITTER_EMAIL=gopher@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
}

func write(t *testing.T, dir, name, data string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestInitCopiesSourceOnly(t *testing.T) {
	base := fakeBase(t)
	dir := filepath.Join(t.TempDir(), "go")
	if _, err := Init(dir, base, "go1.99.0"); err != nil {
		t.Fatal(err)
	}
	if !Exists(dir) {
		t.Fatal("Exists is false after Init")
	}
	for _, skipped := range []string{"bin", "pkg"} {
		if _, err := os.Stat(filepath.Join(dir, skipped)); err == nil {
			t.Errorf("%s was copied into the tree", skipped)
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, "src/make.bash")); err != nil || fi.Mode()&0o200 == 0 {
		t.Errorf("src/make.bash not copied writable: %v %v", fi, err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "src/make.bash")); err == nil && fi.Mode()&0o100 != 0 {
		t.Errorf("src/make.bash became executable, but the base copy is not")
	}
	if _, err := Init(dir, base, "go1.99.0"); err == nil {
		t.Error("Init over an existing tree succeeded")
	}
}

func TestExportRoundTrip(t *testing.T) {
	base := fakeBase(t)
	dir := filepath.Join(t.TempDir(), "go")
	tree, err := Init(dir, base, "go1.99.0")
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "src/runtime/a.go", "package runtime\n\nconst A = 2\n")
	commit(t, dir, "runtime: change A\n\nBecause.")
	write(t, dir, "src/runtime/b.go", "package runtime\n\nconst B = 3\n")
	commit(t, dir, "runtime: add B")

	series, err := tree.Series()
	if err != nil {
		t.Fatal(err)
	}
	if len(series) != 2 {
		t.Fatalf("Series has %d patches, want 2", len(series))
	}
	for _, p := range series {
		s := string(p.Data)
		if strings.Contains(s, "\n-- \n") {
			t.Errorf("%s carries a version signature", p.Name)
		}
		if !strings.HasPrefix(s, "From 0000000000000000000000000000000000000000 ") {
			t.Errorf("%s does not start with the zero commit line: %q", p.Name, s[:60])
		}
		if !strings.Contains(s, "Subject: [PATCH] runtime: ") {
			t.Errorf("%s subject is numbered or missing", p.Name)
		}
	}
	if series[0].Name != "0001-runtime-change-A.patch" {
		t.Errorf("first patch named %q", series[0].Name)
	}

	patches := filepath.Join(t.TempDir(), "patches")
	write(t, filepath.Dir(patches), "stale.txt", "")
	if err := os.MkdirAll(patches, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, patches, "0009-old.patch", "gone")
	written, removed, err := WritePatches(patches, series)
	if err != nil {
		t.Fatal(err)
	}
	if len(written) != 2 || len(removed) != 1 || removed[0] != "0009-old.patch" {
		t.Errorf("WritePatches wrote %v, removed %v", written, removed)
	}

	// A second tree from base + patches exports the same bytes, and a
	// second export of an unchanged series writes nothing.
	read, err := ReadPatches(patches)
	if err != nil {
		t.Fatal(err)
	}
	dir2 := filepath.Join(t.TempDir(), "go")
	tree2, err := Init(dir2, base, "go1.99.0")
	if err != nil {
		t.Fatal(err)
	}
	if err := tree2.Apply(read); err != nil {
		t.Fatal(err)
	}
	series2, err := tree2.Series()
	if err != nil {
		t.Fatal(err)
	}
	if len(series2) != len(series) {
		t.Fatalf("re-applied series has %d patches, want %d", len(series2), len(series))
	}
	for i := range series {
		if series[i].Name != series2[i].Name || !bytes.Equal(series[i].Data, series2[i].Data) {
			t.Errorf("patch %d differs after a round trip:\n%s\n----\n%s", i, series[i].Data, series2[i].Data)
		}
	}
	written, removed, err = WritePatches(patches, series2)
	if err != nil || len(written)+len(removed) != 0 {
		t.Errorf("second export wrote %v, removed %v, err %v; want no change", written, removed, err)
	}
	if Hash("go1.99.0", series) != Hash("go1.99.0", series2) || Hash("go1.99.0", series) == Hash("go1.99.1", series) {
		t.Error("Hash does not follow the series and version")
	}
}

func TestStatus(t *testing.T) {
	base := fakeBase(t)
	dir := filepath.Join(t.TempDir(), "go")
	tree, err := Init(dir, base, "go1.99.0")
	if err != nil {
		t.Fatal(err)
	}
	status := func() *Report {
		t.Helper()
		patches, err := ReadPatches(filepath.Join(dir, "..", "patches"))
		if err != nil {
			t.Fatal(err)
		}
		r, err := tree.Status(patches)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	export := func() {
		t.Helper()
		s, err := tree.Series()
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := WritePatches(filepath.Join(dir, "..", "patches"), s); err != nil {
			t.Fatal(err)
		}
	}

	if r := status(); !r.InSync() {
		t.Fatalf("fresh tree not in sync: %+v", r)
	}

	// Build outputs do not count as work.
	if err := os.MkdirAll(filepath.Join(dir, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, dir, "bin/go", "binary")
	write(t, dir, ".faultstack-stamp", "x")
	if r := status(); r.Lost() {
		t.Errorf("build outputs counted as work: %+v", r)
	}

	write(t, dir, "src/runtime/a.go", "package runtime\n\nconst A = 5\n")
	if r := status(); !r.Lost() || len(r.Uncommitted) != 1 || !strings.Contains(r.Uncommitted[0], "src/runtime/a.go") {
		t.Errorf("uncommitted edit not reported: %+v", r)
	}
	write(t, dir, "src/runtime/new.go", "package runtime\n")
	if r := status(); len(r.Uncommitted) != 2 {
		t.Errorf("untracked file not reported: %+v", r)
	}

	commit(t, dir, "runtime: A is 5")
	r := status()
	if !r.Lost() || len(r.Unexported) != 1 || !strings.HasSuffix(r.Unexported[0], " runtime: A is 5") {
		t.Errorf("unexported commit not reported: %+v", r)
	}

	export()
	if r := status(); !r.InSync() {
		t.Errorf("not in sync after export: %+v", r)
	}

	// Amending an exported commit is unexported work again.
	write(t, dir, "src/runtime/new.go", "package runtime\n\nconst N = 1\n")
	cmd := exec.Command("git", "commit", "-q", "-a", "--amend", "--no-edit")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_COMMITTER_NAME=G", "GIT_COMMITTER_EMAIL=g@example.com")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("amend: %v\n%s", err, out)
	}
	r = status()
	if len(r.Unexported) != 1 || len(r.NotApplied) != 1 {
		t.Errorf("amended commit: want 1 unexported and 1 not applied, got %+v", r)
	}
	export()

	// A stash is work that export never sees.
	write(t, dir, "src/runtime/a.go", "package runtime\n\nconst A = 6\n")
	cmd = exec.Command("git", "stash", "-q")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_COMMITTER_NAME=G", "GIT_COMMITTER_EMAIL=g@example.com", "GIT_AUTHOR_NAME=G", "GIT_AUTHOR_EMAIL=g@example.com")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("stash: %v\n%s", err, out)
	}
	if r := status(); !r.Lost() || len(r.Stashes) != 1 {
		t.Errorf("stash not reported: %+v", r)
	}

	// Reset drops commits but keeps build outputs.
	if err := tree.Reset(); err != nil {
		t.Fatal(err)
	}
	if cs, _ := tree.Commits(); len(cs) != 0 {
		t.Errorf("commits after Reset: %v", cs)
	}
	if _, err := os.Stat(filepath.Join(dir, "bin/go")); err != nil {
		t.Errorf("Reset removed build outputs: %v", err)
	}
}
