package mcpserver

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/require"
)

// noEnv selects the server's own resolver (regular files only) in setupWith.
func noEnv(string) string { return "" }

// TestAnalyzeBuildReadsOnlyRegularFilesInAllowedDirs gives analyze_build
// paths that must not be read: devices, pipes, standard input, symbolic
// links leading out of the allowed directory, files outside it. Each is a
// tool error at once, nothing is kept, and a log inside it is read.
func TestAnalyzeBuildReadsOnlyRegularFilesInAllowedDirs(t *testing.T) {
	t.Parallel()
	allowed, outside := t.TempDir(), t.TempDir()
	log, err := os.ReadFile(testdata(t, "go-test.log"))
	require.NoError(t, err)
	write := func(path string) string {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
		require.NoError(t, os.WriteFile(path, log, 0o600))
		return path
	}
	inside := write(filepath.Join(allowed, "ok.log"))
	nested := write(filepath.Join(allowed, "sub", "nested.log"))
	secret := write(filepath.Join(outside, "secret.log"))
	link := func(name, target string) string {
		p := filepath.Join(allowed, name)
		require.NoError(t, os.Symlink(target, p))
		return p
	}
	fifo := filepath.Join(allowed, "build.fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	dirs, err := AllowedDirs([]string{allowed})
	require.NoError(t, err)
	b := setupWith(t, Options{Getenv: noEnv, AllowedDirs: dirs})

	for _, tc := range []struct {
		name, path, want string
	}{
		{"/dev/zero", "/dev/zero", "is outside the directories this server may read"},
		{"/dev/stdin", "/dev/stdin", "is outside the directories this server may read"},
		{"/etc/passwd", "/etc/passwd", "is outside the directories this server may read"},
		{"a missing file outside says no more", filepath.Join(outside, "nope.log"), "is outside the directories this server may read"},
		{"a file outside", secret, "is outside the directories this server may read"},
		{"dot-dot out of the directory", filepath.Join(allowed, "..", filepath.Base(outside), "secret.log"), "is outside the directories this server may read"},
		{"a link to a file outside", link("escape.log", secret), "(it resolves to " + secret + ") is outside"},
		{"a link to a directory outside", filepath.Join(link("elsewhere", outside), "secret.log"), "is outside the directories"},
		{"a link to /dev/zero", link("zero.log", "/dev/zero"), "is outside the directories"},
		{"a link to /dev/stdin", link("stdin.log", "/dev/stdin"), "is outside the directories"},
		{"a named pipe inside", fifo, "is a named pipe, not a regular file"},
		{"the directory itself", allowed, "is a directory; pass a log file"},
		{"a missing file inside", filepath.Join(allowed, "nope.log"), "nope.log does not exist; check the path"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			res, err := b.session.CallTool(ctx, &mcp.CallToolParams{Name: "analyze_build", Arguments: map[string]any{"path": tc.path}})
			require.NoError(t, err, "refused in time, as a tool error")
			require.True(t, res.IsError, "%s was read: %s", tc.path, resultText(res))
			require.Contains(t, resultText(res), tc.want)
			if strings.Contains(tc.want, "outside") {
				require.Contains(t, resultText(res), "--allow-dir", "the error says how to allow a directory")
			}
		})
	}
	require.Equal(t, 0, b.store.Len())
	requireNoKeptLogs(t, b.tmp)

	for _, ok := range []string{inside, nested, link("inside.log", inside)} {
		out, _ := call[AnalyzeBuildOutput](t, b, "analyze_build", map[string]any{"path": ok})
		require.Equal(t, statusFailed, out.Status, ok)
		require.NotEmpty(t, out.Findings, ok)
	}

	// The tool's description names the directories.
	for tool, err := range b.session.Tools(context.Background(), nil) {
		require.NoError(t, err)
		if tool.Name == "analyze_build" {
			require.Contains(t, tool.Description, dirs[0])
			require.Contains(t, tool.Description, "--allow-dir")
		}
	}
}

// TestAnalyzeBuildBoundsKeptLogs: a log larger than what the server keeps
// per analysis is analyzed, not kept, and the result says so.
func TestAnalyzeBuildBoundsKeptLogs(t *testing.T) {
	t.Parallel()
	const maxKept = 4096
	dir := t.TempDir()
	big := filepath.Join(dir, "big.log")
	require.NoError(t, os.WriteFile(big, []byte(strings.Repeat("compiling module ... ok\n", 2000)+"error: the build broke\n"), 0o600))
	dirs, err := AllowedDirs([]string{dir})
	require.NoError(t, err)
	b := setupWith(t, Options{Getenv: noEnv, AllowedDirs: dirs, MaxKeptBytes: maxKept})

	out, text := call[AnalyzeBuildOutput](t, b, "analyze_build", map[string]any{"path": big})
	require.NotEmpty(t, out.Findings)
	require.Equal(t, "error: the build broke", out.Findings[0].Message)
	require.Contains(t, text, `the logs of "big.log" are larger than the 4.0 KB this server keeps per analysis`)
	msg := callErr(t, b, "read_log", map[string]any{"request_id": out.RequestID})
	require.Contains(t, msg, "analyzed but not kept")

	var kept int64
	require.NoError(t, filepath.Walk(b.tmp, func(_ string, info os.FileInfo, err error) error {
		if err == nil && info.Mode().IsRegular() {
			kept += info.Size()
		}
		return err
	}))
	require.LessOrEqual(t, kept, int64(maxKept), "kept logs beyond the cap")
}

// TestAnalyzeBuildCancelMidCopy cancels analyze_build while it copies a
// huge log: the call ends at once and the copy is deleted.
func TestAnalyzeBuildCancelMidCopy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	huge := filepath.Join(dir, "huge.log")
	f, err := os.Create(huge)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(16<<30)) // sparse: takes no disk, minutes to read
	require.NoError(t, f.Close())
	dirs, err := AllowedDirs([]string{dir})
	require.NoError(t, err)
	b := setupWith(t, Options{Getenv: noEnv, AllowedDirs: dirs})

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := b.session.CallTool(ctx, &mcp.CallToolParams{Name: "analyze_build", Arguments: map[string]any{"path": huge}})
		errc <- err
	}()
	require.Eventually(t, func() bool {
		copies, _ := filepath.Glob(filepath.Join(b.tmp, "destill-mcp-*", "job-*.log"))
		return len(copies) == 1
	}, 10*time.Second, 5*time.Millisecond, "the copy never started")
	cancel()
	select {
	case err := <-errc:
		require.True(t, errors.Is(err, context.Canceled), "%v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("the call did not end when cancelled")
	}
	require.Eventually(t, func() bool { return noKeptLogs(b.tmp) }, 5*time.Second, 10*time.Millisecond, "the partial copy was left behind")
	require.Equal(t, 0, b.store.Len())
}

// TestAnalyzeBuildWithNoAllowedDirectory: a server allowed no directory
// reads no file, and says so in its tool description and errors.
func TestAnalyzeBuildWithNoAllowedDirectory(t *testing.T) {
	t.Parallel()
	b := setupWith(t, Options{Getenv: noEnv, AllowedDirs: []string{}})
	msg := callErr(t, b, "analyze_build", map[string]any{"path": testdata(t, "go-test.log")})
	require.Contains(t, msg, "this server may read no log file (no directory is allowed); restart it with destill mcp --allow-dir DIR")
	for tool, err := range b.session.Tools(context.Background(), nil) {
		require.NoError(t, err)
		if tool.Name == "analyze_build" {
			require.Contains(t, tool.Description, "This server reads no local log file")
		}
	}
}
