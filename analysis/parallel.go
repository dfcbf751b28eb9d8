package analysis

import (
	"bytes"
	"io"
	"sync"
	"sync/atomic"
)

// segmentBytes is the size of the pieces a ParallelAnalyzer hands to its
// workers. Each piece also re-reads up to StateWindow lines before it and
// afterLines lines after it (about 80 KB on real logs) and starts with no
// candidates, so it finds again the messages earlier pieces found: on 111 MB
// of real logs, read by one worker, 4 MB pieces cost 2% more CPU time than
// 16 MB ones, 2 MB pieces 7%, 1 MB pieces 12%. The first three are
// smaller (see firstSegmentsGrow). Memory holds about three pieces: one
// per worker and the one being read (see handOut).
const segmentBytes = 4 << 20

// firstSegmentsGrow is how many segments it takes to reach segmentBytes:
// the first is an eighth, the next a quarter, then a half. A worker starts
// once its segment and the afterLines lines after it are read, so the
// first one starts after about 0.5 MB: reading into fresh memory costs
// 0.4 to 3 ms a MB on a virtual machine, and no core analyzes meanwhile.
const firstSegmentsGrow = 3

// maxCopiedBefore caps the size of the lines before a segment that are
// copied for its worker rather than kept in the segments they are in
// (about 40 KB on real logs, at most StateWindow lines of MaxLineBytes).
const maxCopiedBefore = 1 << 20

// maxWriteBytes caps what ParallelAnalyzer.Write takes in at once, so that
// the complete lines it keeps whole stay small; longer writes are cut.
const maxWriteBytes = 64 << 10

// ParallelAnalyzer analyzes one log on several goroutines and gives the
// same result as an Analyzer with the same options. It cuts the log at line
// ends into segments, analyzes each segment, with the lines before and after
// it that its findings may need (see Options.OwnFrom), in its own Analyzer,
// and merges the parts in order as they finish, as MergeChunks does. What
// is left when the log ends is cut into smaller pieces, so that the workers
// finish together (see spread); a log shorter than the first segment (an
// eighth of a segment) is read by one Analyzer. Memory stays bounded: a few
// segments per worker.
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
	free    chan []byte      // segment buffers no worker reads any more
	wg      sync.WaitGroup

	buf     []byte     // the segment being filled
	partial int        // bytes of buf after its last '\n'
	bufNL   int        // newlines in buf
	bufSeg  *segment   // buf's segment once a worker reads lines of it before its cut
	cuts    int        // segments cut so far
	held    bool       // the reader holds a worker's slot for the next segment (see handOut)
	segs    []*segment // cut segments still needed, oldest first
	next    int        // index in segs of the first segment not yet handed out
	line    int        // lines in the segments cut so far
	bytes   int64      // bytes fed
	done    bool       // Result was called
	result  JobResult
	started int // segments handed out

	mu     sync.Mutex
	parts  map[int]JobResult // finished segments not merged yet, by order
	merged int               // segments merged
	merger chunkMerger
}

// segment is a run of complete lines of the log (the last segment may end
// without a newline).
type segment struct {
	data  []byte
	first int // number of its first line
	lines int
	uses  atomic.Int32 // the list of segments and the workers reading it
	// piece: a piece of a segment, cut at the end of the log (see
	// spread); its buffer is not recycled.
	piece bool
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
		free:    make(chan []byte, 1),
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
		if p.buf == nil {
			p.buf = p.newBuf()
		}
		from := len(p.buf)
		p.buf = append(p.buf, w...)
		p.settle(from)
	}
	return n, nil
}

