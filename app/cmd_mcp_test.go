package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/app/mcpserver"
	"github.com/destill-dev/destill/providers/providertest"
)

// syncBuffer is a bytes.Buffer safe to write from a subprocess's pipe
// while a test reads it.
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

// mcpCommand is `destill mcp` with a clean environment and its own TMPDIR,
// run in the repository's root: analyze_build may read the examples.
func mcpCommand(t *testing.T, env ...string) (*exec.Cmd, *syncBuffer, string) {
	t.Helper()
	return mcpCommandArgs(t, nil, env...)
}

// mcpCommandArgs is mcpCommand with arguments for destill mcp.
func mcpCommandArgs(t *testing.T, args []string, env ...string) (*exec.Cmd, *syncBuffer, string) {
	t.Helper()
	bin := buildBinary(t)
	tmp := t.TempDir()
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	cmd := exec.Command(bin, append([]string{"mcp"}, args...)...)
	cmd.Dir = root
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + tmp, "TMPDIR=" + tmp}, env...)
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	return cmd, stderr, tmp
}

func toolCall[Out any](t *testing.T, cs *mcp.ClientSession, name string, args map[string]any) (Out, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: args})
	require.NoError(t, err)
	var text []string
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			text = append(text, tc.Text)
		}
	}
	require.False(t, res.IsError, "%s: %s", name, strings.Join(text, "\n"))
	raw, err := json.Marshal(res)
	require.NoError(t, err)
	require.NotContains(t, string(raw), secretToken, "the token leaked into a result")
	var out Out
	raw, err = json.Marshal(res.StructuredContent)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &out))
	return out, strings.Join(text, "\n")
}

// TestMCPEndToEnd drives the real binary over stdio with the SDK's client,
// as Claude Desktop or Claude Code would.
func TestMCPEndToEnd(t *testing.T) {
	t.Parallel()
	sc := providertest.DemoBuildkite()
	sc.Token = secretToken
	fake := providertest.New(t, sc)
	cmd, stderr, tmp := mcpCommand(t, fake.Environ()...)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	client := mcp.NewClient(&mcp.Implementation{Name: "e2e-client", Version: "v0"}, nil)
	cs, err := client.Connect(ctx, &mcp.CommandTransport{Command: cmd}, nil)
	require.NoError(t, err, "stderr: %s", stderr.String())

	info := cs.InitializeResult().ServerInfo
	require.Equal(t, "destill", info.Name)
	require.Equal(t, "e2e-test", info.Version)
	require.Contains(t, cs.InitializeResult().Instructions, "analyze_build")

	var names []string
	for tool, err := range cs.Tools(ctx, nil) {
		require.NoError(t, err)
		names = append(names, tool.Name)
	}
	require.ElementsMatch(t, []string{"analyze_build", "get_finding", "search_log", "read_log", "list_jobs", "get_request", "get_history"}, names)

	path, err := filepath.Abs("../examples/logs/github-actions-go-test.log")
	require.NoError(t, err)
	an, text := toolCall[mcpserver.AnalyzeBuildOutput](t, cs, "analyze_build", map[string]any{"path": path})
	require.Equal(t, "failed", an.Status)
	require.Equal(t, "--- FAIL: TestUploadRetry (0.31s)", an.Findings[0].Message)
	top := an.Findings[0]
	require.Contains(t, text, "request_id "+an.RequestID)

	f, text := toolCall[mcpserver.GetFindingOutput](t, cs, "get_finding", map[string]any{"request_id": an.RequestID, "fingerprint": an.Findings[0].Fingerprint, "context": 5})
	require.Equal(t, top.LineStart, f.Finding.LineStart)
	require.Equal(t, top.Text, f.Finding.Text)
	require.Len(t, f.Finding.ContextBefore, 5)
	require.Contains(t, text, "--- FAIL: TestUploadRetry")

	s, _ := toolCall[mcpserver.SearchLogOutput](t, cs, "search_log", map[string]any{"request_id": an.RequestID, "regex": `^FAIL\b`})
	require.Equal(t, 3, s.TotalMatches) // lines 84, 85 and 89
	require.Equal(t, 84, s.Matches[0].Line)

	// A build URL, served by fake CI APIs.
	url := fake.WebURL(0)
	bk, text := toolCall[mcpserver.AnalyzeBuildOutput](t, cs, "analyze_build", map[string]any{"url": url})
	require.Equal(t, "failed", bk.Status)
	require.Equal(t, "buildkite", bk.Source.Kind)
	require.Contains(t, text, "Build failed: "+url)
	var failed []string
	for _, j := range bk.FailedJobs {
		failed = append(failed, j.Name)
	}
	require.Contains(t, failed, ":go: Unit tests")
	unit := findingIn(bk.Findings, "TestUploadRetry")
	require.NotNil(t, unit, text)
	f, _ = toolCall[mcpserver.GetFindingOutput](t, cs, "get_finding", map[string]any{"request_id": bk.RequestID, "fingerprint": unit.Fingerprint})
	require.Equal(t, unit.JobName, f.Finding.JobName)
	s, text = toolCall[mcpserver.SearchLogOutput](t, cs, "search_log", map[string]any{"request_id": bk.RequestID, "regex": "(?i)agent lost", "job": "Agent lost"})
	require.Equal(t, 1, s.TotalMatches, text)

	// A failure is a tool error, and the server keeps serving.
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "analyze_build", Arguments: map[string]any{"path": filepath.Join(filepath.Dir(path), "missing.log")}})
	require.NoError(t, err)
	require.True(t, res.IsError)
	require.Contains(t, res.Content[0].(*mcp.TextContent).Text, "missing.log does not exist; check the path")
	// Outside the working directory and the cache: refused.
	res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "analyze_build", Arguments: map[string]any{"path": "/etc/passwd"}})
	require.NoError(t, err)
	require.True(t, res.IsError)
	require.Contains(t, res.Content[0].(*mcp.TextContent).Text, "/etc/passwd is outside the directories this server may read")

	dirs, _ := filepath.Glob(filepath.Join(tmp, "destill-mcp-*"))
	require.Len(t, dirs, 2, "each analysis keeps its logs under TMPDIR")

	require.NoError(t, cs.Close()) // closes stdin; the server exits
	require.Eventually(t, func() bool { return cmd.ProcessState != nil }, 10*time.Second, 10*time.Millisecond)
	require.True(t, cmd.ProcessState.Success(), "exit: %v; stderr: %s", cmd.ProcessState, stderr.String())
	dirs, _ = filepath.Glob(filepath.Join(tmp, "destill-mcp-*"))
	require.Empty(t, dirs, "kept logs are deleted on exit")

	logs := stderr.String()
	require.Contains(t, logs, "destill MCP server ready on stdio")
	require.Contains(t, logs, "tool=analyze_build")
	require.NotContains(t, logs, secretToken)
}

