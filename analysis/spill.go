package analysis

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
)

// Spill is where a ShownBudget writes the records of the candidates it
// packs (packedCandidates) and of finished jobs' sections (PackSections),
// and reads them back from, instead of keeping them in memory: a
// temporary file, which the caller opens (analysis does no I/O of its
// own). The records hold no text of the logs, only fingerprint hashes
// and numbers (rules and titles are numbered in tables in memory). The budget writes each record once
// after the last, reads back what it wrote, and truncates what it no
// longer reads off the end.
type Spill interface {
	io.ReaderAt
	io.WriterAt
	// Truncate makes the spill size bytes long, dropping what was written
	// after.
	Truncate(size int64) error
}

// spill is a ShownBudget's Spill, with how much was written to it and
// what went wrong.
type spill struct {
	to   Spill // nil: keep everything in memory
	size int64 // the bytes written
	live int64 // the bytes of them that jobs read (the others, repacking left behind)
	// minWaste is how many bytes no job reads, at least, before compact
	// moves the others together (compactWaste; tests set less).
	minWaste int64
	// writeErr is why writing stopped: the records packed after it stay
	// in memory. readErr is the first error reading records back (or
	// moving them); a ranking that met one lacks candidates.
	writeErr, readErr error
}

// compactWaste is how many bytes of a spill no job may read before
// compact moves the others together, unless they read more: a spill then
// holds at most about twice what its jobs read, however often a budget
// repacks them (some 0.2% of a large build's logs).
const compactWaste = 16 << 20

// put writes data and returns where it starts; ok is false when the
// records must stay in memory (no spill, or writing failed).
func (s *spill) put(data []byte) (at int64, ok bool) {
	if s == nil || s.to == nil || s.writeErr != nil || s.readErr != nil {
		return 0, false
	}
	if _, err := s.to.WriteAt(data, s.size); err != nil {
		// A short write is an error (io.WriterAt); what it wrote past
		// size is written over.
		s.writeErr = err
		return 0, false
	}
	at = s.size
	s.size += int64(len(data))
	s.live += int64(len(data))
	return at, true
}

// drop says that the records of p, which a repacked list replaced, are
// read no more.
func (s *spill) drop(p *packedCandidates) {
	if s != nil && p.spill == s {
		s.live -= int64(p.size)
	}
}

// compact moves the records of jobs' packed candidates and sections to
// the start of the spill, in the order they are in it, and truncates the
// rest, once what no job reads (records repacking replaced) is more than
// what they read, and at least minWaste bytes. jobs are all the jobs
// whose records were written to it.
func (s *spill) compact(jobs []*JobResult) {
	if s.to == nil || s.writeErr != nil || s.readErr != nil || s.size-s.live < max(s.live, s.minWaste) {
		return
	}
	type blob struct {
		at   *int64
		size int
	}
	var blobs []blob
	for _, r := range jobs {
		if p := r.packed; p != nil && p.spill == s {
			blobs = append(blobs, blob{&p.at, p.size})
		}
		if p := r.sections; p != nil && p.spill == s {
			blobs = append(blobs, blob{&p.at, p.size})
		}
	}
	slices.SortFunc(blobs, func(a, b blob) int { return cmp.Compare(*a.at, *b.at) })
	var buf []byte
	at := int64(0)
	for _, b := range blobs {
		if *b.at != at { // at < *b.at: each moves towards the start
			var ok bool
			if buf, ok = s.load(buf, *b.at, b.size); !ok {
				return
			}
			if _, err := s.to.WriteAt(buf, at); err != nil {
				// The records may now be neither here nor there.
				s.readErr = fmt.Errorf("moving %d bytes of packed records from offset %d to %d: %w", b.size, *b.at, at, err)
				return
			}
			*b.at = at
		}
		at += int64(b.size)
	}
	// A spill that does not shrink is written over from at.
	_ = s.to.Truncate(at)
	s.size, s.live = at, at
}

// read reads len(buf) bytes written at at into buf; ok is false (and
// readErr set) when they could not be read.
func (s *spill) read(buf []byte, at int64) bool {
	if s.readErr != nil {
		return false
	}
	n, err := s.to.ReadAt(buf, at)
	if n == len(buf) {
		return true
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	s.readErr = fmt.Errorf("reading %d bytes of packed records back at offset %d: %w", len(buf), at, err)
	return false
}

// bytes returns the records of p: p.data, or those read back from its
// spill into buf (grown as needed); ok is false when they could not be
// read.
func (p *packedCandidates) bytes(buf []byte) (data []byte, ok bool) {
	if p.spill == nil {
		return p.data, true
	}
	return p.spill.load(buf, p.at, p.size)
}

// load reads the size bytes written at at into buf, grown as needed, and
// returns them; ok is false (and readErr set) when they could not be
// read.
func (s *spill) load(buf []byte, at int64, size int) (data []byte, ok bool) {
	buf = slices.Grow(buf[:0], size)[:size]
	return buf, s.read(buf, at)
}

// spillLinesAt returns the lines at the record bytes of p at at (see
// linesAt), read back from its spill: first the count, then as many bytes
// as that many lines may take, up to the end of p's records.
func (p *packedCandidates) spillLinesAt(at, start int) []int {
	head := make([]byte, min(binary.MaxVarintLen64, p.size-at))
	if !p.spill.read(head, p.at+int64(at)) {
		return nil
	}
	count, k := binary.Uvarint(head)
	if k <= 0 || count == 0 {
		return nil
	}
	need := min(uint64(k)+(count-1)*binary.MaxVarintLen64, uint64(p.size-at))
	buf := make([]byte, need)
	if !p.spill.read(buf, p.at+int64(at)) {
		return nil
	}
	r := packedReader{data: buf}
	lines, _ := r.lines(start, nil)
	return lines
}