// ReadFrom reads the log from r to its end, straight into the segment
// being filled, and returns the bytes read and the error that ended the
// read, if it was not io.EOF.
func (p *ParallelAnalyzer) ReadFrom(r io.Reader) (int64, error) {
	var total int64
	for !p.done {
		if p.buf == nil {
			p.buf = p.newBuf()
		}
		from := len(p.buf)
		n, err := r.Read(p.buf[from : from+maxWriteBytes])
		p.buf = p.buf[:from+n]
		p.bytes += int64(n)
		total += int64(n)
		p.settle(from)
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// settle takes in the bytes just added at buf[from:]: a line longer than
// the analyzer's cap keeps one byte more than the cap, which is all an
// Analyzer needs to see to keep the same prefix and count it as truncated,
// so a log of one endless line does not fill memory. A full segment is cut.
func (p *ParallelAnalyzer) settle(from int) {
	limit := p.maxLine + 1
	w := p.buf[from:]
	first := bytes.IndexByte(w, '\n')
	if first < 0 {
		keep := min(len(w), max(limit-p.partial, 0))
		p.buf = p.buf[:from+keep]
		p.partial += keep
	} else {
		if excess := p.partial + first - limit; excess > 0 {
			copy(w[first-excess:], w[first:])
			p.buf = p.buf[:len(p.buf)-excess]
			w = p.buf[from:]
		}
		tail := len(w) - bytes.LastIndexByte(w, '\n') - 1
		if tail > limit {
			p.buf = p.buf[:len(p.buf)-(tail-limit)]
			tail = limit
		}
		p.partial = tail
		p.bufNL += bytes.Count(p.buf[from:], []byte{'\n'})
	}
	if len(p.buf) >= p.segSize>>max(0, firstSegmentsGrow-p.cuts) {
		p.cut(false)
	} else {
		p.handOut(false)
	}
}

// newBuf returns an empty buffer for a segment, a recycled one if there is
// one: room for a segment, one more write and the line that overflows it.
func (p *ParallelAnalyzer) newBuf() []byte {
	select {
	case b := <-p.free:
		return b[:0]
	default:
		return make([]byte, 0, p.segSize+2*maxWriteBytes+p.maxLine+1)
	}
}

// release drops one use of s; the last one recycles its buffer.
func (p *ParallelAnalyzer) release(s *segment) {
	if s.uses.Add(-1) == 0 && !s.piece {
		select {
		case p.free <- s.data[:0]:
		default:
		}
	}
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
		s := p.bufSeg
		if s == nil {
			s = &segment{}
			s.uses.Store(1) // the list of segments
		}
		s.data, s.first, s.lines = data, p.line+1, p.bufNL
		if final && data[len(data)-1] != '\n' {
			s.lines++
		}
		p.line += s.lines
		p.segs = append(p.segs, s)
		p.cuts++
	}
	p.bufSeg, p.bufNL = nil, 0
	if final {
		p.spread()
	} else {
		p.buf = append(p.newBuf(), rest...)
	}
	p.handOut(final)
}

// handOut starts the cut segments whose following lines are known: those
// followed by afterLines lines, in later segments or in the one being
// filled, or all when the log has ended. Then, before reading on, the
// reader waits for a worker to be free for the segment it reads next and
// holds its slot: reading ahead while every worker is busy kept one more
// full segment in memory, and a reader that waits leaves the core to the
// workers (on the 111 MB corpus file, peak RSS 64-66 MB instead of
// 79-82 MB, with the same time). The slot goes to the next segment
// started, which there always is: the lines read after a segment handed
// out make one when the log ends.
func (p *ParallelAnalyzer) handOut(final bool) {
	from := p.next
	for p.next < len(p.segs) && (final || p.linesAfter(p.next) >= afterLines) {
		p.start(p.next, final && p.next == len(p.segs)-1)
		p.next++
	}
	if p.next == from {
		return // nothing handed out: the reader still holds its slot, if any
	}
	p.forget()
	if !final {
		p.slots <- struct{}{}
		p.held = true
	}
}

// linesBefore returns the StateWindow lines before segment i (fewer at the
// start of the log), how many they are, and the segments the worker must
// keep while it reads them: none when they are copied, as they are unless
// they are long, so that a segment goes as soon as its own analysis ends.
func (p *ParallelAnalyzer) linesBefore(i int) ([][]byte, int, []*segment) {
	var pieces [][]byte
	var segs []*segment
	got, size := 0, 0
	for j := i - 1; j >= 0 && got < StateWindow; j-- {
		piece, n := lastLines(p.segs[j].data, StateWindow-got)
		pieces = append([][]byte{piece}, pieces...)
		segs = append(segs, p.segs[j])
		size += len(piece)
		got += n
	}
	if len(pieces) == 0 || size > maxCopiedBefore {
		return pieces, got, segs
	}
	return [][]byte{bytes.Join(pieces, nil)}, got, nil
}

// linesAfterSegment returns the afterLines lines after segment i (fewer at
// the end of the log) and the segments they are in: later segments, and
// the one being filled, whose complete lines do not change as it fills.
func (p *ParallelAnalyzer) linesAfterSegment(i int) ([][]byte, []*segment) {
	var pieces [][]byte
	var segs []*segment
	need := afterLines
	for j := i + 1; need > 0 && j < len(p.segs); j++ {
		piece, n := firstLines(p.segs[j].data, need)
		pieces = append(pieces, piece)
		segs = append(segs, p.segs[j])
		need -= n
	}
	if need > 0 && p.bufNL > 0 {
		if p.bufSeg == nil {
			p.bufSeg = &segment{data: p.buf}
			p.bufSeg.uses.Store(1) // the list of segments, once cut
		}
		piece, _ := firstLines(p.buf[:len(p.buf)-p.partial], need)
		pieces = append(pieces, piece)
		segs = append(segs, p.bufSeg)
	}
	return pieces, segs
}

// linesAfter counts the complete lines read after segment i.
func (p *ParallelAnalyzer) linesAfter(i int) int {
	n := p.bufNL
	for _, s := range p.segs[i+1:] {
		n += s.lines
	}
	return n
}

// start analyzes segment i on a worker, with the StateWindow lines before
// it and the afterLines lines after it.
func (p *ParallelAnalyzer) start(i int, last bool) {
	s := p.segs[i]
	before, got, keptBefore := p.linesBefore(i)
	after, keptAfter := p.linesAfterSegment(i)
	used := append(append([]*segment{s}, keptBefore...), keptAfter...)
	for _, u := range used {
		u.uses.Add(1)
	}
	opts := p.opts
	opts.FirstLine = s.first - got
	opts.OwnFrom = s.first
	if !last {
		opts.OwnTo = s.first + s.lines - 1
	}
	order := p.started
	p.started++
	if p.held {
		p.held = false // the worker takes the slot the reader held
	} else {
		p.slots <- struct{}{}
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer func() {
			for _, u := range used {
				p.release(u)
			}
			<-p.slots
		}()
		growStack() // before the deep calls below
		a := NewAnalyzer(opts)
		select {
		case cc := <-p.caches:
			a.classes.release()
			a.classes = cc
		default:
		}
		cc := a.classes
		a.lendsCache = true
		a.stableInput = true // the segments stay until the worker is done
		for _, b := range before {
			a.Write(b)
		}
		a.Write(s.data)
		for _, b := range after {
			a.Write(b)
		}
		res := a.Result()
		select {
		case p.caches <- cc:
		default:
			cc.release()
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.parts == nil {
			p.parts = map[int]JobResult{}
		}
		p.parts[order] = res
		// Merge as segments finish, in order: memory holds the merged
		// result and the few segments that finished early, not every one.
		for {
			next, ok := p.parts[p.merged]
			if !ok {
				break
			}
			delete(p.parts, p.merged)
			p.merger.add(next)
			p.merged++
		}
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
		for _, s := range p.segs[:keep] {
			p.release(s)
		}
		p.segs = append(p.segs[:0], p.segs[keep:]...)
		p.next -= keep
	}
}

// spread cuts the segments not handed out yet, at the end of the log,
// into pieces of about a quarter of a segment or more, so that the workers
// finish together: the reader runs ahead of the workers, so at the end a
// segment and the log's last part are left, and each read on one core
// left the other idle for up to a segment's time (20 ms of a 348 ms run
// on 111 MB of corpus logs). A piece re-reads the lines around it as a
// segment does (about 80 KB), so pieces are no smaller than this.
func (p *ParallelAnalyzer) spread() {
	workers := cap(p.slots)
	pending := p.segs[p.next:]
	total := 0
	for _, s := range pending {
		total += len(s.data)
	}
	size := max(total/(4*workers), p.segSize/4)
	if workers < 2 || total < 2*size {
		return
	}
	var pieces []*segment
	for _, s := range pending {
		data, first := s.data, s.first
		for len(data) > 0 {
			n := len(data)
			if n >= size+size/2 { // (no piece of less than half the size)
				if i := bytes.IndexByte(data[size:], '\n'); i >= 0 {
					n = size + i + 1
				}
			}
			ps := &segment{data: data[:n], first: first, piece: true}
			if ps.lines = bytes.Count(ps.data, []byte{'\n'}); n == len(data) {
				ps.lines = s.first + s.lines - first // the last line may have no newline
			}
			ps.uses.Store(1) // the list of segments
			pieces = append(pieces, ps)
			data, first = data[n:], first+ps.lines
		}
	}
	p.segs = append(p.segs[:p.next], pieces...)
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
	if p.cuts == 0 {
		// A log shorter than the first segment: read it as one Analyzer
		// would.
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
		(<-p.caches).release() // warm for the next log's analyzers
	}
	p.result = p.merger.result()
	p.result.Lines = p.line
	p.result.Bytes = p.bytes
	p.parts, p.merger, p.segs, p.buf = nil, chunkMerger{}, nil, nil
	return p.result
}
