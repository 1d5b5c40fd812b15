package cache

import (
	"os"
	"path/filepath"
	"testing"
)

func TestResume(t *testing.T) {
	c := &Cache{Dir: t.TempDir()}
	k := Key{Kind: "cpu", Workload: "go/parser", Config: "faultstack", Env: []string{"GOEXPERIMENT=faultstack"}, Stamp: "s1", Binary: "b1", Params: []string{"-test.benchtime=1s"}, Index: 1}
	if _, ok := c.Get(k); ok {
		t.Fatal("hit in an empty cache")
	}
	if err := c.Put(k, []byte("BenchmarkParse 1 2 ns/op\n")); err != nil {
		t.Fatal(err)
	}
	if b, ok := c.Get(k); !ok || string(b) != "BenchmarkParse 1 2 ns/op\n" {
		t.Fatalf("Get = %q, %v", b, ok)
	}
	// A second cache on the same directory, as after an interrupted run,
	// sees the entry.
	if _, ok := (&Cache{Dir: c.Dir}).Get(k); !ok {
		t.Error("entry not seen by a new Cache on the same directory")
	}
	// Anything that changes the result misses.
	for name, mod := range map[string]func(*Key){
		"index":  func(k *Key) { k.Index = 2 },
		"stamp":  func(k *Key) { k.Stamp = "s2" },
		"binary": func(k *Key) { k.Binary = "b2" },
		"config": func(k *Key) { k.Config = "stock" },
		"env":    func(k *Key) { k.Env = nil },
		"params": func(k *Key) { k.Params = []string{"-test.benchtime=2s"} },
		"kind":   func(k *Key) { k.Kind = "cachegrind" },
	} {
		k2 := k
		mod(&k2)
		if _, ok := c.Get(k2); ok {
			t.Errorf("changing the %s still hits", name)
		}
	}
	// No temporary files are left behind.
	var n int
	filepath.Walk(c.Dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			n++
		}
		return nil
	})
	if n != 1 {
		t.Errorf("%d files in the cache, want 1", n)
	}
}

func TestFileHash(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	os.WriteFile(p, []byte("a"), 0o644)
	h1, err := FileHash(p)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(p, []byte("b"), 0o644)
	if h2, _ := FileHash(p); h1 == h2 {
		t.Error("hash did not change with the content")
	}
}
