// Package stress builds and runs the stress program (testdata/stressprog,
// embedded here) against a toolchain: `faultstack test -stress`. See
// docs/testing.md.
package stress

import (
	"bufio"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"faultstack/internal/toolchain"
	"faultstack/internal/upstream"
)

//go:embed testdata/stressprog/main.go
var progSource []byte

// Source returns the stress program's source.
func Source() []byte { return progSource }

// Build writes the stress program to dir and builds it there with goBin
// in env, into dir/name.
func Build(goBin string, env []string, dir, name string) (string, error) {
	files := map[string][]byte{
		"go.mod":  []byte("module stressprog\n\ngo 1.26\n"),
		"main.go": progSource,
	}
	for f, data := range files {
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			return "", err
		}
	}
	bin := filepath.Join(dir, name)
	cmd := exec.Command(goBin, "build", "-o", bin, ".")
	cmd.Dir = dir
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build stressprog: %v\n%s", err, out)
	}
	return bin, nil
}

// Config is one run of the stress program.
type Config struct {
	Bin      string
	Env      []string // the environment to run it in
	Seed     uint64   // must not be 0: the caller picks and prints it
	Duration time.Duration
	Progress time.Duration // interval of progress lines; 0: the program's default
	Extra    []string      // more flags
	Out      io.Writer     // every line of output goes here, behind Prefix
	Prefix   string
}

// Args returns the program's command line arguments for c.
func (c Config) Args() []string {
	args := []string{"-seed", strconv.FormatUint(c.Seed, 10), "-duration", c.Duration.String()}
	if c.Progress > 0 {
		args = append(args, "-progress", c.Progress.String())
	}
	return append(args, c.Extra...)
}

// ErrFailed is what Run returns (wrapped) when the program reports a
// failure or does not end with its PASS line.
var ErrFailed = errors.New("stress run failed")

// Run runs the program and returns nil when it exits 0 with its PASS line.
// It kills the program two minutes past its duration.
func Run(c Config) error {
	if c.Seed == 0 {
		return errors.New("stress: seed 0")
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.Duration+2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.Bin, c.Args()...)
	cmd.Env = c.Env
	pr, pw := io.Pipe()
	cmd.Stdout = pw
	cmd.Stderr = pw
	var (
		mu        sync.Mutex
		passed    bool
		failLines []string
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintf(c.Out, "%s%s\n", c.Prefix, line)
			mu.Lock()
			switch {
			case strings.HasPrefix(line, "stress: PASS"):
				passed = true
			case strings.HasPrefix(line, "stress: FAIL"), strings.HasPrefix(line, "fatal error:"), strings.HasPrefix(line, "panic:"):
				failLines = append(failLines, line)
			}
			mu.Unlock()
		}
		io.Copy(io.Discard, pr)
	}()
	err := cmd.Start()
	if err == nil {
		err = cmd.Wait()
	}
	pw.Close()
	<-done
	mu.Lock()
	defer mu.Unlock()
	replay := fmt.Sprintf("replay: %s %s", c.Bin, strings.Join(c.Args(), " "))
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("%w: killed %v past its duration (seed %d; %s)", ErrFailed, 2*time.Minute, c.Seed, replay)
	case err != nil:
		return fmt.Errorf("%w: %v: %s (seed %d; %s)", ErrFailed, err, strings.Join(failLines, "; "), c.Seed, replay)
	case len(failLines) > 0 || !passed:
		return fmt.Errorf("%w: exit status 0 without a PASS line: %s (seed %d; %s)", ErrFailed, strings.Join(failLines, "; "), c.Seed, replay)
	}
	return nil
}

// NewSeed returns a seed from the clock, never 0.
func NewSeed() uint64 {
	return uint64(time.Now().UnixNano())%1_000_000_000 + 1
}

// Suite is `faultstack test -stress`: it builds the stress program with
// the toolchain at goroot, experiment off and on, in work/stress/{off,on};
// runs it off as a control (a tenth of d, 5 to 30 seconds), on for d,
// then on for the control's length twice more: with 16 KiB reservations
// (GODEBUG=faultstackreserve=16384, so that most growth moves stacks into
// dedicated reservations) and with mprotect guards
// (GODEBUG=faultstackguard=mprotect, the fallback for kernels before
// 6.13). Every run uses the same seed (from the clock when seed is 0). The
// output goes to out.
func Suite(goroot, work string, d time.Duration, seed uint64, out io.Writer) error {
	if seed == 0 {
		seed = NewSeed()
	}
	fmt.Fprintf(out, "stress: seed %d (replay: go run ./cmd/faultstack test -run stress -stress -stress.seed %d -stress.duration %v)\n", seed, seed, d)
	control := min(max(d/10, 5*time.Second), 30*time.Second, d)
	bins := map[string]string{}
	for _, run := range []struct {
		label, exp, godebug string
		d                   time.Duration
	}{
		{"off", "", "", control},
		{"on", upstream.Experiment, "", d},
		{"on,reserve=16K", upstream.Experiment, "faultstackreserve=16384", control},
		{"on,mprotect", upstream.Experiment, "faultstackguard=mprotect", control},
	} {
		dirName := "off"
		if run.exp != "" {
			dirName = "on"
		}
		bin := bins[dirName]
		if bin == "" {
			dir := filepath.Join(work, "stress", dirName)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			var err error
			if bin, err = Build(toolchain.GoBin(goroot), toolchain.GoEnv(goroot, "GOEXPERIMENT="+run.exp), dir, "stressprog-"+dirName); err != nil {
				return err
			}
			bins[dirName] = bin
		}
		var env []string
		if run.godebug != "" {
			env = append(env, "GODEBUG="+run.godebug)
		}
		fmt.Fprintf(out, "stress: %s, GOEXPERIMENT=%s GODEBUG=%s, %v\n", bin, run.exp, run.godebug, run.d)
		err := Run(Config{Bin: bin, Env: toolchain.Env(env...), Seed: seed, Duration: run.d, Progress: 10 * time.Second, Out: out, Prefix: "stress " + run.label + ": "})
		if err != nil {
			return fmt.Errorf("GOEXPERIMENT=%s GODEBUG=%s: %v", run.exp, run.godebug, err)
		}
	}
	return nil
}
