package analysis

import (
	"bytes"
	"sort"
)

// Chunk sizes. A chunk carries its own lines plus the lines before and after
// them that its analysis needs; all three parts are capped in bytes so a
// chunk stays far below a message broker's 1 MB limit.
const (
	DefaultChunkBytes = 128 << 10
	maxOverlapBytes   = 64 << 10
	// chunkLineBytes caps each line in a chunk, as the analyzer would.
	chunkLineBytes = DefaultMaxLineBytes
)

// Chunk is a piece of one job's log that can be analyzed on its own: Data
// holds complete lines starting at line FirstLine; the chunk owns lines
// OwnFrom..OwnTo, and the lines around them are there for context and for
// multi-line findings that cross the boundary.
type Chunk struct {
	Seq       int    `json:"seq"`
	FirstLine int    `json:"first_line"`
	OwnFrom   int    `json:"own_from"`
	OwnTo     int    `json:"own_to"`
	Last      bool   `json:"last"`
	Data      []byte `json:"data"`
	// OwnBytes is the size of the owned lines in the original log.
	OwnBytes int64 `json:"own_bytes"`
}

// Options returns analysis options for this chunk.
func (c Chunk) Options(base Options) Options {
	base.FirstLine = c.FirstLine
	base.OwnFrom = c.OwnFrom
	base.OwnTo = c.OwnTo
	return base
}

// Chunker cuts a log, written to it in pieces of any size, into Chunks.
// Analyzing every chunk with its Options and merging the results with
// MergeChunks gives the same findings as analyzing the whole log, as long
// as no overlap hits its byte cap.
type Chunker struct {
	// Size is the owned bytes per chunk (0: DefaultChunkBytes).
	Size int
	// Emit receives each chunk; Data is not reused afterwards.
	Emit func(Chunk) error

	// buf holds the pre-overlap lines followed by the owned lines of the
	// chunk being filled; ends[i] is where line i of buf ends. Lines are
	// appended in place, so cutting a log costs no allocation per line.
	buf     []byte
	ends    []int
	nPrev   int   // lines of buf that are pre-overlap
	partial int   // bytes of buf taken by the line being read
	rawLen  int64 // that line's length in the input
	ownRaw  int64 // input bytes of the owned lines
	line    int
	seq     int
	ownFrom int
	waiting []*waitingChunk // filled chunks collecting their after-overlap
	err     error
}

type waitingChunk struct {
	c     Chunk
	lines int
	bytes int
}

// afterLines is what a finding starting at a chunk's last owned line can
// need after it.
const afterLines = 2*maxAbsorbLines + MaxContext

// Write feeds log bytes.
func (c *Chunker) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 && c.err == nil {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			c.keep(p)
			return n, c.err
		}
		c.keep(p[:i])
		c.rawLen++ // the newline
		c.addLine()
		p = p[i+1:]
	}
	return n, c.err
}

// keep appends p to the line being read, up to chunkLineBytes.
func (c *Chunker) keep(p []byte) {
	c.rawLen += int64(len(p))
	if room := chunkLineBytes - c.partial; room > 0 {
		if len(p) > room {
			p = p[:room]
		}
		c.buf = append(c.buf, p...)
		c.partial += len(p)
	}
}

// Close emits the last chunks. A log with no bytes gives no chunk.
func (c *Chunker) Close() error {
	if c.err != nil {
		return c.err
	}
	if c.partial > 0 || c.rawLen > 0 {
		c.addLine()
	}
	owned := len(c.ends) - c.nPrev
	for len(c.waiting) > 0 {
		c.finishFirst(owned == 0 && len(c.waiting) == 1)
	}
	if owned > 0 {
		ch := c.build()
		ch.Last = true
		c.emit(ch)
	}
	return c.err
}

func (c *Chunker) size() int {
	if c.Size <= 0 {
		return DefaultChunkBytes
	}
	return c.Size
}

// lineStart returns where line i of buf starts.
func (c *Chunker) lineStart(i int) int {
	if i == 0 {
		return 0
	}
	return c.ends[i-1]
}

