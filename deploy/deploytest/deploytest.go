// Package deploytest runs the real destill binary the way a deploy file
// runs it (a compose service's command and environment, a pod's args and
// envFrom), with no container engine: the tests of deploy and deploy/helm
// use it to prove those commands, flags and variables work. It also finds
// the tools those tests and the integrations' tests run (Need, GoBin).
package deploytest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/destill-dev/destill/internal/needs"
)

// Need returns the path of a command a test needs. Without it the test
// fails when CI is set, else it skips and make test names the skip at the
// end (needs.Missing); install says how to get this one tool.
func Need(t testing.TB, name, install string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		needs.Missing(t, name, fmt.Sprintf("%s is not installed (%s alone: %s)", name, name, install), needs.InstallAll)
	}
	return p
}

// GoBin is the go command of the toolchain running the tests.
func GoBin() string { return filepath.Join(runtime.GOROOT(), "bin", "go") }

// PathWithGo is a PATH entry ("PATH=...") with GoBin's directory first, for
// scripts that run go.
func PathWithGo() string {
	return "PATH=" + filepath.Dir(GoBin()) + string(os.PathListSeparator) + os.Getenv("PATH")
}

// Build compiles destill from the repository at root into a temporary
// directory and returns the binary's path.
func Build(t testing.TB, root string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "destill")
	cmd := exec.Command(GoBin(), "build", "-o", bin, ".")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build destill: %v\n%s", err, out)
	}
	return bin
}

// FreeAddr returns a 127.0.0.1 address with a port nothing listens on.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Env is the minimal environment a process starts with (no variable of
// the machine running the tests leaks in), plus vars.
func Env(t testing.TB, vars map[string]string) []string {
	t.Helper()
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TMPDIR=" + t.TempDir()}
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	return env
}

// Proc is a started process.
type Proc struct {
	Name string
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
	err  error
}

// Start starts bin with args and env; the process is killed when the test
// ends if it is still running.
func Start(t testing.TB, name, bin string, args, env []string) *Proc {
	t.Helper()
	p := &Proc{Name: name, cmd: exec.Command(bin, args...), out: &syncBuffer{}, done: make(chan struct{})}
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", name, p.Output())
		}
	})
	return p
}

// Output is what the process printed so far.
func (p *Proc) Output() string { return p.out.String() }

// Exited reports whether the process has ended, and its error.
func (p *Proc) Exited() (bool, error) {
	select {
	case <-p.done:
		return true, p.err
	default:
		return false, nil
	}
}

// Stop sends SIGTERM and waits up to timeout for the process to end; it
// returns the process's exit error, or an error if it did not end.
func (p *Proc) Stop(timeout time.Duration) error {
	if ended, err := p.Exited(); ended {
		return err
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return p.err
	case <-time.After(timeout):
		_ = p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("%s did not stop within %s of SIGTERM", p.Name, timeout)
	}
}

// Run runs bin to completion (at most timeout) and returns its standard
// output; the error carries standard error.
func Run(t testing.TB, timeout time.Duration, bin string, args, env []string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%s %s: %w: %s", filepath.Base(bin), strings.Join(args, " "), err, strings.TrimSpace(errOut.String()))
	}
	return out.String(), nil
}

// WaitOK polls url until it answers 200, failing the test when the process
// behind it exits first or timeout passes.
func WaitOK(t testing.TB, url string, p *Proc, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if ended, perr := p.Exited(); ended {
			t.Fatalf("%s exited (%v) before %s answered 200:\n%s", p.Name, perr, url, p.Output())
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer 200 within %s (last: %v):\n%s", url, timeout, err, p.Output())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
