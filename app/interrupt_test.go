package app

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/backend/postgres/postgrestest"
	"github.com/destill-dev/destill/providers/providertest"
)

// interruptBound is how long destill may take to exit after SIGINT or
// SIGTERM. The goal is well under a second; the bound leaves room for a
// loaded machine, and is far below the minute a read that ignores the
// signal takes.
const interruptBound = 3 * time.Second

// interruptInputs are inputs that never end on their own.
type interruptInputs struct {
	dir string
	// huge is a sparse regular file of 16 GiB: reading it takes minutes.
	huge string
	// fifo is a named pipe nobody ever opens for writing: opening it
	// blocks.
	fifo string
	// silentFIFO is a named pipe held open for writing by the test, that
	// nothing is ever written to: reading it blocks.
	silentFIFO string
	// stdin is the read end of a pipe whose write end the test holds.
	stdin *os.File
}

func newInterruptInputs(t *testing.T) interruptInputs {
	t.Helper()
	dir := t.TempDir()
	in := interruptInputs{dir: dir, huge: filepath.Join(dir, "huge.log"), fifo: filepath.Join(dir, "nobody.fifo"), silentFIFO: filepath.Join(dir, "silent.fifo")}
	f, err := os.Create(in.huge)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(16<<30))
	require.NoError(t, f.Close())
	require.NoError(t, syscall.Mkfifo(in.fifo, 0o600))
	require.NoError(t, syscall.Mkfifo(in.silentFIFO, 0o600))
	w, err := os.OpenFile(in.silentFIFO, os.O_RDWR, 0) // a writer that never writes, without blocking
	require.NoError(t, err)
	r, pw, err := os.Pipe()
	require.NoError(t, err)
	in.stdin = r
	t.Cleanup(func() { w.Close(); pw.Close(); r.Close() })
	return in
}

// timeExit starts cmd, waits until ready reports that it is busy (or
// 800ms when ready is nil), sends it sig and returns how long it took to
// exit. It fails the test when the process outlives interruptBound, or was
// killed by the signal instead of handling it.
func timeExit(t *testing.T, cmd *exec.Cmd, output *syncBuffer, ready func(string) bool, sigs ...syscall.Signal) time.Duration {
	t.Helper()
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-done
		}
	})
	if ready == nil {
		time.Sleep(800 * time.Millisecond)
	} else {
		require.Eventually(t, func() bool { return ready(output.String()) }, 30*time.Second, 10*time.Millisecond, "never got busy: %s", output.String())
	}
	select {
	case err := <-done:
		t.Fatalf("exited before the signal (%v): %s", err, output.String())
	default:
	}
	start := time.Now()
	for i, sig := range sigs {
		if i > 0 {
			time.Sleep(100 * time.Millisecond)
			_ = cmd.Process.Signal(sig) // the process may be gone already
			continue
		}
		require.NoError(t, cmd.Process.Signal(sig))
	}
	select {
	case <-done:
	case <-time.After(interruptBound):
		t.Fatalf("still running %v after %v; output: %s", interruptBound, sigs[0], output.String())
	}
	took := time.Since(start)
	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
	require.False(t, ws.Signaled() && len(sigs) == 1, "killed by %v instead of stopping: %s", ws.Signal(), output.String())
	return took
}

// destillCmd is the binary with args, a clean environment (env added)
// and its output in one buffer.
func destillCmd(bin, dir string, env []string, args ...string) (*exec.Cmd, *syncBuffer) {
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "TMPDIR=" + dir}, env...)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	return cmd, out
}

