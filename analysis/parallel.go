package analysis

import (
	"bytes"
	"sync"
)

// segmentBytes is the size of the pieces a ParallelAnalyzer hands to its
// workers. Each piece also re-reads up to StateWindow lines before it and
// afterLines lines after it, a few dozen KB on real logs, so pieces are
// large enough for that to cost little.
const segmentBytes = 2 << 20

// maxWriteBytes caps what ParallelAnalyzer.Write takes in at once, so that
// the complete lines it keeps whole stay small; longer writes are cut.
const maxWriteBytes = 64 << 10

// ParallelAnalyzer analyzes one log on several goroutines and gives the
// same result as an Analyzer with the same options. It cuts the log at line
// ends into segments, analyzes each segment, with the lines before and after
// it that its findings may need (see Options.OwnFrom), in its own Analyzer,
// and merges the parts with MergeChunks. A log shorter than a segment is
// read by one Analyzer. Memory stays bounded: a few segments per worker.
//
// One exception: past the cap on distinct messages (see CapNotes), each
// segment applies the cap on its own, so which late messages are counted
// as occurrences and which as left out can differ from a sequential read.
//
// Options.FirstLine, OwnFrom and OwnTo must be unset: a ParallelAnalyzer
// reads a whole log. It is not safe for concurrent use.
type ParallelAnalyzer struct {
	opts    Options
	maxLine int
	segSize int              // segmentBytes, smaller in tests
	slots   chan struct{}    // one per worker; a segment holds one while analyzed
	caches  chan *classCache // the workers' class caches, warm from segment to segment
	wg      sync.WaitGroup

	buf     []byte     // the segment being filled
	partial int        // bytes of buf after its last '\n'
	segs    []*segment // cut segments still needed, oldest first
	next    int        // index in segs of the first segment not yet handed out
	line    int        // lines in the segments cut so far
	bytes   int64      // bytes fed
	done    bool       // Result was called
	result  JobResult

	mu     sync.Mutex
	parts  []JobResult
	firsts []int
}

// segment is a run of complete lines of the log (the last segment may end
// without a newline).
type segment struct {
	data  []byte
	first int // number of its first line
	lines int
}

// NewParallelAnalyzer returns a ParallelAnalyzer that analyzes up to workers
// segments at once (at least one).
func NewParallelAnalyzer(opts Options, workers int) *ParallelAnalyzer {
	maxLine := opts.MaxLineBytes
	if maxLine <= 0 {
		maxLine = DefaultMaxLineBytes
	}
	return &ParallelAnalyzer{
		opts:    opts,
		maxLine: maxLine,
		segSize: segmentBytes,
		slots:   make(chan struct{}, max(workers, 1)),
		caches:  make(chan *classCache, max(workers, 1)),
	}
}

// Write feeds log bytes. It never fails; after Result it does nothing. It
// blocks while every worker is busy.
func (p *ParallelAnalyzer) Write(b []byte) (int, error) {
	if p.done {
		return len(b), nil
	}
	n := len(b)
	p.bytes += int64(n)
	for len(b) > 0 {
		w := b[:min(len(b), maxWriteBytes)]
		b = b[len(w):]
		p.keep(w)
		if len(p.buf) >= p.segSize {
			p.cut(false)
		}
	}
	return n, nil
}

// keep appends w to the segment being filled. A line longer than the
// analyzer's cap keeps one byte more than the cap, which is all an
// Analyzer needs to see to keep the same prefix and count it as truncated;
// so a log of one endless line does not fill memory.
func (p *ParallelAnalyzer) keep(w []byte) {
	limit := p.maxLine + 1
	first := bytes.IndexByte(w, '\n')
	if first < 0 {
		room := max(limit-p.partial, 0)
		take := w[:min(len(w), room)]
		p.buf = append(p.buf, take...)
		p.partial += len(take)
		return
	}
	room := max(limit-p.partial, 0)
	p.buf = append(p.buf, w[:min(first, room)]...)
	last := bytes.LastIndexByte(w, '\n')
	p.buf = append(p.buf, w[first:last+1]...)
	tail := w[last+1:]
	tail = tail[:min(len(tail), limit)]
	p.buf = append(p.buf, tail...)
	p.partial = len(tail)
}

