package mcpserver

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/require"
)

// rawClient speaks JSON-RPC lines to a server over a LineTransport.
type rawClient struct {
	t   *testing.T
	in  *io.PipeWriter
	out *bufio.Scanner
}

// reply is one message the server wrote.
type reply struct {
	ID     any                   `json:"id"`
	Error  *struct{ Code int64 } `json:"error"`
	Result json.RawMessage       `json:"result"`
}

func (c *rawClient) send(line string) {
	c.t.Helper()
	_, err := io.WriteString(c.in, line+"\n")
	require.NoError(c.t, err)
}

func (c *rawClient) next() reply {
	c.t.Helper()
	got := make(chan bool, 1)
	go func() { got <- c.out.Scan() }()
	select {
	case ok := <-got:
		require.True(c.t, ok, "the server stopped answering: %v", c.out.Err())
	case <-time.After(20 * time.Second):
		c.t.Fatal("no answer from the server")
	}
	var r reply
	require.NoError(c.t, json.Unmarshal(c.out.Bytes(), &r), "not JSON on the wire: %q", c.out.Text())
	return r
}

// startRaw serves a new server on a LineTransport with a frame limit of
// max bytes, initializes the session and returns a raw client.
func startRaw(t *testing.T, max int) *rawClient {
	t.Helper()
	dirs, err := AllowedDirs([]string{"testdata"})
	require.NoError(t, err)
	srv := New(&mcp.Implementation{Name: "destill", Version: "test"}, Options{TempDir: t.TempDir(), Getenv: func(string) string { return "" }, AllowedDirs: dirs})
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx, &LineTransport{Reader: inR, Writer: outW, MaxFrameBytes: max}) }()
	t.Cleanup(func() {
		cancel()
		inW.Close()
		outR.Close()
		<-done
		require.NoError(t, srv.Close())
	})
	sc := bufio.NewScanner(outR)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	c := &rawClient{t: t, in: inW, out: sc}
	c.send(`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`)
	require.Nil(t, c.next().Error)
	c.send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	return c
}

// TestLineTransportAnswersBadFramesAndGoesOn sends each bad frame, then a
// call on an analysis made before it: the bad frame gets its JSON-RPC
// error, and the session (with what it keeps) goes on.
func TestLineTransportAnswersBadFramesAndGoesOn(t *testing.T) {
	t.Parallel()
	const max = 4096
	c := startRaw(t, max)
	c.send(fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"analyze_build","arguments":{"path":%q}}}`, testdata(t, "go-test.log")))
	var first struct {
		StructuredContent AnalyzeBuildOutput `json:"structuredContent"`
	}
	r := c.next()
	require.Nil(t, r.Error)
	require.NoError(t, json.Unmarshal(r.Result, &first))
	id := first.StructuredContent.RequestID
	require.NotEmpty(t, id)

	for i, tc := range []struct {
		name  string
		frame string
		code  int64
		id    any
	}{
		{"not json", `{not json}`, -32700, nil},
		{"truncated", `{"jsonrpc":"2.0","id":7,"method":"tools/list"`, -32700, nil},
		{"binary", "\x00\xff\x1b[2J", -32700, nil},
		{"batch", `[{"jsonrpc":"2.0","id":8,"method":"tools/list"}]`, -32600, nil},
		{"empty batch", `[]`, -32600, nil},
		{"jsonrpc 1.0", `{"jsonrpc":"1.0","id":9,"method":"tools/list"}`, -32600, float64(9)},
		{"no version", `{"id":"a","method":"tools/list"}`, -32600, "a"},
		{"bare value", `42`, -32600, nil},
		{"object id", `{"jsonrpc":"2.0","id":{"x":1},"method":"tools/list"}`, -32600, nil},
		{"oversized line", `{"jsonrpc":"2.0","id":10,"method":"tools/list","params":{"pad":"` + strings.Repeat("x", 3*max) + `"}}`, -32600, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			c.send(tc.frame)
			bad := c.next()
			require.NotNil(t, bad.Error, "no error answered %s", tc.name)
			require.Equal(t, tc.code, bad.Error.Code)
			require.Equal(t, tc.id, bad.ID)

			callID := 100 + i
			c.send(fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"read_log","arguments":{"request_id":%q,"from_line":1,"count":3}}}`, callID, id))
			ok := c.next()
			require.Nil(t, ok.Error)
			require.Equal(t, float64(callID), ok.ID)
			require.NotContains(t, string(ok.Result), `"isError":true`, "the analysis kept before the bad frame is gone: %s", ok.Result)
		})
	}
}
