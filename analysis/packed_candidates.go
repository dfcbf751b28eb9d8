package analysis

import (
	"encoding/binary"
	"math"
	"strconv"
)

// packedCandidates holds the candidates of a job that a ShownBudget took
// the lines and messages of, in a fifth of the memory: what ranking
// still reads of them (fingerprint, rule, score, lines), in small fields,
// their occurrence lines in one shared array. A large build keeps
// hundreds of thousands of them until it is ranked; as Candidates they
// were most of what its memory grew by with each job.
type packedCandidates struct {
	at    []int32 // each one's index in the job's list of all candidates, ascending
	cands []packedCandidate
	// lines holds the occurrence lines of all, one after the other, each
	// as a varint of its difference from the one before (a candidate's
	// first from 0): mostly one or two bytes where an int takes eight.
	lines []byte
	kinds []candidateKind // the distinct rules of the candidates
}

// packedCandidate is one Candidate without what a dropped candidate no
// longer has (its text, context, reasons, message and test).
type packedCandidate struct {
	fingerprint uint64 // what its Fingerprint spells (fingerprintString)
	score       float64
	lineStart   int32
	lineEnd     int32
	occurrences int32
	inPassing   int32
	linesFrom   uint32 // its Lines start at lines[linesFrom]
	linesLen    uint32 // and are this many
	kind        uint16 // its rule, category and severity: kinds[kind]
	trailer     trailerKind
	noise       bool
	novelty     noveltyClass
	nilLines    bool // Lines was nil, not empty
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
		c.ContextAfter != nil || c.Reasons != nil {
		return false
	}
	for _, n := range []int{c.LineStart, c.LineEnd, c.Occurrences, c.InPassingTests, len(c.Lines)} {
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
		old = &packedCandidates{}
	}
	p := &packedCandidates{
		at:    make([]int32, 0, len(old.at)+n),
		cands: make([]packedCandidate, 0, len(old.cands)+n),
		lines: old.lines, // clipped: appending copies it
		kinds: old.kinds,
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
	for pos := 0; pos < len(old.at)+len(res.Candidates); pos++ {
		if o < len(old.at) && int(old.at[o]) == pos {
			p.at = append(p.at, int32(pos))
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
		to[i] = -1
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
		fp, _ := packedFingerprint(c.Fingerprint)
		pc := packedCandidate{
			fingerprint: fp,
			score:       c.Score,
			lineStart:   int32(c.LineStart),
			lineEnd:     int32(c.LineEnd),
			occurrences: int32(c.Occurrences),
			inPassing:   int32(c.InPassingTests),
			linesFrom:   uint32(len(p.lines)),
			linesLen:    uint32(len(c.Lines)),
			kind:        ki,
			trailer:     c.Trailer,
			noise:       c.Noise,
			novelty:     c.novelty,
			nilLines:    c.Lines == nil,
		}
		prev := 0
		for _, l := range c.Lines {
			p.lines = binary.AppendVarint(p.lines, int64(l-prev))
			prev = l
		}
		p.at = append(p.at, int32(pos))
		p.cands = append(p.cands, pc)
	}
	p.lines = p.lines[:len(p.lines):len(p.lines)]
	res.Candidates = kept
	res.packed = p
	return to
}

// allCandidates returns every candidate of j, the packed ones (see
// packedCandidates) unpacked in their places: j.Candidates itself when
// none is packed, else a new list.
func (j *JobResult) allCandidates() []Candidate {
	p := j.packed
	if p == nil || len(p.at) == 0 {
		return j.Candidates
	}
	all := make([]Candidate, 0, len(p.at)+len(j.Candidates))
	n := 0
	for i := range p.cands {
		n += int(p.cands[i].linesLen)
	}
	lines := make([]int, 0, n) // the Lines of all, one array
	next, o := 0, 0
	for pos := 0; pos < cap(all); pos++ {
		if o >= len(p.at) || int(p.at[o]) != pos {
			all = append(all, j.Candidates[next])
			next++
			continue
		}
		pc := &p.cands[o]
		o++
		k := p.kinds[pc.kind]
		c := Candidate{
			Fingerprint:    fingerprintString(pc.fingerprint),
			Rule:           k.rule,
			Category:       k.category,
			Severity:       k.severity,
			Score:          pc.score,
			Trailer:        pc.trailer,
			Noise:          pc.noise,
			shownDropped:   true,
			novelty:        pc.novelty,
			InPassingTests: int(pc.inPassing),
			LineStart:      int(pc.lineStart),
			LineEnd:        int(pc.lineEnd),
			Occurrences:    int(pc.occurrences),
		}
		if !pc.nilLines {
			from, prev := len(lines), 0
			for at := int(pc.linesFrom); len(lines)-from < int(pc.linesLen); {
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
	return all
}
