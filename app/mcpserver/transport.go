package mcpserver

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// DefaultMaxFrameBytes caps one message a client sends: tool calls are a
// few hundred bytes, so a longer line is a client's mistake, answered
// with an error rather than buffered.
const DefaultMaxFrameBytes = 1 << 20

// LineTransport is the stdio transport of MCP (one JSON-RPC message per
// line) that outlives a bad message: a line that is not JSON is answered
// with a -32700 parse error, one that is not a JSON-RPC 2.0 request or
// response (a batch, "jsonrpc":"1.0", a bare value) or that is longer than
// MaxFrameBytes with a -32600 invalid request, and the session goes on.
// The SDK's own transports end the session, and every kept analysis with
// it, on the first such line.
type LineTransport struct {
	Reader io.Reader
	Writer io.Writer
	// MaxFrameBytes caps one line (0: DefaultMaxFrameBytes).
	MaxFrameBytes int
	// Logger receives one warning per bad line (nil: discard).
	Logger *slog.Logger
}

// Connect implements mcp.Transport. Reading starts at once, in a goroutine
// of its own that stays blocked in Reader when nothing more comes: Close
// stops waiting for it, since a read of standard input cannot be
// interrupted. When ctx ends the connection reads no more, which cancels
// the calls in flight (the SDK does not pass ctx on to them).
func (t *LineTransport) Connect(ctx context.Context) (mcp.Connection, error) {
	max := t.MaxFrameBytes
	if max <= 0 {
		max = DefaultMaxFrameBytes
	}
	log := t.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &lineConn{w: t.Writer, log: log, frames: make(chan frame), closed: make(chan struct{}), stop: ctx.Done()}
	go c.readLines(bufio.NewReaderSize(t.Reader, 64<<10), max)
	return c, nil
}

// frame is one line read, or why reading stopped.
type frame struct {
	line     []byte
	tooLarge bool
	err      error
}

type lineConn struct {
	w   io.Writer
	log *slog.Logger

	frames chan frame
	closed chan struct{}
	once   sync.Once
	stop   <-chan struct{} // the server is stopping

	writeMu sync.Mutex
}

// readLines sends each line of r, at most max bytes of it, to c.frames
// until r ends or c is closed.
func (c *lineConn) readLines(r *bufio.Reader, max int) {
	for {
		f := readFrame(r, max)
		select {
		case c.frames <- f:
		case <-c.closed:
			return
		}
		if f.err != nil {
			return
		}
	}
}

// readFrame reads one line without its newline. A line longer than max is
// read to its end and dropped.
func readFrame(r *bufio.Reader, max int) frame {
	var line []byte
	tooLarge := false
	for {
		chunk, err := r.ReadSlice('\n')
		if !tooLarge && len(line)+len(chunk) > max+1 { // +1: the newline
			tooLarge, line = true, nil
		}
		if !tooLarge {
			line = append(line, chunk...)
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == nil:
			return frame{line: bytes.TrimRight(line, "\r\n"), tooLarge: tooLarge}
		case len(line) > 0 || tooLarge:
			// A last line without a newline; the error comes next time.
			return frame{line: bytes.TrimRight(line, "\r\n"), tooLarge: tooLarge}
		default:
			return frame{err: err}
		}
	}
}

// Read returns the next valid message, answering bad lines on the way.
func (c *lineConn) Read(ctx context.Context) (jsonrpc.Message, error) {
	for {
		var f frame
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-c.stop:
			return nil, io.EOF
		case <-c.closed:
			return nil, io.EOF
		case f = <-c.frames:
		}
		if f.err != nil {
			return nil, f.err
		}
		if f.tooLarge {
			c.reject(nil, jsonrpc.CodeInvalidRequest, "message too large: a line longer than the server's limit was dropped")
			continue
		}
		if len(bytes.TrimSpace(f.line)) == 0 {
			continue
		}
		msg, code, why := decodeFrame(f.line)
		if msg != nil {
			return msg, nil
		}
		c.reject(frameID(f.line), code, why)
	}
}

// decodeFrame decodes one line, or says which JSON-RPC error answers it.
func decodeFrame(line []byte) (jsonrpc.Message, int64, string) {
	if !json.Valid(line) {
		return nil, jsonrpc.CodeParseError, "parse error: the message is not valid JSON"
	}
	if line = bytes.TrimSpace(line); line[0] == '[' {
		return nil, jsonrpc.CodeInvalidRequest, "invalid request: batches are not supported; send one message per line"
	}
	msg, err := jsonrpc.DecodeMessage(line)
	if err != nil {
		return nil, jsonrpc.CodeInvalidRequest, "invalid request: not a JSON-RPC 2.0 message (" + err.Error() + ")"
	}
	return msg, 0, ""
}

// frameID is the id of a rejected message when it has a usable one, so
// that the client can match the error with its call; nil otherwise.
func frameID(line []byte) any {
	var m struct {
		ID any `json:"id"`
	}
	if json.Unmarshal(line, &m) != nil {
		return nil
	}
	switch m.ID.(type) {
	case string, float64:
		return m.ID
	}
	return nil
}

// reject answers a bad line with a JSON-RPC error.
func (c *lineConn) reject(id any, code int64, message string) {
	c.log.Warn("bad message from the MCP client answered with an error", "code", code, "err", message)
	reply := struct {
		JSONRPC string         `json:"jsonrpc"`
		ID      any            `json:"id"`
		Error   *jsonrpc.Error `json:"error"`
	}{"2.0", id, &jsonrpc.Error{Code: code, Message: message}}
	data, err := json.Marshal(reply)
	if err == nil {
		err = c.writeLine(data)
	}
	if err != nil {
		c.log.Warn("cannot answer a bad message", "err", err)
	}
}

// Write implements mcp.Connection.
func (c *lineConn) Write(ctx context.Context, msg jsonrpc.Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	data, err := jsonrpc.EncodeMessage(msg)
	if err != nil {
		return fmt.Errorf("encode message: %w", err)
	}
	return c.writeLine(data)
}

func (c *lineConn) writeLine(data []byte) error {
	select {
	case <-c.closed:
		return mcp.ErrConnectionClosed
	default:
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	_, err := c.w.Write(append(data, '\n'))
	return err
}

// Close implements mcp.Connection: reads end at once.
func (c *lineConn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return nil
}

// SessionID implements mcp.Connection.
func (c *lineConn) SessionID() string { return "" }
