package analysis

import (
	"slices"
	"sync"
)

const (
	maxDistinctStrong = 4000
	maxDistinctWeak   = 1000
	// maxDistinctVerdicts bounds the runner's verdicts kept, apart from
	// the other messages.
	maxDistinctVerdicts = 100
	weakScore           = 0.3
)

// foundSet is the candidates of one job: one per fingerprint, in the order
// found, within the per-job caps.
type foundSet struct {
	byFP    map[uint64]*Candidate // by the hash their Fingerprint spells
	order   []*Candidate
	kept    distinctCap
	dropped int // occurrences of messages over the caps, and lines skimmed past them
	// keptShapes holds the line shapes (lineShape) of the lines that opened
	// the kept candidates: past the cap, only lines of these shapes are
	// classified (see skims).
	keptShapes shapeSet
	fpCache    shapeCache[fpEntry] // fingerprints by message shape
	fpBuf      []byte              // scratch: what a fingerprint hashes
}

// record turns a closed block into a candidate, or counts it as one more
// occurrence of a message seen before. msg is its message line; trailing
// counts the blank lines cut from its end, which are context after.
func (a *Analyzer) record(b *block, msg []byte, trailing int) {
	f := &a.found
	fp, entry := f.fingerprint(b.r.category, msg, a)
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
			*c = *a.candidate(b, fp, a.shown(msg))
			c.Occurrences, c.Lines, c.InPassingTests = occ, lines, passing
			a.awaitAfter(c, b, trailing)
		}
		return
	}
	if !f.kept.admit(b.score, b.r.trailer) {
		f.dropped++
		return
	}
	a.copyBefore(b)
	c := a.candidate(b, fp, a.shown(msg))
	f.byFP[fp] = c
	if b.shape != 0 {
		f.keptShapes.add(b.shape)
	}
	if entry != nil {
		entry.c = c
	}
	f.order = append(f.order, c)
	a.goTest.saw(c)
	a.awaitAfter(c, b, trailing)
}

// skims reports whether a line that may open a block, of this shape
// (lineShape), is left unread. Once the strong messages are at their cap a
// new one could only be dropped, so a line is classified only when it is
// shaped like a line that opened a kept candidate, which it may repeat
// with other numbers, or when it holds a word of a runner's verdict
// (which ranking reads to find the failed step). Every other line is
// dropped unread (the caller counts it). This keeps a flood of distinct
// errors near the speed of ordinary lines; what it costs is that past the
// cap an occurrence of a kept message printed in another shape (another
// path, hex id or quoted name) counts as dropped rather than as an
// occurrence, and a weak message is dropped even when the weak ones are
// not at their cap.
func (f *foundSet) skims(shape uint64, text []byte) bool {
	if f.kept.strong < maxDistinctStrong {
		return false
	}
	if shape != 0 && f.keptShapes.has(shape) {
		return false
	}
	return !verdictWords().contains(text)
}

// verdictWords finds the words a runner's verdict on a job or a step
// holds: those the job-failure rules need (each has some, see
// TestVerdictRulesNeedWords). It is built on first use, by a job past
// the cap.
var verdictWords = sync.OnceValue(func() *keywordSet {
	var words []string
	for i := range rules {
		if rules[i].trailer == jobFailure {
			words = append(words, rules[i].need...)
		}
	}
	return newKeywordSet(words)
})

// distinctCap bounds the distinct messages kept of one job: at most
// maxDistinctStrong strong and maxDistinctWeak weak ones, and apart from
// them maxDistinctVerdicts verdicts of the runner, so that a job timed out
// after a flood of errors still says so.
type distinctCap struct{ strong, weak, verdicts int }

// admit counts a new message of this score and trailer kind, or reports
// false when the messages of its kind are at their cap.
func (d *distinctCap) admit(score float64, trailer trailerKind) bool {
	switch {
	case trailer == jobFailure:
		return countUnder(&d.verdicts, maxDistinctVerdicts)
	case score < weakScore:
		return countUnder(&d.weak, maxDistinctWeak)
	}
	return countUnder(&d.strong, maxDistinctStrong)
}

// countUnder adds one to *n and reports true when *n is under limit.
func countUnder(n *int, limit int) bool {
	if *n >= limit {
		return false
	}
	*n++
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
func (f *foundSet) fingerprint(category string, msg []byte, a *Analyzer) (uint64, *fpEntry) {
	if a.redactor.hasLiteral(msg) {
		return f.hash(category, a.shown(msg)), nil
	}
	key := messageShape(category, msg)
	e := f.fpCache.at(key, fpCacheBits)
	if e.key != key || !e.full {
		e = f.fpCache.store(key, fpEntry{key: key, fp: f.hash(category, a.shown(msg)), full: true}, fpCacheBits)
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
		Text:          a.shownLines(text),
		ContextBefore: a.shownLines(before),
		ContextAfter:  []string{},
		Occurrences:   1,
		Lines:         []int{b.start},
	}
}
