package app

import (
	"runtime"
	"runtime/debug"
)

// limitMemory sets the soft memory limit of the process to limit, and
// holds the garbage collector off until the program's memory first
// reaches quiet bytes: Go's first collections come at 4 MB of heap and
// every few MB after, and a one-log run paid 3.5 ms of its 15 ms to three
// or four of them, on a heap it would drop whole at exit. Once the first
// collection has run (at quiet bytes, when the run is that large), the GC
// percent it found (GOGC) and limit apply as usual, so a long run's peak
// memory is what it was.
func limitMemory(quiet, limit int64) {
	percent := debug.SetGCPercent(-1)
	debug.SetMemoryLimit(quiet)
	// The first collection frees this, which runs the cleanup.
	runtime.AddCleanup(new([64]byte), func(percent int) {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}, percent)
}
