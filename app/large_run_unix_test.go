//go:build unix

package app

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

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
