package app

import (
	"context"
	"io"
	"os"
	"runtime/debug"
	"sync"

	"github.com/destill-dev/destill/app/pipeline"
	"github.com/destill-dev/destill/app/sources"
	"github.com/destill-dev/destill/providers"
)

// largeInputBytes is the size from which a log makes a large run, whose
// heap is backed by huge pages (see reserveHugePages): that saved 7 ms of
// 59 on a 3.4 MB log and 12 of 85 on 4.2 MB; at 2 MB it was even, and on
// a 250 KB log the collection it takes cost 6 ms more than it saved.
const largeInputBytes = 3 << 20

// largeInput reports whether analyzing in is known, before it starts, to
// take a large heap: a build, or a log file of largeInputBytes or more.
// Other logs are found to be large as they are read (largeLogsOf).
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
// package init ran in every process: 15 KB, 0.6-0.8 ms in one
// GODEBUG=inittrace=1 run on a machine where page faults are costly.)
func noCollectionYet() bool {
	var stats debug.GCStats
	debug.ReadGCStats(&stats)
	return stats.NumGC == 0
}

// largeLogsOf returns src, whose logs call streams.LargeRun once
// largeInputBytes of one have been read: standard input, a named pipe or
// a compressed file, whose size is not known before it is read. src is
// returned as is when streams.LargeRun is nil.
func largeLogsOf(streams *Streams, src pipeline.Source) pipeline.Source {
	if streams.LargeRun == nil {
		return src
	}
	return largeLogs{Source: src, large: sync.OnceFunc(streams.LargeRun)}
}

// largeLogs is a local Source (a file or standard input: it has no other
// methods to pass on) whose logs call large once largeInputBytes of them
// have been read.
type largeLogs struct {
	pipeline.Source
	large func()
}

func (s largeLogs) OpenLog(ctx context.Context, job providers.Job) (io.ReadCloser, error) {
	rc, err := s.Source.OpenLog(ctx, job)
	if err != nil {
		return nil, err
	}
	return &largeLog{ReadCloser: rc, large: s.large}, nil
}

// largeLog passes a log through and calls large once, when largeInputBytes
// of it have been read (as the analyzer sees them: decompressed). By then
// the log has used some heap in small pages: on a 3.4 MB log piped in that
// cost 2-3 ms more than it saved, on 4.2 MB it was even, and it saved 19 ms
// on 9 MB, 44 on 16 MB, 72 on 32 MB and about 0.1 s of 0.6 on the 111 MB
// corpus file.
type largeLog struct {
	io.ReadCloser
	read  int64
	large func()
}

func (l *largeLog) Read(p []byte) (int, error) {
	n, err := l.ReadCloser.Read(p)
	if l.large != nil {
		l.read += int64(n)
		if l.read >= largeInputBytes {
			l.large()
			l.large = nil
		}
	}
	return n, err
}