func findingIn(findings []mcpserver.FindingBrief, substr string) *mcpserver.FindingBrief {
	for i := range findings {
		if strings.Contains(findings[i].Message, substr) {
			return &findings[i]
		}
	}
	return nil
}

// startRawMCP starts destill mcp for a test that speaks raw JSON-RPC to
// it: what it writes to stdin, and stdout line by line.
func startRawMCP(t *testing.T) (*exec.Cmd, *syncBuffer, io.WriteCloser, *bufio.Scanner) {
	t.Helper()
	cmd, stderr, _ := mcpCommand(t)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	return cmd, stderr, stdin, sc
}

// TestMCPStdoutCarriesOnlyProtocol speaks raw JSON-RPC to the binary and
// checks that every line it prints is a JSON-RPC message.
func TestMCPStdoutCarriesOnlyProtocol(t *testing.T) {
	t.Parallel()
	cmd, stderr, stdin, sc := startRawMCP(t)

	send := func(msg string) {
		_, err := io.WriteString(stdin, msg+"\n")
		require.NoError(t, err)
	}
	send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`)
	send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	send(`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`)
	send(`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"read_log","arguments":{"request_id":"r-nope"}}}`)

	ids := map[float64]json.RawMessage{}
	for len(ids) < 3 && sc.Scan() {
		var msg struct {
			JSONRPC string          `json:"jsonrpc"`
			ID      float64         `json:"id"`
			Result  json.RawMessage `json:"result"`
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &msg), "not JSON-RPC on stdout: %q", sc.Text())
		require.Equal(t, "2.0", msg.JSONRPC)
		ids[msg.ID] = msg.Result
	}
	require.Contains(t, string(ids[3]), `"isError":true`)
	require.Contains(t, string(ids[3]), `unknown request_id \"r-nope\"`)
	require.NoError(t, stdin.Close())
	for sc.Scan() {
		require.Empty(t, strings.TrimSpace(sc.Text()), "more on stdout after the client left")
	}
	require.NoError(t, sc.Err())
	require.NoError(t, cmd.Wait(), stderr.String())
}

func TestMCPUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"destill", "mcp", "extra"}, "mcp takes no arguments"},
		{[]string{"destill", "mcp", "--max-requests", "0"}, "--max-requests must be at least 1"},
		{[]string{"destill", "mcp", "--log-level", "loud"}, `unknown --log-level "loud"`},
		{[]string{"destill", "mcp", "--allow-dir", "/no/such/dir"}, "--allow-dir /no/such/dir: not a directory"},
	} {
		streams, out, errOut := TestStreams("")
		code := Main(context.Background(), tc.args, streams)
		require.Equal(t, exitUsage, code)
		require.Empty(t, out.String())
		require.Contains(t, errOut.String(), tc.want)
	}
}

func TestEnvironmentSecrets(t *testing.T) {
	t.Parallel()
	got := environmentSecrets([]string{"GITHUB_TOKEN=ghp_xxxxxxxx", "BUILDKITE_API_TOKEN=bkua_yyyyyy", "MY_DB_PASSWORD=hunter22",
		"HOME=/root", "PATH=/usr/bin", "SHORT_TOKEN=abc", "AWS_SECRET_ACCESS_KEY=abcdefgh"})
	require.Equal(t, []string{"ghp_xxxxxxxx", "bkua_yyyyyy", "hunter22", "abcdefgh"}, got)
}

