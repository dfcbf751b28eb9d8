package analysis

import "slices"

const (
	maxDistinctStrong = 4000
	maxDistinctWeak   = 1000
	weakScore         = 0.3
)

// foundSet is the candidates of one job: one per fingerprint, in the order
// found, within the per-job caps.
type foundSet struct {
	byFP    map[uint64]*Candidate // by the hash their Fingerprint spells
	order   []*Candidate
	kept    distinctCap
	dropped int                 // occurrences of messages over the caps
	fpCache shapeCache[fpEntry] // fingerprints by message shape
	fpBuf   []byte              // scratch: what a fingerprint hashes
}

// record turns a closed block into a candidate, or counts it as one more
// occurrence of a message seen before. msg is its message line; trailing
// counts the blank lines cut from its end, which are context after.
func (a *Analyzer) record(b *block, msg []byte, trailing int) {
	f := &a.found
	fp, entry := f.fingerprint(b.r.category, msg, a.redactor)
	if c, ok := f.keptFor(fp, entry); ok {
		a.goTest.saw(c)
		c.Occurrences++
		if len(c.Lines) < MaxOccurrenceLines {
			c.Lines = append(c.Lines, b.start)
		}
		// A clearly stronger occurrence (the first was echoed or noisy)
		// becomes the one shown.
		if b.score > c.Score+0.1 {
			occ, lines, passing := c.Occurrences, c.Lines, c.InPassingTests
			a.copyBefore(b)
			*c = *a.candidate(b, fp, a.redactor.shown(msg))
			c.Occurrences, c.Lines, c.InPassingTests = occ, lines, passing
			a.awaitAfter(c, b, trailing)
		}
		return
	}
	if !f.kept.admit(b.score) {
		f.dropped++
		return
	}
	a.copyBefore(b)
	c := a.candidate(b, fp, a.redactor.shown(msg))
	f.byFP[fp] = c
	if entry != nil {
		entry.c = c
	}
	f.order = append(f.order, c)
	a.goTest.saw(c)
	a.awaitAfter(c, b, trailing)
}

// distinctCap bounds the distinct messages kept of one job: at most
// maxDistinctStrong strong and maxDistinctWeak weak ones.
type distinctCap struct{ strong, weak int }

// admit counts a new message of this score, or reports false when the
// messages of its strength are at their cap.
func (d *distinctCap) admit(score float64) bool {
	if score < weakScore {
		if d.weak >= maxDistinctWeak {
			return false
		}
		d.weak++
		return true
	}
	if d.strong >= maxDistinctStrong {
		return false
	}
	d.strong++
	return true
}

// fpCacheBits sizes the cache of fingerprints by message shape.
const fpCacheBits = 12

// fpEntry remembers the fingerprint of a message shape and the candidate
// kept for that fingerprint, once there is one.
type fpEntry struct {
	key  uint64
	fp   uint64
	full bool // key and fp are set
	c    *Candidate
}

func (e fpEntry) shapeKey() (uint64, bool) { return e.key, e.full }

// fingerprint returns the fingerprint of a message line and, when the
// line's shape is cached, its cache entry. Lines of the same shape
// (letters, punctuation and the length of every digit run) normalize
// alike, so their fingerprints are remembered by shape.
func (f *foundSet) fingerprint(category string, msg []byte, r *Redactor) (uint64, *fpEntry) {
	if r.hasLiteral(msg) {
		return f.hash(category, r.shown(msg)), nil
	}
	key := messageShape(category, msg)
	e := f.fpCache.at(key, fpCacheBits)
	if e.key != key || !e.full {
		e = f.fpCache.store(key, fpEntry{key: key, fp: f.hash(category, r.shown(msg)), full: true}, fpCacheBits)
	}
	return e.fp, e
}

// hash returns the hash Fingerprint(category, message) spells.
func (f *foundSet) hash(category, message string) uint64 {
	var h uint64
	h, f.fpBuf = fingerprintOf(f.fpBuf, category, message)
	return h
}

// keptFor returns the candidate kept for fp, remembering it in e.
func (f *foundSet) keptFor(fp uint64, e *fpEntry) (*Candidate, bool) {
	if e != nil && e.c != nil {
		return e.c, true
	}
	c, ok := f.byFP[fp]
	if ok && e != nil {
		e.c = c
	}
	return c, ok
}

// candidate makes the candidate a block shows.
func (a *Analyzer) candidate(b *block, fp uint64, message string) *Candidate {
	text := make([]string, len(b.lines))
	for i, l := range b.lines {
		text[i] = printable(l)
	}
	before := make([]string, len(b.before))
	for i, l := range b.before {
		before[i] = printable(l)
	}
	reasons := []string{b.r.name}
	for _, r := range b.reasons {
		if !slices.Contains(reasons, r) {
			reasons = append(reasons, r)
		}
	}
	if b.noise != "" {
		reasons = append(reasons, b.noise)
	}
	score := b.score
	if score > 1 {
		score = 1
	}
	return &Candidate{
		Fingerprint:   fingerprintString(fp),
		Rule:          b.r.name,
		Category:      b.r.category,
		Severity:      b.r.severity,
		Score:         score,
		Reasons:       reasons,
		Trailer:       b.r.trailer,
		Noise:         b.noise != "",
		LineStart:     b.start,
		LineEnd:       b.start + len(b.lines) - 1,
		Message:       message,
		Text:          a.redactor.shownLines(text),
		ContextBefore: a.redactor.shownLines(before),
		ContextAfter:  []string{},
		Occurrences:   1,
		Lines:         []int{b.start},
	}
}
