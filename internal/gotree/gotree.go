// Package gotree manages a Go source tree kept as a git repository whose
// first commit is a pristine upstream release (tagged BaseTag) and whose
// following commits are the faultstack patches, one commit per patch.
//
// The same layout serves two purposes: the editable tree in which
// contributors work (and from which Export writes patches/), and the
// throwaway tree from which the toolchain is built.
package gotree

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// BaseTag names the pristine upstream commit in a tree.
const BaseTag = "base"

// A Patch is one file of a patch series.
type Patch struct {
	Name string // file name, such as 0001-runtime-foo.patch
	Data []byte
}

// A Tree is a Go source tree in git at Dir.
type Tree struct {
	Dir string
}

// excludes are the build outputs of make.bash and go test that must never
// count as work in a tree: Go's own .gitignore, which release archives
// do not carry, plus this package's build stamp.
var excludes = []string{
	"/bin/", "/pkg/", "/VERSION.cache", "/build.out", "/test.out",
	"/src/cmd/dist/dist", "/src/cmd/cgo/zdefaultcc.go",
	"/src/cmd/go/internal/cfg/zdefaultcc.go", "/src/cmd/internal/objabi/zbootstrap.go",
	"/src/go/build/zcgo.go", "/src/internal/buildcfg/zbootstrap.go",
	"/src/runtime/internal/sys/zversion.go", "/src/time/tzdata/zzipdata.go",
	"*.[56789ao]", "*.so", "*.exe", "*.orig", "*.rej", "*~", ".*.swp", "core",
	"_cgo_*", "_obj", "_test", "_testmain.go",
	"/.faultstack-stamp",
}

// Exists reports whether dir holds a tree made by Init.
func Exists(dir string) bool {
	t := &Tree{Dir: dir}
	_, err := t.git("rev-parse", "--verify", "--quiet", BaseTag+"^{commit}")
	return err == nil
}

// Init makes a new tree at dir holding a copy of the Go source at baseRoot,
// committed as version and tagged BaseTag. The go command's own outputs
// (bin, pkg) are not copied. dir must not exist or be empty.
func Init(dir, baseRoot, version string) (*Tree, error) {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("%s exists and is not empty", dir)
	}
	if err := copyGoSource(dir, baseRoot); err != nil {
		return nil, err
	}
	t := &Tree{Dir: dir}
	if _, err := t.git("init", "--quiet", "--initial-branch=main"); err != nil {
		return nil, err
	}
	exclude := filepath.Join(dir, ".git", "info", "exclude")
	if err := os.MkdirAll(filepath.Dir(exclude), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(exclude, []byte(strings.Join(excludes, "\n")+"\n"), 0o644); err != nil {
		return nil, err
	}
	if _, err := t.git("add", "-A"); err != nil {
		return nil, err
	}
	// A fixed identity and date make the base commit the same everywhere.
	msg := version + "\n\nPristine upstream source, the base of the faultstack patches.\n"
	if _, err := t.gitEnv([]string{"GIT_AUTHOR_NAME=faultstack", "GIT_AUTHOR_EMAIL=faultstack@localhost",
		"GIT_AUTHOR_DATE=2000-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2000-01-01T00:00:00Z"},
		"commit", "--quiet", "--no-verify", "-m", msg); err != nil {
		return nil, err
	}
	if _, err := t.git("tag", BaseTag); err != nil {
		return nil, err
	}
	return t, nil
}

// copyGoSource copies the Go source at src into dst, skipping the
// directories make.bash creates. Files are made writable: a GOROOT from
// the module cache is read-only.
func copyGoSource(dst, src string) error {
	skip := map[string]bool{"bin": true, "pkg": true, ".git": true}
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if d.IsDir() && skip[rel] {
			return filepath.SkipDir
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case d.Type().IsRegular():
			info, err := d.Info()
			if err != nil {
				return err
			}
			mode := fs.FileMode(0o644)
			if info.Mode()&0o111 != 0 {
				mode = 0o755
			}
			return copyFile(target, path, mode)
		}
		return nil // sockets and the like have no place in a source tree
	})
}

