package app

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/iotest"
)

// TestLargeLog: the bytes pass through unchanged, large is called once,
// on the read that reaches largeInputBytes and not before, and Close
// reaches the log.
func TestLargeLog(t *testing.T) {
	data := bytes.Repeat([]byte("error: a line of a log\n"), 2*largeInputBytes/23)
	calls, readAt := 0, int64(-1)
	rc := &closeCounter{Reader: iotest.HalfReader(bytes.NewReader(data))}
	l := &largeLog{ReadCloser: rc}
	l.large = func() { calls++; readAt = l.read }
	got, err := io.ReadAll(l)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Errorf("read %d bytes, not the %d written", len(got), len(data))
	}
	if calls != 1 || readAt < largeInputBytes || readAt >= largeInputBytes+512<<10 {
		t.Errorf("large called %d times, at %d bytes; want once, on reaching %d", calls, readAt, largeInputBytes)
	}
	if l.Close(); rc.closed != 1 {
		t.Errorf("the log closed %d times, want once", rc.closed)
	}
}

// closeCounter is a ReadCloser that counts its Close calls.
type closeCounter struct {
	io.Reader
	closed int
}

func (c *closeCounter) Close() error { c.closed++; return nil }

// TestAnalyzeStdinLargeRun: analyze of standard input calls LargeRun once
// a large log has streamed in, and not for a small one.
func TestAnalyzeStdinLargeRun(t *testing.T) {
	line := "FAIL: TestSomething (0.01s)\n"
	for _, tt := range []struct {
		name  string
		bytes int
		calls int
	}{{"small", 64 << 10, 0}, {"large", largeInputBytes + 64<<10, 1}} {
		streams, out, errOut := TestStreams(strings.Repeat(line, tt.bytes/len(line)))
		calls := 0
		streams.LargeRun = func() { calls++ }
		if code := Main(context.Background(), []string{"destill", "analyze", "--format", "json", "-"}, streams); code != 0 {
			t.Fatalf("%s: exit %d: %s", tt.name, code, errOut)
		}
		if !strings.Contains(out.String(), "TestSomething") {
			t.Errorf("%s: the report misses the failure:\n%.300s", tt.name, out)
		}
		if calls != tt.calls {
			t.Errorf("%s: LargeRun called %d times, want %d", tt.name, calls, tt.calls)
		}
	}
}

// TestAnalyzeLocalLogLargeRun: analyze calls LargeRun once for a local log
// found large as it is read (a named pipe, a gzip file smaller on disk
// than largeInputBytes), once for a large file known at the start, and
// never for a small one.
func TestAnalyzeLocalLogLargeRun(t *testing.T) {
	dir := t.TempDir()
	line := "FAIL: TestSomething (0.01s)\n"
	large := []byte(strings.Repeat(line, (largeInputBytes+64<<10)/len(line)))
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(large)
	zw.Close()
	if gz.Len() >= largeInputBytes {
		t.Fatalf("the gzip log is %d bytes, want less than %d", gz.Len(), largeInputBytes)
	}
	fifo := filepath.Join(dir, "fifo.log")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	go func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		f.Write(large)
		f.Close()
	}()
	for _, tt := range []struct {
		name  string
		path  string
		calls int
	}{
		{"named pipe", fifo, 1},
		{"gzip file", write("large.log.gz", gz.Bytes()), 1},
		{"large file", write("large.log", large), 1},
		{"small file", write("small.log", []byte(line)), 0},
	} {
		streams, out, errOut := TestStreams("")
		calls := 0
		streams.LargeRun = func() { calls++ }
		if code := Main(context.Background(), []string{"destill", "analyze", "--format", "json", tt.path}, streams); code != 0 {
			t.Fatalf("%s: exit %d: %s", tt.name, code, errOut)
		}
		if !strings.Contains(out.String(), "TestSomething") {
			t.Errorf("%s: the report misses the failure:\n%.300s", tt.name, out)
		}
		if calls != tt.calls {
			t.Errorf("%s: LargeRun called %d times, want %d", tt.name, calls, tt.calls)
		}
	}
}
