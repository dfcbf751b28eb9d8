package app

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"

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
// in the environment are honoured.
func TestLimitAnalyzeMemory(t *testing.T) {
	tests := []struct {
		name       string
		in         sources.Input
		env        []string
		set        bool
		quiet, max int64
	}{
		{"file", sources.Input{}, nil, true, analyzeQuietMemory, singleLogMemoryLimit},
		{"build", sources.Input{CacheScope: "github api.github.com"}, nil, true, analyzeQuietMemory, analyzeMemoryLimit},
		{"GOGC", sources.Input{}, []string{"GOGC", "200"}, true, singleLogMemoryLimit, singleLogMemoryLimit},
		{"GOMEMLIMIT", sources.Input{}, []string{"GOMEMLIMIT", "1GiB"}, false, 0, 0},
	}
	for _, tt := range tests {
		streams, _, _ := TestStreams("", tt.env...)
		var set bool
		var quiet, limit int64
		streams.LimitMemory = func(q, l int64) { set, quiet, limit = true, q, l }
		limitAnalyzeMemory(streams, tt.in)
		if set != tt.set || quiet != tt.quiet || limit != tt.max {
			t.Errorf("%s: LimitMemory called %v with %d, %d; want %v with %d, %d", tt.name, set, quiet, limit, tt.set, tt.quiet, tt.max)
		}
	}
}
