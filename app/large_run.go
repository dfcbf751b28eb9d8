package app

import (
	"io"
	"os"
	"runtime/debug"

	"github.com/destill-dev/destill/app/sources"
)

// largeInputBytes is the size from which a log makes a large run, whose
// heap is backed by huge pages (see reserveHugePages): that saved 7 ms of
// 59 on a 3.4 MB log and 12 of 85 on 4.2 MB; at 2 MB it was even, and on
// a 250 KB log the collection it takes cost 6 ms more than it saved.
const largeInputBytes = 3 << 20

// largeInput reports whether analyzing in is known, before it starts, to
// take a large heap: a build, or a log file of largeInputBytes or more.
// Standard input is found to be large as it is read (largeStdin).
func largeInput(in sources.Input) bool {
	if in.CacheScope != "" {
		return true
	}
	if in.Describe.Kind != "file" {
		return false
	}
	info, err := os.Stat(in.Describe.Path)
	return err == nil && info.Size() >= largeInputBytes
}

// largeRun backs the heap with huge pages (reserveHugePages) while no
// garbage collection has run: until then the heap has reused no memory
// but goroutine stacks, so the address space it adds is fresh.
func largeRun() {
	if noCollectionYet() {
		reserveHugePages()
	}
}

// noCollectionYet reports whether the garbage collector has not run yet
// in this process. (runtime/debug rather than runtime/metrics, whose
// package init cost every run 0.5 ms.)
func noCollectionYet() bool {
	var stats debug.GCStats
	debug.ReadGCStats(&stats)
	return stats.NumGC == 0
}

// largeStdinOf returns the standard input analyze reads: streams.In,
// which calls streams.LargeRun once largeInputBytes have come through.
func largeStdinOf(streams *Streams) io.Reader {
	if streams.LargeRun == nil {
		return streams.In
	}
	return &largeStdin{r: streams.In, large: streams.LargeRun}
}

// largeStdin passes a reader through and calls large once, when
// largeInputBytes of it have been read. By then a piped log has used some
// heap in small pages: on a 3.4 MB log that cost 2-3 ms more than it saved,
// on 4.2 MB it was even, and it saved 19 ms on 9 MB, 44 on 16 MB, 72 on
// 32 MB and about 0.1 s of 0.6 on the 111 MB corpus file.
type largeStdin struct {
	r     io.Reader
	read  int64
	large func()
}

func (s *largeStdin) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if s.large != nil {
		s.read += int64(n)
		if s.read >= largeInputBytes {
			s.large()
			s.large = nil
		}
	}
	return n, err
}
