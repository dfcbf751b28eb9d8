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

	partial []byte // the line being read, capped at chunkLineBytes
	rawLen  int64  // its length in the input
	line    int
	seq     int
	prev    [][]byte // lines before the chunk being filled (pre-overlap)
	own     [][]byte // owned lines of the chunk being filled
	ownB    int
	ownRaw  int64
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
const afterLines = maxAbsorbLines + MaxContext

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

func (c *Chunker) keep(p []byte) {
	c.rawLen += int64(len(p))
	if room := chunkLineBytes - len(c.partial); room > 0 {
		if len(p) > room {
			p = p[:room]
		}
		c.partial = append(c.partial, p...)
	}
}

// Close emits the last chunks. A log with no bytes gives no chunk.
func (c *Chunker) Close() error {
	if c.err != nil {
		return c.err
	}
	if len(c.partial) > 0 || c.rawLen > 0 {
		c.addLine()
	}
	for len(c.waiting) > 0 {
		c.finishFirst(len(c.own) == 0 && len(c.waiting) == 1)
	}
	if len(c.own) > 0 {
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

func (c *Chunker) addLine() {
	c.line++
	l := append(append(make([]byte, 0, len(c.partial)+1), c.partial...), '\n')
	raw := c.rawLen
	c.partial, c.rawLen = c.partial[:0], 0
	for _, w := range c.waiting {
		w.c.Data = append(w.c.Data, l...)
		w.lines++
		w.bytes += len(l)
	}
	for len(c.waiting) > 0 && (c.waiting[0].lines >= afterLines || c.waiting[0].bytes >= maxOverlapBytes) {
		c.finishFirst(false)
	}
	if len(c.own) == 0 {
		c.ownFrom = c.line
	}
	c.own = append(c.own, l)
	c.ownB += len(l)
	c.ownRaw += raw
	if c.ownB >= c.size() {
		c.waiting = append(c.waiting, &waitingChunk{c: c.build()})
	}
}

// build turns the owned lines into a chunk (without its after-overlap) and
// keeps the last of them as the next chunk's pre-overlap.
func (c *Chunker) build() Chunk {
	var data []byte
	for _, l := range c.prev {
		data = append(data, l...)
	}
	for _, l := range c.own {
		data = append(data, l...)
	}
	ch := Chunk{Seq: c.seq, FirstLine: c.ownFrom - len(c.prev), OwnFrom: c.ownFrom, OwnTo: c.ownFrom + len(c.own) - 1, Data: data, OwnBytes: c.ownRaw}
	c.seq++
	hist := append(c.prev, c.own...)
	n, b := 0, 0
	for i := len(hist) - 1; i >= 0 && n < StateWindow; i-- {
		if b+len(hist[i]) > maxOverlapBytes {
			break
		}
		b += len(hist[i])
		n++
	}
	c.prev = append([][]byte(nil), hist[len(hist)-n:]...)
	c.own, c.ownB, c.ownRaw = nil, 0, 0
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
	var out JobResult
	byFP := map[string]int{}
	strong, weak := 0, 0
	for _, i := range idx {
		p := parts[i]
		if p.Lines > out.Lines {
			out.Lines = p.Lines
		}
		out.Bytes += p.Bytes
		out.TruncatedLines += p.TruncatedLines
		out.Dropped += p.Dropped
		out.Sections = append(out.Sections, p.Sections...)
		for _, c := range p.Candidates {
			if k, ok := byFP[c.Fingerprint]; ok {
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
			if c.Score < weakScore {
				if weak >= maxDistinctWeak {
					out.Dropped++
					continue
				}
				weak++
			} else {
				if strong >= maxDistinctStrong {
					out.Dropped++
					continue
				}
				strong++
			}
			byFP[c.Fingerprint] = len(out.Candidates)
			c.Lines = append([]int(nil), c.Lines...)
			out.Candidates = append(out.Candidates, c)
		}
	}
	if len(out.Sections) > maxSections {
		out.Sections = out.Sections[:maxSections]
	}
	return out
}
