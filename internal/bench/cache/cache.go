// Package cache keeps the finished runs of faultstack bench, so that an
// interrupted run continues where it stopped and a repeated one reuses
// what is still valid.
//
// An entry is keyed by everything that determines its result: the
// workload and what it runs, the configuration and its environment, the
// toolchain stamp, the hash of the binary that ran, the run parameters,
// and the index of the run (1..count). A change to any of them misses.
package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
)

// A Key names one run.
type Key struct {
	Kind     string   // cpu, cachegrind, size, mem
	Workload string   // e.g. go/parser
	Config   string   // e.g. faultstack
	Env      []string // the configuration's environment
	Stamp    string   // the toolchain stamp
	Binary   string   // hash of the program that ran
	Params   []string // benchtime, regexp, arguments...
	Index    int      // run number
}

func (k Key) hash() string {
	b, _ := json.Marshal(k)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:16])
}

// A Cache is a directory of entries.
type Cache struct {
	Dir string
}

func (c *Cache) path(k Key) string {
	h := k.hash()
	return filepath.Join(c.Dir, h[:2], h+"-"+strconv.Itoa(k.Index))
}

// Get returns the stored result of k.
func (c *Cache) Get(k Key) ([]byte, bool) {
	b, err := os.ReadFile(c.path(k))
	if err != nil {
		return nil, false
	}
	return b, true
}

// Put stores the result of k. The entry appears whole or not at all:
// a run killed while writing leaves no partial entry behind.
func (c *Cache) Put(k Key, data []byte) error {
	p := c.path(k)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), p)
}

// FileHash returns the hash of a file's content.
func FileHash(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:16]), nil
}
