package app

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
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