func copyFile(dst, src string, mode fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// Reset moves the tree back to its base commit, dropping every commit and
// change on top of it. Untracked build outputs are kept.
func (t *Tree) Reset() error {
	t.git("am", "--abort") // fails when no am is in progress, which is fine
	_, err := t.git("reset", "--quiet", "--hard", BaseTag)
	return err
}

// Apply commits each patch on top of the tree's HEAD with git am.
func (t *Tree) Apply(patches []Patch) error {
	if len(patches) == 0 {
		return nil
	}
	tmp, err := os.MkdirTemp("", "faultstack-am-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	var files []string
	for _, p := range patches {
		f := filepath.Join(tmp, p.Name)
		if err := os.WriteFile(f, p.Data, 0o644); err != nil {
			return err
		}
		files = append(files, f)
	}
	args := append([]string{"am", "--quiet", "--keep-cr", "--whitespace=nowarn"}, files...)
	if _, err := t.git(args...); err != nil {
		t.git("am", "--abort")
		return fmt.Errorf("applying patches: %v", err)
	}
	return nil
}

// Series returns the tree's commits after BaseTag as a patch series, in
// the form Export writes. The output depends only on the commits: no
// version signature, no commit hashes, full blob names, and none of the
// user's git configuration.
func (t *Tree) Series() ([]Patch, error) {
	tmp, err := os.MkdirTemp("", "faultstack-series-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	_, err = t.git("format-patch", "--quiet", "--no-signature", "--zero-commit", "--full-index",
		"--no-numbered", "--no-renames", "--diff-algorithm=myers", "--no-cover-letter", "--no-thread",
		"-o", tmp, BaseTag+"..HEAD")
	if err != nil {
		return nil, err
	}
	return ReadPatches(tmp)
}

// Commits returns "hash subject" for each commit after BaseTag, oldest first.
func (t *Tree) Commits() ([]string, error) {
	out, err := t.git("log", "--reverse", "--format=%h %s", BaseTag+"..HEAD")
	if err != nil {
		return nil, err
	}
	return lines(out), nil
}

// Uncommitted returns git's short status lines for changes not committed.
func (t *Tree) Uncommitted() ([]string, error) {
	out, err := t.git("status", "--porcelain", "--untracked-files=normal")
	if err != nil {
		return nil, err
	}
	return lines(out), nil
}

// Stashes returns the tree's stash entries.
func (t *Tree) Stashes() ([]string, error) {
	out, err := t.git("stash", "list")
	if err != nil {
		return nil, err
	}
	return lines(out), nil
}

func lines(s string) []string {
	var l []string
	for line := range strings.SplitSeq(strings.TrimRight(s, "\n"), "\n") {
		if line != "" {
			l = append(l, line)
		}
	}
	return l
}

// ReadPatches reads the *.patch files of dir in name order.
// A missing dir is an empty series.
func ReadPatches(dir string) ([]Patch, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.patch"))
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	var series []Patch
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		series = append(series, Patch{Name: filepath.Base(name), Data: data})
	}
	return series, nil
}

// WritePatches makes dir hold exactly series: it writes each patch whose
// content changed and removes *.patch files that are no longer part of it.
// It reports the names written and removed.
func WritePatches(dir string, series []Patch) (written, removed []string, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, err
	}
	old, err := ReadPatches(dir)
	if err != nil {
		return nil, nil, err
	}
	keep := map[string]bool{}
	for _, p := range series {
		keep[p.Name] = true
		f := filepath.Join(dir, p.Name)
		if cur, err := os.ReadFile(f); err == nil && bytes.Equal(cur, p.Data) {
			continue
		}
		if err := os.WriteFile(f, p.Data, 0o644); err != nil {
			return written, removed, err
		}
		written = append(written, p.Name)
	}
	for _, p := range old {
		if !keep[p.Name] {
			if err := os.Remove(filepath.Join(dir, p.Name)); err != nil {
				return written, removed, err
			}
			removed = append(removed, p.Name)
		}
	}
	return written, removed, nil
}

// Hash returns a digest of a series and the base version it applies to.
func Hash(version string, series []Patch) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n", version)
	for _, p := range series {
		fmt.Fprintf(h, "%s %d\n", p.Name, len(p.Data))
		h.Write(p.Data)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// A Report says how a tree stands against a patches directory.
type Report struct {
	Uncommitted []string // git status lines
	Unexported  []string // "hash subject" of commits whose patch is not in patches/
	Stashes     []string // stash entries, which export never sees
	NotApplied  []string // patch files in patches/ that the tree lacks
}

// Lost reports whether the tree holds work that patches/ lacks.
func (r *Report) Lost() bool {
	return len(r.Uncommitted) > 0 || len(r.Unexported) > 0 || len(r.Stashes) > 0
}

// Status compares the tree with the series in patches.
func (t *Tree) Status(patches []Patch) (*Report, error) {
	var r Report
	var err error
	if r.Uncommitted, err = t.Uncommitted(); err != nil {
		return nil, err
	}
	if r.Stashes, err = t.Stashes(); err != nil {
		return nil, err
	}
	series, err := t.Series()
	if err != nil {
		return nil, err
	}
	commits, err := t.Commits()
	if err != nil {
		return nil, err
	}
	if len(commits) != len(series) {
		return nil, fmt.Errorf("git log shows %d commits but format-patch %d patches (merge commits?)", len(commits), len(series))
	}
	exported := map[string]bool{}
	for _, p := range patches {
		exported[string(p.Data)] = true
	}
	inTree := map[string]bool{}
	for i, p := range series {
		inTree[string(p.Data)] = true
		if !exported[string(p.Data)] {
			r.Unexported = append(r.Unexported, commits[i])
		}
	}
	for _, p := range patches {
		if !inTree[string(p.Data)] {
			r.NotApplied = append(r.NotApplied, p.Name)
		}
	}
	return &r, nil
}

// InSync reports whether the tree is exactly base plus patches, with
// nothing uncommitted.
func (r *Report) InSync() bool {
	return !r.Lost() && len(r.NotApplied) == 0
}

// identity is the committer of the commits this package makes itself.
// The author of a patch's commit comes from the patch.
var identity = []string{"GIT_COMMITTER_NAME=faultstack", "GIT_COMMITTER_EMAIL=faultstack@localhost"}

func (t *Tree) git(args ...string) (string, error) {
	return t.gitEnv(nil, args...)
}

// gitEnv runs git in the tree without the user's or the system's git
// configuration, so that what it writes does not depend on them.
func (t *Tree) gitEnv(env []string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = t.Dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0")
	cmd.Env = append(cmd.Env, identity...)
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = strings.TrimSpace(stdout.String())
		}
		return stdout.String(), errors.New("git " + strings.Join(args, " ") + ": " + err.Error() + ": " + msg)
	}
	return stdout.String(), nil
}