func (c *Chunker) addLine() {
	c.line++
	c.buf = append(c.buf, '\n')
	c.ends = append(c.ends, len(c.buf))
	l := c.buf[len(c.buf)-c.partial-1:]
	raw := c.rawLen
	c.partial, c.rawLen = 0, 0
	for _, w := range c.waiting {
		w.c.Data = append(w.c.Data, l...)
		w.lines++
		w.bytes += len(l)
	}
	for len(c.waiting) > 0 && (c.waiting[0].lines >= afterLines || c.waiting[0].bytes >= maxOverlapBytes) {
		c.finishFirst(false)
	}
	if len(c.ends)-c.nPrev == 1 {
		c.ownFrom = c.line
	}
	c.ownRaw += raw
	if len(c.buf)-c.lineStart(c.nPrev) >= c.size() {
		c.waiting = append(c.waiting, &waitingChunk{c: c.build()})
	}
}

// build turns the owned lines into a chunk (without its after-overlap) and
// keeps the last of all lines as the next chunk's pre-overlap.
func (c *Chunker) build() Chunk {
	owned := len(c.ends) - c.nPrev
	ch := Chunk{
		Seq: c.seq, FirstLine: c.ownFrom - c.nPrev, OwnFrom: c.ownFrom, OwnTo: c.ownFrom + owned - 1,
		Data: append([]byte(nil), c.buf...), OwnBytes: c.ownRaw,
	}
	c.seq++
	// The last StateWindow lines (within the byte cap) become the next
	// chunk's pre-overlap.
	n, from := 0, len(c.buf)
	for i := len(c.ends) - 1; i >= 0 && n < StateWindow; i-- {
		start := c.lineStart(i)
		if len(c.buf)-start > maxOverlapBytes {
			break
		}
		from = start
		n++
	}
	kept := copy(c.buf, c.buf[from:])
	c.buf = c.buf[:kept]
	first := len(c.ends) - n
	for i := 0; i < n; i++ {
		c.ends[i] = c.ends[first+i] - from
	}
	c.ends = c.ends[:n]
	c.nPrev = n
	c.ownRaw = 0
	return ch
}

func (c *Chunker) finishFirst(last bool) {
	w := c.waiting[0]
	c.waiting = c.waiting[1:]
	w.c.Last = last
	c.emit(w.c)
}

func (c *Chunker) emit(ch Chunk) {
	if c.err == nil && c.Emit != nil {
		c.err = c.Emit(ch)
	}
}

// MergeChunks combines the results of one job's chunks, in any order, into
// the result of the whole log.
func MergeChunks(parts []JobResult, firstLines []int) JobResult {
	idx := make([]int, len(parts))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return firstLines[idx[a]] < firstLines[idx[b]] })
	var m chunkMerger
	for _, i := range idx {
		m.add(parts[i])
	}
	return m.result()
}

// chunkMerger folds the results of one job's chunks, taken in the order of
// their lines, into the result of the whole log, one chunk at a time.
type chunkMerger struct {
	out  JobResult
	byFP map[string]int
	kept distinctCap
}

// add folds in the result of the chunk after those added so far.
func (m *chunkMerger) add(p JobResult) {
	if m.byFP == nil {
		m.byFP = map[string]int{}
	}
	out := &m.out
	if p.Lines > out.Lines {
		out.Lines = p.Lines
	}
	out.Bytes += p.Bytes
	out.TruncatedLines += p.TruncatedLines
	out.Dropped += p.Dropped
	out.Sections = append(out.Sections, p.Sections...)
	if len(out.Sections) > maxSections {
		out.Sections = out.Sections[:maxSections]
	}
	for _, c := range p.Candidates {
		if k, ok := m.byFP[c.Fingerprint]; ok {
			e := &out.Candidates[k]
			occ := e.Occurrences + c.Occurrences
			passing := e.InPassingTests + c.InPassingTests
			lines := append(e.Lines, c.Lines...)
			if len(lines) > MaxOccurrenceLines {
				lines = lines[:MaxOccurrenceLines]
			}
			if c.Score > e.Score+0.1 {
				*e = c
			}
			e.Occurrences, e.Lines, e.InPassingTests = occ, lines, passing
			continue
		}
		if !m.kept.admit(c.Score, c.Trailer) {
			out.Dropped += c.Occurrences
			continue
		}
		m.byFP[c.Fingerprint] = len(out.Candidates)
		c.Lines = append([]int(nil), c.Lines...)
		out.Candidates = append(out.Candidates, c)
	}
}

// result returns the merged result.
func (m *chunkMerger) result() JobResult { return m.out }
