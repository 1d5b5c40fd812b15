// Package upstream is the one place that names the Go release faultstack
// patches and the experiment the patches add.
package upstream

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Version is the Go release the patch series in patches/ applies to.
const Version = "go1.26.8"

// Experiment is the GOEXPERIMENT name that turns faultstack on.
const Experiment = "faultstack"

// EstimationExperiment is the GOEXPERIMENT name of the estimation mode:
// every prologue stack check dropped, fixed reservations. It implies
// Experiment. It measures an upper bound and is not for production.
const EstimationExperiment = Experiment + "nocheck"

// SourceRoot returns a GOROOT holding the full source of Version.
//
// The installed Go is used when it is that release. Otherwise the go
// command downloads the release as its own toolchain module
// (GOTOOLCHAIN=Version), which carries the full source too.
func SourceRoot() (string, error) {
	if root, err := goEnvGOROOT(nil); err == nil && IsRelease(root) {
		return root, nil
	}
	root, err := goEnvGOROOT([]string{"GOTOOLCHAIN=" + Version})
	if err != nil {
		return "", fmt.Errorf("fetching %s through GOTOOLCHAIN: %v", Version, err)
	}
	if !IsRelease(root) {
		return "", fmt.Errorf("GOTOOLCHAIN=%s gave GOROOT %s, which is not %s with its source", Version, root, Version)
	}
	return root, nil
}

// IsRelease reports whether root is a GOROOT of Version with its source.
func IsRelease(root string) bool {
	v, err := os.ReadFile(filepath.Join(root, "VERSION"))
	if err != nil {
		return false
	}
	first, _, _ := strings.Cut(string(v), "\n")
	if strings.TrimSpace(first) != Version {
		return false
	}
	_, err = os.Stat(filepath.Join(root, "src", "make.bash"))
	return err == nil
}

func goEnvGOROOT(extraEnv []string) (string, error) {
	cmd := exec.Command("go", "env", "GOROOT")
	cmd.Env = append(os.Environ(), extraEnv...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go env GOROOT: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}