// TestE2ESignalStopsLocalInput runs the real binary on inputs that never end
// or never come, and interrupts it: it must exit within interruptBound of
// SIGINT or SIGTERM, saying it was interrupted.
func TestE2ESignalStopsLocalInput(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	in := newInterruptInputs(t)
	for _, tc := range []struct {
		name  string
		args  []string
		stdin *os.File
		sigs  []syscall.Signal
	}{
		{"analyze a huge file", []string{"analyze", "--format", "text", in.huge}, nil, []syscall.Signal{syscall.SIGINT}},
		{"analyze a huge file, SIGTERM", []string{"analyze", "--format", "json", in.huge}, nil, []syscall.Signal{syscall.SIGTERM}},
		{"analyze /dev/urandom", []string{"analyze", "--format", "text", "/dev/urandom"}, nil, []syscall.Signal{syscall.SIGINT}},
		{"analyze /dev/zero", []string{"analyze", "--format", "text", "/dev/zero"}, nil, []syscall.Signal{syscall.SIGINT}},
		{"analyze a FIFO nobody opens", []string{"analyze", "--format", "text", in.fifo}, nil, []syscall.Signal{syscall.SIGINT}},
		{"analyze a silent FIFO", []string{"analyze", "--format", "text", in.silentFIFO}, nil, []syscall.Signal{syscall.SIGINT}},
		{"analyze silent stdin", []string{"analyze", "--format", "text", "-"}, in.stdin, []syscall.Signal{syscall.SIGINT}},
		{"analyze silent stdin, SIGTERM", []string{"analyze", "--format", "markdown", "-"}, in.stdin, []syscall.Signal{syscall.SIGTERM}},
		{"analyze silent stdin, two Ctrl-C", []string{"analyze", "--format", "text", "-"}, in.stdin, []syscall.Signal{syscall.SIGINT, syscall.SIGINT}},
		{"--baseline from a FIFO", []string{"analyze", "--format", "text", "--baseline", in.fifo, "../examples/logs/github-actions-go-test.log"}, nil, []syscall.Signal{syscall.SIGINT}},
		{"--cache from a silent FIFO", []string{"analyze", "--format", "text", "--cache", in.silentFIFO}, nil, []syscall.Signal{syscall.SIGINT}},
		{"view a FIFO nobody opens", []string{"view", "--format", "text", in.fifo}, nil, []syscall.Signal{syscall.SIGINT}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wd, err := os.Getwd()
			require.NoError(t, err)
			cmd, out := destillCmd(bin, wd, nil, tc.args...)
			if tc.stdin != nil {
				cmd.Stdin = tc.stdin
			}
			took := timeExit(t, cmd, out, nil, tc.sigs...)
			t.Logf("%s: exited %v after %v", tc.name, took.Round(time.Millisecond), tc.sigs[0])
			if len(tc.sigs) == 1 {
				require.Equal(t, exitFailure, cmd.ProcessState.ExitCode())
				require.Contains(t, out.String(), "destill: interrupted")
				require.Equal(t, 1, strings.Count(strings.TrimSpace(out.String()), "\n")+1, "one line: %q", out.String())
			}
		})
	}
}