// TestMCPSurvivesBadFrames sends the binary bad frames over stdio, each
// followed by a call on an analysis made before them: every bad frame is
// answered with its JSON-RPC error and the server keeps its analyses.
func TestMCPSurvivesBadFrames(t *testing.T) {
	t.Parallel()
	cmd, stderr, stdin, sc := startRawMCP(t)
	type reply struct {
		ID     any                   `json:"id"`
		Error  *struct{ Code int64 } `json:"error"`
		Result json.RawMessage       `json:"result"`
	}
	exchange := func(msg string) reply {
		t.Helper()
		_, err := io.WriteString(stdin, msg+"\n")
		require.NoError(t, err, "the server is gone: %s", stderr.String())
		require.True(t, sc.Scan(), "no answer to %.60q: %s", msg, stderr.String())
		var r reply
		require.NoError(t, json.Unmarshal(sc.Bytes(), &r), "not JSON-RPC on stdout: %q", sc.Text())
		return r
	}
	require.Nil(t, exchange(`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`).Error)
	_, err := io.WriteString(stdin, `{"jsonrpc":"2.0","method":"notifications/initialized"}`+"\n")
	require.NoError(t, err)
	path, err := filepath.Abs("../examples/logs/github-actions-go-test.log")
	require.NoError(t, err)
	first := exchange(fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"analyze_build","arguments":{"path":%q}}}`, path))
	var an struct {
		StructuredContent mcpserver.AnalyzeBuildOutput `json:"structuredContent"`
	}
	require.NoError(t, json.Unmarshal(first.Result, &an), string(first.Result))
	require.NotEmpty(t, an.StructuredContent.RequestID, string(first.Result))

	for i, tc := range []struct {
		frame string
		code  int64
	}{
		{`{not json}`, -32700},
		{`[{"jsonrpc":"2.0","id":5,"method":"tools/list"}]`, -32600},
		{`{"jsonrpc":"1.0","id":6,"method":"tools/list"}`, -32600},
		{`{"jsonrpc":"2.0","id":7,"method":"tools/list","params":{"pad":"` + strings.Repeat("x", 2*mcpserver.DefaultMaxFrameBytes) + `"}}`, -32600},
	} {
		bad := exchange(tc.frame)
		require.NotNil(t, bad.Error, "frame %d got no error", i)
		require.Equal(t, tc.code, bad.Error.Code)
		ok := exchange(fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"read_log","arguments":{"request_id":%q,"count":2}}}`, 10+i, an.StructuredContent.RequestID))
		require.Nil(t, ok.Error)
		require.Equal(t, float64(10+i), ok.ID)
		require.NotContains(t, string(ok.Result), `"isError":true`, string(ok.Result))
	}
	require.NoError(t, stdin.Close())
	require.NoError(t, cmd.Wait(), stderr.String())
	require.Contains(t, stderr.String(), "bad message from the MCP client")
}

// TestMCPAllowDir runs the binary with --allow-dir: log files there are
// read, the working directory is no longer allowed, and the tool's
// description names the directory.
func TestMCPAllowDir(t *testing.T) {
	t.Parallel()
	logs := t.TempDir()
	data, err := os.ReadFile("../examples/logs/github-actions-go-test.log")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(logs, "ci.log"), data, 0o600))
	cmd, stderr, _ := mcpCommandArgs(t, []string{"--allow-dir", logs})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "e2e-client", Version: "v0"}, nil).Connect(ctx, &mcp.CommandTransport{Command: cmd}, nil)
	require.NoError(t, err, "stderr: %s", stderr.String())
	defer cs.Close()

	for tool, err := range cs.Tools(ctx, nil) {
		require.NoError(t, err)
		if tool.Name == "analyze_build" {
			require.Contains(t, tool.Description, logs)
		}
	}
	an, _ := toolCall[mcpserver.AnalyzeBuildOutput](t, cs, "analyze_build", map[string]any{"path": filepath.Join(logs, "ci.log")})
	require.Equal(t, "failed", an.Status)
	example, err := filepath.Abs("../examples/logs/github-actions-go-test.log")
	require.NoError(t, err)
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "analyze_build", Arguments: map[string]any{"path": example}})
	require.NoError(t, err)
	require.True(t, res.IsError, "the working directory is allowed only by default")
	require.Contains(t, res.Content[0].(*mcp.TextContent).Text, "is outside the directories this server may read ("+logs+")")
	require.Contains(t, stderr.String(), "log_dirs="+logs)
}

// TestMCPStartedInTheRootAllowsOnlyTheCache: a client that starts the
// server in / does not open every file to analyze_build.
func TestMCPStartedInTheRootAllowsOnlyTheCache(t *testing.T) {
	t.Parallel()
	cmd, stderr, tmp := mcpCommandArgs(t, nil)
	cmd.Dir = "/"
	cmd.Stdin = strings.NewReader("") // the client leaves at once
	require.NoError(t, cmd.Run(), stderr.String())
	require.Contains(t, stderr.String(), "log_dirs="+filepath.Join(tmp, ".cache", "destill")+"\n")
}
