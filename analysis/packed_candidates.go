package analysis

import (
	"bytes"
	"encoding/binary"
	"math"
	"strconv"
)

// packedCandidates holds the candidates of a job that a ShownBudget took
// the lines and messages of, in a tenth of the memory: what ranking still
// reads of them (fingerprint, rule, score, lines), as one stream of
// records of small numbers. A large build keeps hundreds of thousands of
// them until it is ranked; as Candidates they were most of what its memory
// grew by with each job, and as fixed 40-byte structs still most of it.
type packedCandidates struct {
	// packed has a bit for each candidate of the job's list of all
	// candidates (allCandidates), set when it is packed; n is the list's
	// length.
	packed []uint64
	n      int
	count  int // how many candidates are packed
	lines  int // how many occurrence lines they hold, together
	// data holds a record of each packed candidate, in the order of the
	// list (see appendPacked): mostly 16 bytes and one or two a line,
	// where a struct took 40 besides its lines. When spill is set, they
	// are not in memory but in it, size bytes at at (see bytes).
	data   []byte
	spill  *spill
	at     int64
	size   int
	kinds  *candidateKinds // the rules of the candidates, shared by a build's jobs
	scores []float64       // the distinct scores of the candidates
}

// packedCandidate is one Candidate without what a dropped candidate no
// longer has (its text, context, reasons, message and test): one record
// of packedCandidates.data, decoded.
type packedCandidate struct {
	fingerprint uint64 // what its Fingerprint spells (fingerprintString)
	score       float64
	lineStart   int
	lineEnd     int
	occurrences int
	inPassing   int
	kind        uint16 // its rule, category and severity: kinds.list[kind]
	// flags holds its trailer kind (2 bits), whether it is noise, and its
	// novelty class (2 bits).
	flags uint8
	lines []int // nil when its Lines were
	// linesAt is where its lines are in the data it was read from (see
	// packedCandidates.linesAt).
	linesAt int
}

// candidateKind is the rule, category and severity of a candidate.
type candidateKind struct {
	rule, category string
	severity       Severity
}

// candidateKinds numbers the distinct rules (with category and severity)
// of packed candidates: one table for a build's jobs, which share their
// rules (a table a job took some 3 KB of a large build's memory).
type candidateKinds struct {
	list  []candidateKind
	index map[candidateKind]uint16
}

