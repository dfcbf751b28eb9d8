package app

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// TestLargeStdin: the bytes pass through unchanged, and large is called
// once, on the read that reaches largeInputBytes, not before.
func TestLargeStdin(t *testing.T) {
	data := bytes.Repeat([]byte("error: a line of a log\n"), 2*largeInputBytes/23)
	calls, readAt := 0, int64(-1)
	s := &largeStdin{r: iotest.HalfReader(bytes.NewReader(data))}
	s.large = func() { calls++; readAt = s.read }
	got, err := io.ReadAll(s)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Errorf("read %d bytes, not the %d written", len(got), len(data))
	}
	if calls != 1 || readAt < largeInputBytes || readAt >= largeInputBytes+512<<10 {
		t.Errorf("large called %d times, at %d bytes; want once, on reaching %d", calls, readAt, largeInputBytes)
	}
}

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
