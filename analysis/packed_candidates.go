package analysis

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/bits"
	"strconv"
)

// packedCandidates holds the candidates of a job that a ShownBudget took
// the lines and messages of, in a sixth of the memory: what ranking still
// reads of them (fingerprint, rule, score, lines), in small fields, their
// occurrence lines in one shared array. A large build keeps hundreds of
// thousands of them until it is ranked; as Candidates they were most of
// what its memory grew by with each job.
type packedCandidates struct {
	// packed has a bit for each candidate of the job's list of all
	// candidates (allCandidates), set when it is packed; n is the list's
	// length.
	packed []uint64
	n      int
	cands  []packedCandidate // in the order of the list
	// lines holds the occurrence lines of each, one after the other: a
	// varint of how many (plus one; 0: Lines was nil), then a varint of
	// each one's difference from the one before (the first's from 0),
	// mostly one or two bytes where an int takes eight.
	lines []byte
	kinds []candidateKind // the distinct rules of the candidates
}

// packedCandidate is one Candidate without what a dropped candidate no
// longer has (its text, context, reasons, message and test): 40 bytes.
type packedCandidate struct {
	fingerprint uint64 // what its Fingerprint spells (fingerprintString)
	score       float64
	lineStart   int32
	lineEnd     int32
	occurrences int32
	inPassing   int32
	linesFrom   uint32 // its Lines are at lines[linesFrom]
	kind        uint16 // its rule, category and severity: kinds[kind]
	// flags holds its trailer kind (2 bits), whether it is noise, and its
	// novelty class (2 bits).
	flags uint8
}

// candidateKind is the rule, category and severity of a candidate.
type candidateKind struct {
	rule, category string
	severity       Severity
}

// packable reports whether c can be packed without losing anything: it
// lost its lines and its message, has no test, and its numbers fit.
func packable(c *Candidate) bool {
	if !c.shownDropped || c.Message != "" || c.Test != nil || c.Text != nil || c.ContextBefore != nil ||
		c.ContextAfter != nil || c.Reasons != nil || c.Trailer > 3 || c.novelty > 3 {
		return false
	}
	for _, n := range []int{c.LineStart, c.LineEnd, c.Occurrences, c.InPassingTests} {
		if n < math.MinInt32 || n > math.MaxInt32 {
			return false
		}
	}
	_, ok := packedFingerprint(c.Fingerprint)
	return ok
}

// packedFingerprint returns the hash a fingerprint spells, if
// fingerprintString spelled it.
func packedFingerprint(fp string) (uint64, bool) {
	if len(fp) != 16 {
		return 0, false
	}
	h, err := strconv.ParseUint(fp, 16, 64)
	return h, err == nil && fingerprintString(h) == fp
}

// isPacked reports whether candidate pos of the job's list is packed.
func (p *packedCandidates) isPacked(pos int) bool {
	return p.packed[pos/64]&(1<<(pos%64)) != 0
}