// TestE2ESignalStopsMCP interrupts destill mcp, idle and in the middle of an
// analysis: it exits within interruptBound and deletes what it kept.
func TestE2ESignalStopsMCP(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	in := newInterruptInputs(t)
	for _, tc := range []struct {
		name string
		call string // a line sent once the server is ready
		sig  syscall.Signal
	}{
		{"idle", "", syscall.SIGINT},
		{"idle, SIGTERM", "", syscall.SIGTERM},
		{"analyzing a huge file", fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"analyze_build","arguments":{"path":%q}}}`, in.huge), syscall.SIGINT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmp := t.TempDir()
			cmd, out := destillCmd(bin, in.dir, []string{"TMPDIR=" + tmp}, "mcp")
			stdin, err := cmd.StdinPipe()
			require.NoError(t, err)
			defer stdin.Close()
			ready := func(s string) bool { return strings.Contains(s, "ready on stdio") }
			if tc.call != "" {
				_, _ = io.WriteString(stdin, `{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`+"\n")
				_, _ = io.WriteString(stdin, `{"jsonrpc":"2.0","method":"notifications/initialized"}`+"\n")
				_, _ = io.WriteString(stdin, tc.call+"\n")
				ready = func(string) bool {
					kept, _ := filepath.Glob(filepath.Join(tmp, "destill-mcp-*", "job-*.log"))
					return len(kept) > 0 // the log is being copied
				}
			}
			took := timeExit(t, cmd, out, ready, tc.sig)
			t.Logf("mcp %s: exited %v after %v", tc.name, took.Round(time.Millisecond), tc.sig)
			require.Equal(t, 0, cmd.ProcessState.ExitCode(), out.String())
			require.Contains(t, out.String(), "destill MCP server stopped")
			left, _ := filepath.Glob(filepath.Join(tmp, "destill-mcp-*"))
			require.Empty(t, left, "kept logs are deleted on exit")
		})
	}
}

// TestE2ESignalStopsDistributedCommands interrupts idle workers and a submit
// waiting for workers that never come.
func TestE2ESignalStopsDistributedCommands(t *testing.T) {
	t.Parallel()
	dsn := postgrestest.NewSchema(t)
	dir := t.TempDir()
	bin := buildBinary(t)
	kfakesrv := goBuild(t, "../internal/tools/kfakesrv", filepath.Join(dir, "kfakesrv"))
	_, brokers := startBroker(t, dir, kfakesrv, 1, 2)
	fake := providertest.New(t, providertest.DemoBuildkite())
	env := append([]string{"DESTILL_KAFKA_BROKERS=" + brokers, "DESTILL_DATABASE_URL=" + dsn}, fake.Environ()...)
	kafka := []string{"--backend", "kafka", "--kafka-session-timeout", "2s", "--kafka-heartbeat", "200ms", "--kafka-max-wait", "100ms"}
	// A worker is busy a while after it started: it has joined its
	// consumer group and waits for messages.
	started := func() func(string) bool {
		var since time.Time
		return func(s string) bool {
			if since.IsZero() && strings.Contains(s, "worker started") {
				since = time.Now()
			}
			return !since.IsZero() && time.Since(since) > 2*time.Second
		}
	}
	for _, tc := range []struct {
		name  string
		args  []string
		ready func(string) bool
		sig   syscall.Signal
		code  int
	}{
		{"ingest-worker", append([]string{"ingest-worker"}, kafka...), started(), syscall.SIGINT, 0},
		{"analyze-worker", append([]string{"analyze-worker"}, kafka...), started(), syscall.SIGTERM, 0},
		{"submit --wait", append(append([]string{"submit"}, kafka...), "--wait", fake.WebURL(0)), func(s string) bool { return strings.Contains(s, "waiting for the workers") }, syscall.SIGINT, exitFailure},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd, out := destillCmd(bin, dir, env, tc.args...)
			took := timeExit(t, cmd, out, tc.ready, tc.sig)
			t.Logf("%s: exited %v after %v", tc.name, took.Round(time.Millisecond), tc.sig)
			require.Equal(t, tc.code, cmd.ProcessState.ExitCode(), out.String())
		})
	}
}

// TestE2ETmuxQuitDuringLongRead quits the interactive UI with q and with
// Ctrl-C while it reads a huge file, a named pipe or standard input that
// never end: the shell gets its prompt back within interruptBound.
func TestE2ETmuxQuitDuringLongRead(t *testing.T) {
	t.Parallel()
	tmuxPath(t)
	bin := buildBinary(t)
	in := newInterruptInputs(t)
	tm := newTmux(t, 100, 30)
	for _, tc := range []struct {
		name, input, key string
	}{
		{"q, huge file", in.huge, "q"},
		{"Ctrl-C, huge file", in.huge, "C-c"},
		{"q, silent FIFO", in.silentFIFO, "q"},
		{"Ctrl-C, silent stdin", "- < " + in.silentFIFO, "C-c"},
	} {
		tm.typeLine("clear; " + bin + " analyze --no-summary " + tc.input + "; echo exit=$?")
		tm.waitForText("no finding yet: waiting for job logs…")
		start := time.Now()
		tm.keys(tc.key)
		tm.waitFor("the prompt back", func(screen string) bool { return strings.Contains(screen, "exit=0") })
		took := time.Since(start)
		t.Logf("TUI %s: prompt back %v after the key", tc.name, took.Round(time.Millisecond))
		tmuxCheck(t, took < interruptBound, "TUI %s: the prompt came back %v after the key", tc.name, took)
	}
}
