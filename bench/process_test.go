package bench

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// grepPattern is the reference every throughput is compared with.
const grepPattern = "error|fail|exception|fatal|panic|traceback"

// binaryBuild is a binary built once per run (see goBuild).
type binaryBuild struct {
	name, pkg, ldflags string
	once               sync.Once
	path               string
	err                error
}

// binary builds the binary the first time and returns its path.
func (bu *binaryBuild) binary(b *testing.B) string {
	b.Helper()
	bu.once.Do(func() { bu.path, bu.err = goBuild(bu.name, bu.pkg, bu.ldflags) })
	if bu.err != nil {
		b.Fatalf("go build: %v", bu.err)
	}
	return bu.path
}

var (
	destillBuild = &binaryBuild{name: "destill", pkg: "..", ldflags: "-s -w -X github.com/destill-dev/destill/app.Version=bench"}
	minimalBuild = &binaryBuild{name: "minimal", pkg: "./testdata/minimal", ldflags: "-s -w"}
)

// destillBinary builds the binary as `make build` does, once per run; or
// returns $DESTILL_BENCH_BINARY, a binary built before (to measure another
// version with the same benchmarks).
func destillBinary(b *testing.B) string {
	b.Helper()
	if bin := os.Getenv("DESTILL_BENCH_BINARY"); bin != "" {
		return bin
	}
	return destillBuild.binary(b)
}

// minimalBinary builds testdata/minimal, a Go program that prints a word,
// as destill is built, once per run.
func minimalBinary(b *testing.B) string { return minimalBuild.binary(b) }

// goBuild builds pkg as make build does (static, trimmed paths) into a
// new temporary directory and returns the binary's path there.
func goBuild(name, pkg, ldflags string) (string, error) {
	dir, err := os.MkdirTemp("", "destill-bench-")
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, name)
	gobin, err := exec.LookPath("go")
	if err != nil {
		gobin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	cmd := exec.Command(gobin, "build", "-trimpath", "-ldflags", ldflags, "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", errors.New(string(msg))
	}
	return out, nil
}

// usage is what one run of a process cost.
type usage struct {
	wall, cpu time.Duration
	peakRSS   int64 // bytes; 0 when not watched
	stdout    []byte
}

// run runs name with args in env and returns what it cost; grep's exit
// code 1 (it counted nothing) is not an error.
func run(b *testing.B, env []string, name string, args ...string) usage {
	b.Helper()
	return mustRun(b, false, env, name, args)
}

// runWatched is run that also samples the process's peak resident set
// (VmHWM of /proc/PID/status, every few milliseconds). Its own rusage
// would not do: Linux counts the parent's high-water mark at exec in the
// child's maxrss, and the benchmark holds the logs it serves.
func runWatched(b *testing.B, env []string, name string, args ...string) usage {
	b.Helper()
	return mustRun(b, true, env, name, args)
}

func mustRun(b *testing.B, watch bool, env []string, name string, args []string) usage {
	b.Helper()
	u, err := runProcess(env, watch, name, args...)
	if err != nil {
		b.Fatalf("%s %s: %v", filepath.Base(name), strings.Join(args, " "), err)
	}
	return u
}

func runProcess(env []string, watch bool, name string, args ...string) (usage, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return usage{}, err
	}
	var peak int64
	done := make(chan struct{})
	var watching sync.WaitGroup
	if watch {
		watching.Add(1)
		go func() {
			defer watching.Done()
			status := "/proc/" + strconv.Itoa(cmd.Process.Pid) + "/status"
			tick := time.NewTicker(2 * time.Millisecond)
			defer tick.Stop()
			for {
				if v := vmHWM(status); v > peak {
					peak = v
				}
				select {
				case <-done:
					return
				case <-tick.C:
				}
			}
		}()
	}
	err := cmd.Wait()
	wall := time.Since(start)
	close(done)
	watching.Wait()
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 && filepath.Base(name) == "grep" {
		err = nil
	}
	if err != nil {
		return usage{}, errors.New(err.Error() + ": " + strings.TrimSpace(errOut.String()))
	}
	st := cmd.ProcessState
	return usage{wall: wall, cpu: st.UserTime() + st.SystemTime(), peakRSS: peak, stdout: out.Bytes()}, nil
}

// vmHWM reads the peak resident set from a /proc/PID/status file, in
// bytes (0 once the process is gone).
func vmHWM(status string) int64 {
	data, err := os.ReadFile(status)
	if err != nil {
		return 0
	}
	_, rest, ok := bytes.Cut(data, []byte("VmHWM:"))
	if !ok {
		return 0
	}
	f := strings.Fields(string(rest))
	if len(f) == 0 {
		return 0
	}
	kb, _ := strconv.ParseInt(f[0], 10, 64)
	return kb << 10
}

// benchEnv is the environment destill runs in: this one without any CI
// token, with a home of its own (so no user configuration or log cache
// is read), plus extra "KEY=value" entries.
func benchEnv(b *testing.B, extra ...string) []string {
	home := b.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasSuffix(k, "_TOKEN") || strings.HasSuffix(k, "_API_URL") || k == "HOME" || strings.HasPrefix(k, "XDG_") ||
			strings.HasPrefix(k, "DESTILL_") || k == "GODEBUG" {
			continue
		}
		env = append(env, kv)
	}
	return append(append(env, "HOME="+home, "XDG_CACHE_HOME="+filepath.Join(home, "cache"), "XDG_CONFIG_HOME="+filepath.Join(home, "config")), extra...)
}

// grepArgs are grep's arguments for path.
func grepArgs(path string) []string { return []string{"-ciE", grepPattern, path} }

// alternate runs grep and destill on the same input rounds times,
// alternating, and returns the best (least) of each: the other tenants of
// a shared machine only ever add time.
func alternate(b *testing.B, rounds int, env []string, path string, args ...string) (grep, ours usage) {
	b.Helper()
	bin := destillBinary(b)
	for i := range rounds {
		g := run(b, env, "grep", grepArgs(path)...)
		o := run(b, env, bin, append(args, path)...)
		if i == 0 || g.cpu < grep.cpu {
			grep.cpu = g.cpu
		}
		if i == 0 || g.wall < grep.wall {
			grep.wall = g.wall
		}
		if i == 0 || o.cpu < ours.cpu {
			ours.cpu, ours.stdout = o.cpu, o.stdout
		}
		if i == 0 || o.wall < ours.wall {
			ours.wall = o.wall
		}
	}
	return grep, ours
}

// runProcessStderr runs name and returns its standard error.
func runProcessStderr(env []string, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = env
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	err := cmd.Run()
	return errOut.String(), err
}