// packCandidates packs the candidates of res that can be (packable) and
// returns, for each candidate res had before, its index in
// res.Candidates after, or -1 when it was packed; nil when none was.
func packCandidates(res *JobResult) []int {
	n := 0
	for i := range res.Candidates {
		if packable(&res.Candidates[i]) {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	old := res.packed
	if old == nil {
		total := len(res.Candidates)
		old = &packedCandidates{packed: make([]uint64, (total+63)/64), n: total}
	}
	p := &packedCandidates{
		packed: make([]uint64, len(old.packed)),
		n:      old.n,
		cands:  make([]packedCandidate, 0, len(old.cands)+n),
		lines:  old.lines, // clipped: appending copies it
		kinds:  old.kinds,
	}
	kindOf := map[candidateKind]uint16{}
	for i, k := range p.kinds {
		kindOf[k] = uint16(i)
	}
	to := make([]int, len(res.Candidates))
	kept := make([]Candidate, 0, len(res.Candidates)-n)
	// Walk the job's list of all candidates: the packed ones at their
	// places, the others in order in the gaps.
	next, o := 0, 0
	for pos := range p.n {
		if old.isPacked(pos) {
			p.packed[pos/64] |= 1 << (pos % 64)
			p.cands = append(p.cands, old.cands[o])
			o++
			continue
		}
		i := next
		next++
		c := &res.Candidates[i]
		if !packable(c) {
			to[i] = len(kept)
			kept = append(kept, *c)
			continue
		}
		k := candidateKind{rule: c.Rule, category: c.Category, severity: c.Severity}
		ki, ok := kindOf[k]
		if !ok {
			if len(p.kinds) > math.MaxUint16 {
				// More distinct rules than the index can name: keep it as it is.
				to[i] = len(kept)
				kept = append(kept, *c)
				continue
			}
			p.kinds = append(p.kinds, k)
			ki = uint16(len(p.kinds) - 1)
			kindOf[k] = ki
		}
		to[i] = -1
		p.packed[pos/64] |= 1 << (pos % 64)
		fp, _ := packedFingerprint(c.Fingerprint)
		flags := uint8(c.Trailer) | uint8(c.novelty)<<3
		if c.Noise {
			flags |= 1 << 2
		}
		p.cands = append(p.cands, packedCandidate{
			fingerprint: fp,
			score:       c.Score,
			lineStart:   int32(c.LineStart),
			lineEnd:     int32(c.LineEnd),
			occurrences: int32(c.Occurrences),
			inPassing:   int32(c.InPassingTests),
			linesFrom:   uint32(len(p.lines)),
			kind:        ki,
			flags:       flags,
		})
		count := uint64(0) // nil
		if c.Lines != nil {
			count = uint64(len(c.Lines)) + 1
		}
		p.lines = binary.AppendUvarint(p.lines, count)
		prev := 0
		for _, l := range c.Lines {
			p.lines = binary.AppendVarint(p.lines, int64(l-prev))
			prev = l
		}
	}
	if len(p.lines) > math.MaxUint32 {
		return nil // cannot be: a job's packed lines are a few hundred KB; packing nothing loses nothing
	}
	// Exactly as long: appending grew it by doubling, and it is kept
	// until the build is ranked. (Appending to it later copies it.)
	p.lines = bytes.Clone(p.lines)
	res.Candidates = kept
	res.packed = p
	return to
}

// allCandidates returns every candidate of j, the packed ones (see
// packedCandidates) unpacked in their places: j.Candidates itself when
// none is packed, else a new list.
func (j *JobResult) allCandidates() []Candidate {
	var u unpacker
	return u.unpack(j)
}

// unpacker unpacks the packed candidates of jobs, one job at a time, into
// lists it reuses, and spells each fingerprint once: ranking a large
// build unpacks hundreds of jobs twice, and new lists and strings for
// each made garbage faster than the collector took it.
// A list it returns is good until its next unpack.
type unpacker struct {
	cands []Candidate
	lines []int
	fps   map[uint64]string
}

// unpack returns every candidate of j (allCandidates): j.Candidates itself
// when none is packed.
func (u *unpacker) unpack(j *JobResult) []Candidate {
	p := j.packed
	if p == nil || len(p.cands) == 0 {
		return j.Candidates
	}
	if cap(u.cands) < p.n {
		u.cands = make([]Candidate, 0, p.n)
	}
	all := u.cands[:0]
	lines := u.lines[:0] // the Lines of all, one array
	if n := packedLineCount(p); cap(lines) < n {
		lines = make([]int, 0, n)
	}
	if u.fps == nil {
		u.fps = map[uint64]string{}
	}
	next, o := 0, 0
	for pos := range p.n {
		if !p.isPacked(pos) {
			all = append(all, j.Candidates[next])
			next++
			continue
		}
		pc := &p.cands[o]
		o++
		k := p.kinds[pc.kind]
		fp, ok := u.fps[pc.fingerprint]
		if !ok {
			fp = fingerprintString(pc.fingerprint)
			u.fps[pc.fingerprint] = fp
		}
		c := Candidate{
			Fingerprint:    fp,
			Rule:           k.rule,
			Category:       k.category,
			Severity:       k.severity,
			Score:          pc.score,
			Trailer:        trailerKind(pc.flags & 3),
			Noise:          pc.flags&(1<<2) != 0,
			shownDropped:   true,
			novelty:        noveltyClass(pc.flags >> 3),
			InPassingTests: int(pc.inPassing),
			LineStart:      int(pc.lineStart),
			LineEnd:        int(pc.lineEnd),
			Occurrences:    int(pc.occurrences),
		}
		at := int(pc.linesFrom)
		count, k0 := binary.Uvarint(p.lines[at:])
		at += k0
		if count > 0 {
			from, prev := len(lines), 0
			for range count - 1 {
				d, k := binary.Varint(p.lines[at:])
				if k <= 0 {
					break // cannot be: packCandidates wrote them
				}
				at += k
				prev += int(d)
				lines = append(lines, prev)
			}
			c.Lines = lines[from:len(lines):len(lines)]
		}
		all = append(all, c)
	}
	u.cands, u.lines = all, lines
	return all
}

// job returns j, or a copy with its packed candidates unpacked (into u's
// list, good until the next call).
func (u *unpacker) job(j *JobResult) *JobResult {
	if j.packed == nil {
		return j
	}
	all := *j
	all.Candidates, all.packed = u.unpack(j), nil
	return &all
}

// packedLineCount returns how many occurrence lines p holds: the varints
// that are not counts, a byte each ending with its top bit clear.
func packedLineCount(p *packedCandidates) int {
	n := 0
	for i := 0; i+8 <= len(p.lines); i += 8 {
		n += 8 - bits.OnesCount64(binary.LittleEndian.Uint64(p.lines[i:])&0x8080808080808080)
	}
	for _, b := range p.lines[len(p.lines)&^7:] {
		if b < 0x80 {
			n++
		}
	}
	return n - len(p.cands)
}