// number returns the number of k, adding it when new; ok is false when
// there are more kinds than a number can name.
func (t *candidateKinds) number(k candidateKind) (n uint16, ok bool) {
	if n, ok := t.index[k]; ok {
		return n, true
	}
	if len(t.list) > math.MaxUint16 {
		return 0, false
	}
	if t.index == nil {
		t.index = map[candidateKind]uint16{}
	}
	n = uint16(len(t.list))
	t.list = append(t.list, k)
	t.index[k] = n
	return n, true
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

// packCandidates packs the candidates of res that can be (packable),
// numbering their rules in kinds (or in the table of res's packed ones,
// when it has some), and writing the records to sp when it can (nil:
// keep them in memory). It returns, for each candidate res had before,
// its index in res.Candidates after, or -1 when it was packed; nil when
// none was.
func packCandidates(res *JobResult, kinds *candidateKinds, sp *spill) []int {
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
		old = &packedCandidates{packed: make([]uint64, (total+63)/64), n: total, kinds: kinds}
	}
	oldData, ok := old.bytes(nil)
	if !ok {
		return nil // the packed ones are lost, and ranking says so (ShownBudget.Err); packing more would not help
	}
	p := &packedCandidates{
		packed: make([]uint64, len(old.packed)),
		n:      old.n,
		kinds:  old.kinds,
		scores: old.scores, // appended to: the old ones go
	}
	scoreOf := map[uint64]uint32{}
	for i, s := range p.scores {
		scoreOf[math.Float64bits(s)] = uint32(i)
	}
	data := make([]byte, 0, len(oldData)+24*n)
	prev := 0 // the line the record before starts at
	add := func(pc *packedCandidate) {
		bits := math.Float64bits(pc.score)
		si, ok := scoreOf[bits]
		if !ok {
			si = uint32(len(p.scores))
			scoreOf[bits] = si
			p.scores = append(p.scores, pc.score)
		}
		data = appendPacked(data, pc, si, prev)
		prev = pc.lineStart
		p.count++
		p.lines += len(pc.lines)
	}
	to := make([]int, len(res.Candidates))
	kept := make([]Candidate, 0, len(res.Candidates)-n)
	r := packedReader{data: oldData, scores: old.scores}
	var pc packedCandidate
	var scratch []int
	// Walk the job's list of all candidates: the packed ones at their
	// places, the others in order in the gaps.
	next := 0
	for pos := range p.n {
		if old.isPacked(pos) {
			p.packed[pos/64] |= 1 << (pos % 64)
			scratch = r.next(&pc, scratch[:0])
			add(&pc)
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
		ki, ok := p.kinds.number(candidateKind{rule: c.Rule, category: c.Category, severity: c.Severity})
		if !ok {
			// More distinct rules than a number can name: keep it as it is.
			to[i] = len(kept)
			kept = append(kept, *c)
			continue
		}
		to[i] = -1
		p.packed[pos/64] |= 1 << (pos % 64)
		fp, _ := packedFingerprint(c.Fingerprint)
		flags := uint8(c.Trailer) | uint8(c.novelty)<<3
		if c.Noise {
			flags |= 1 << 2
		}
		pc = packedCandidate{
			fingerprint: fp,
			score:       c.Score,
			lineStart:   c.LineStart,
			lineEnd:     c.LineEnd,
			occurrences: c.Occurrences,
			inPassing:   c.InPassingTests,
			kind:        ki,
			flags:       flags,
			lines:       c.Lines,
		}
		add(&pc)
	}
	if len(data) > math.MaxInt32 {
		return nil // cannot be: a job's packed data is a few hundred KB; packing nothing loses nothing
	}
	sp.drop(old)
	if at, ok := sp.put(data); ok {
		p.spill, p.at, p.size = sp, at, len(data)
	} else {
		p.data = bytes.Clone(data) // exactly as long: it is kept until the build is ranked
	}
	res.Candidates = kept
	res.packed = p
	return to
}

// appendPacked appends the record of pc to data, with score, the index of
// its score, and prev, the first line of the record before (0 for the
// first): its fingerprint (8 bytes), the indexes of its score and rule
// (uvarints), its flags (a byte), the differences of its first line from
// prev and of its last line from its first, its occurrences and its
// count in passing tests (varints), how many lines it has (a uvarint,
// plus one; 0: nil), and the difference of each line from the one before
// (the first's from its first line).
func appendPacked(data []byte, pc *packedCandidate, score uint32, prev int) []byte {
	data = binary.LittleEndian.AppendUint64(data, pc.fingerprint)
	data = binary.AppendUvarint(data, uint64(score))
	data = binary.AppendUvarint(data, uint64(pc.kind))
	data = append(data, pc.flags)
	data = binary.AppendVarint(data, int64(pc.lineStart-prev))
	data = binary.AppendVarint(data, int64(pc.lineEnd-pc.lineStart))
	data = binary.AppendVarint(data, int64(pc.occurrences))
	data = binary.AppendVarint(data, int64(pc.inPassing))
	count := uint64(0) // nil
	if pc.lines != nil {
		count = uint64(len(pc.lines)) + 1
	}
	data = binary.AppendUvarint(data, count)
	last := pc.lineStart
	for _, l := range pc.lines {
		data = binary.AppendVarint(data, int64(l-last))
		last = l
	}
	return data
}

// packedReader decodes the records of a packedCandidates (appendPacked),
// data, in order; scores is its table of scores.
type packedReader struct {
	data   []byte
	scores []float64
	at     int
	prev   int // the first line of the record before
}

// next decodes the next record into pc, its lines appended to lines, which
// it returns (pc.lines is the part appended, clipped).
func (r *packedReader) next(pc *packedCandidate, lines []int) []int {
	d := r.data
	pc.fingerprint = binary.LittleEndian.Uint64(d[r.at:])
	r.at += 8
	pc.score = r.scores[r.uvarint()]
	pc.kind = uint16(r.uvarint())
	pc.flags = d[r.at]
	r.at++
	pc.lineStart = r.prev + r.varint()
	pc.lineEnd = pc.lineStart + r.varint()
	pc.occurrences = r.varint()
	pc.inPassing = r.varint()
	r.prev = pc.lineStart
	pc.linesAt = r.at
	pc.lines, lines = r.lines(pc.lineStart, lines)
	return lines
}

// lines decodes the lines of the record whose lines are next, which
// starts at line start, appending them to buf: it returns them (nil when
// the candidate's Lines were, else clipped) and buf.
func (r *packedReader) lines(start int, buf []int) ([]int, []int) {
	count := r.uvarint()
	if count == 0 {
		return nil, buf
	}
	if buf == nil {
		buf = make([]int, 0, count-1)
	}
	from, last := len(buf), start
	for range count - 1 {
		last += r.varint()
		buf = append(buf, last)
	}
	return buf[from:len(buf):len(buf)], buf
}

// linesAt returns the lines of the record of p whose lines are at data[at]
// (packedCandidate.linesAt) and that starts at line start, in a new slice.
func (p *packedCandidates) linesAt(at, start int) []int {
	if p.spill != nil {
		return p.spillLinesAt(at, start)
	}
	r := packedReader{data: p.data, at: at}
	lines, _ := r.lines(start, nil)
	return lines
}

func (r *packedReader) uvarint() uint64 {
	v, k := binary.Uvarint(r.data[r.at:])
	r.at += k // k > 0: appendPacked wrote it
	return v
}

func (r *packedReader) varint() int {
	v, k := binary.Varint(r.data[r.at:])
	r.at += k
	return int(v)
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
	data  []byte // the records read back from a spill
	// secs are the sections of the job last unpacked, read from secData.
	secs    []Section
	secData []byte
	fps     map[uint64]string
	// linesAt holds, for each candidate of the list unpack returned last,
	// where its lines are in the job's packed data (packedCandidates.linesAt),
	// or 0 when it was not packed.
	linesAt []int32
}

// unpack returns every candidate of j (allCandidates): j.Candidates itself
// when none is packed.
func (u *unpacker) unpack(j *JobResult) []Candidate {
	p := j.packed
	if p == nil || p.count == 0 {
		u.linesAt = nil
		return j.Candidates
	}
	data, ok := p.bytes(u.data)
	if !ok {
		u.linesAt = nil
		return j.Candidates // the packed ones are lost, and ranking says so (ShownBudget.Err)
	}
	if p.spill != nil {
		u.data = data
	}
	if cap(u.cands) < p.n {
		u.cands = make([]Candidate, 0, p.n)
	}
	all := u.cands[:0]
	lines := u.lines[:0] // the Lines of all, one array
	if cap(lines) < p.lines || lines == nil {
		lines = make([]int, 0, max(p.lines, 1))
	}
	if u.fps == nil {
		u.fps = map[uint64]string{}
	}
	linesAt := u.linesAt[:0]
	r := packedReader{data: data, scores: p.scores}
	var pc packedCandidate
	next := 0
	for pos := range p.n {
		if !p.isPacked(pos) {
			all = append(all, j.Candidates[next])
			linesAt = append(linesAt, 0)
			next++
			continue
		}
		lines = r.next(&pc, lines)
		linesAt = append(linesAt, int32(pc.linesAt)) // data is under 4 GB: packCandidates checks
		k := p.kinds.list[pc.kind]
		fp, ok := u.fps[pc.fingerprint]
		if !ok {
			fp = fingerprintString(pc.fingerprint)
			u.fps[pc.fingerprint] = fp
		}
		all = append(all, Candidate{
			Fingerprint:    fp,
			Rule:           k.rule,
			Category:       k.category,
			Severity:       k.severity,
			Score:          pc.score,
			Trailer:        trailerKind(pc.flags & 3),
			Noise:          pc.flags&(1<<2) != 0,
			shownDropped:   true,
			novelty:        noveltyClass(pc.flags >> 3),
			InPassingTests: pc.inPassing,
			LineStart:      pc.lineStart,
			LineEnd:        pc.lineEnd,
			Occurrences:    pc.occurrences,
			Lines:          pc.lines,
		})
	}
	u.cands, u.lines, u.linesAt = all, lines, linesAt
	return all
}

// job returns j, or a copy with its packed candidates and sections
// unpacked (into u's lists, good until the next call).
func (u *unpacker) job(j *JobResult) *JobResult {
	if j.packed == nil && j.sections == nil {
		return j
	}
	all := *j
	if j.packed != nil {
		all.Candidates, all.packed = u.unpack(j), nil
	}
	if j.sections != nil {
		u.secs, u.secData = j.sections.unpack(u.secs, u.secData)
		all.Sections, all.sections = u.secs, nil
	}
	return &all
}
