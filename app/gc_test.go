package app

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/sources"
)

// TestLimitMemory: the collector is off, under the quiet limit, until
// the first collection; then the GC percent it found and the limit apply.
func TestLimitMemory(t *testing.T) {
	percent, limit := debug.SetGCPercent(100), debug.SetMemoryLimit(-1)
	defer func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}()
	limitMemory(32<<20, 100<<20)
	if p := debug.SetGCPercent(-1); p != -1 {
		t.Errorf("before the first collection: GC percent %d, want off", p)
	}
	if l := debug.SetMemoryLimit(-1); l != 32<<20 {
		t.Errorf("before the first collection: limit %d, want %d", l, 32<<20)
	}
	runtime.GC() // (the cleanup sets the percent, then the limit)
	for deadline := time.Now().Add(10 * time.Second); debug.SetMemoryLimit(-1) != 100<<20; {
		if time.Now().After(deadline) {
			t.Fatalf("after a collection: limit %d, want %d", debug.SetMemoryLimit(-1), 100<<20)
		}
		time.Sleep(time.Millisecond)
	}
	if p := debug.SetGCPercent(100); p != 100 {
		t.Errorf("after a collection: GC percent %d, want 100", p)
	}
}

// TestLimitAnalyzeMemory: one log (a file, standard input) runs under the
// single-log limit, a build under the build limit, and GOMEMLIMIT or GOGC
// in the environment are honoured; a build and a log file of
// largeInputBytes or more are large runs (LargeRun, before LimitMemory,
// whatever the environment), a smaller file and standard input are not
// known to be.
func TestLimitAnalyzeMemory(t *testing.T) {
	dir := t.TempDir()
	small, big := filepath.Join(dir, "small.log"), filepath.Join(dir, "big.log")
	if err := os.WriteFile(small, []byte("error: one line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(big, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, largeInputBytes); err != nil {
		t.Fatal(err)
	}
	file := func(path string) sources.Input {
		return sources.Input{Describe: analysis.Origin{Kind: "file", Path: path}}
	}
	tests := []struct {
		name       string
		in         sources.Input
		env        []string
		set        bool
		quiet, max int64
		large      bool
	}{
		{"file", file(small), nil, true, analyzeQuietMemory, singleLogMemoryLimit, false},
		{"large file", file(big), nil, true, analyzeQuietMemory, singleLogMemoryLimit, true},
		{"missing file", file(filepath.Join(dir, "missing.log")), nil, true, analyzeQuietMemory, singleLogMemoryLimit, false},
		{"stdin", sources.Input{Describe: analysis.Origin{Kind: "stdin"}}, nil, true, analyzeQuietMemory, singleLogMemoryLimit, false},
		{"build", sources.Input{CacheScope: "github api.github.com"}, nil, true, analyzeQuietMemory, analyzeMemoryLimit, true},
		{"GOGC", file(small), []string{"GOGC", "200"}, true, singleLogMemoryLimit, singleLogMemoryLimit, false},
		{"GOMEMLIMIT", file(big), []string{"GOMEMLIMIT", "1GiB"}, false, 0, 0, true},
	}
	for _, tt := range tests {
		streams, _, _ := TestStreams("", tt.env...)
		var set, large bool
		var quiet, limit int64
		streams.LimitMemory = func(q, l int64) {
			if large != tt.large {
				t.Errorf("%s: LargeRun called %v before LimitMemory, want %v", tt.name, large, tt.large)
			}
			set, quiet, limit = true, q, l
		}
		streams.LargeRun = func() { large = true }
		limitAnalyzeMemory(streams, tt.in, largeInput(tt.in))
		if set != tt.set || quiet != tt.quiet || limit != tt.max || large != tt.large {
			t.Errorf("%s: LimitMemory called %v with %d, %d, LargeRun %v; want %v with %d, %d, %v", tt.name, set, quiet, limit, large, tt.set, tt.quiet, tt.max, tt.large)
		}
	}
}