// cut ends the segment being filled at its last complete line (or, when
// final, at the end of the log) and hands out the segments whose following
// lines are now known.
func (p *ParallelAnalyzer) cut(final bool) {
	data := p.buf
	var rest []byte
	if !final {
		data = p.buf[:len(p.buf)-p.partial]
		rest = p.buf[len(data):]
		if len(data) == 0 {
			return // one line longer than a segment: wait for its end
		}
	}
	if len(data) > 0 {
		s := &segment{data: data, first: p.line + 1, lines: bytes.Count(data, []byte{'\n'})}
		if final && data[len(data)-1] != '\n' {
			s.lines++
		}
		p.line += s.lines
		p.segs = append(p.segs, s)
	}
	p.buf = make([]byte, len(rest), p.segSize+maxWriteBytes+p.maxLine+1)
	copy(p.buf, rest)
	for p.next < len(p.segs) && (final || p.linesAfter(p.next) >= afterLines) {
		p.start(p.next, final && p.next == len(p.segs)-1)
		p.next++
	}
	p.forget()
}

// linesAfter counts the lines cut after segment i.
func (p *ParallelAnalyzer) linesAfter(i int) int {
	n := 0
	for _, s := range p.segs[i+1:] {
		n += s.lines
	}
	return n
}

// start analyzes segment i on a worker, with the StateWindow lines before
// it and the afterLines lines after it.
func (p *ParallelAnalyzer) start(i int, last bool) {
	s := p.segs[i]
	var before [][]byte
	got := 0
	for j := i - 1; j >= 0 && got < StateWindow; j-- {
		piece, n := lastLines(p.segs[j].data, StateWindow-got)
		before = append([][]byte{piece}, before...)
		got += n
	}
	var after [][]byte
	for need, j := afterLines, i+1; need > 0 && j < len(p.segs); j++ {
		piece, n := firstLines(p.segs[j].data, need)
		after = append(after, piece)
		need -= n
	}
	opts := p.opts
	opts.FirstLine = s.first - got
	opts.OwnFrom = s.first
	if !last {
		opts.OwnTo = s.first + s.lines - 1
	}
	p.slots <- struct{}{}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer func() { <-p.slots }()
		a := NewAnalyzer(opts)
		select {
		case cc := <-p.caches:
			classCaches.Put(a.classes)
			a.classes = cc
		default:
		}
		cc := a.classes
		a.lendsCache = true
		for _, b := range before {
			a.Write(b)
		}
		a.Write(s.data)
		for _, b := range after {
			a.Write(b)
		}
		res := a.Result()
		p.caches <- cc
		p.mu.Lock()
		p.parts = append(p.parts, res)
		p.firsts = append(p.firsts, s.first)
		p.mu.Unlock()
	}()
}

// forget drops the handed-out segments that no later segment needs as the
// lines before it.
func (p *ParallelAnalyzer) forget() {
	keep, lines := p.next, 0
	for keep > 0 && lines < StateWindow {
		keep--
		lines += p.segs[keep].lines
	}
	if keep > 0 {
		p.segs = append(p.segs[:0], p.segs[keep:]...)
		p.next -= keep
	}
}

// lastLines returns the last n lines of data (which ends with a newline)
// and how many it found.
func lastLines(data []byte, n int) ([]byte, int) {
	end := len(data) - 1 // the final newline
	found := 0
	for found < n {
		i := bytes.LastIndexByte(data[:end], '\n')
		found++
		if i < 0 {
			return data, found
		}
		end = i
	}
	return data[end+1:], found
}

// firstLines returns the first n lines of data and how many it found.
func firstLines(data []byte, n int) ([]byte, int) {
	at, found := 0, 0
	for found < n && at < len(data) {
		i := bytes.IndexByte(data[at:], '\n')
		found++
		if i < 0 {
			return data, found
		}
		at += i + 1
	}
	return data[:at], found
}

// Result ends the log and returns what was found, as Analyzer.Result does.
func (p *ParallelAnalyzer) Result() JobResult {
	if p.done {
		return p.result
	}
	p.done = true
	if len(p.segs) == 0 {
		// The whole log fits one segment: read it as one Analyzer would.
		a := NewAnalyzer(p.opts)
		a.Write(p.buf)
		p.result = a.Result()
		p.result.Bytes = p.bytes
		p.buf = nil
		return p.result
	}
	p.cut(true)
	p.wg.Wait()
	for len(p.caches) > 0 {
		classCaches.Put(<-p.caches) // warm for the next log's analyzers
	}
	p.result = MergeChunks(p.parts, p.firsts)
	p.result.Lines = p.line
	p.result.Bytes = p.bytes
	p.parts, p.firsts, p.segs, p.buf = nil, nil, nil, nil
	return p.result
}
