package analysis

import "slices"

const (
	maxDistinctStrong = 4000
	maxDistinctWeak   = 1000
	weakScore         = 0.3
)

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
	key uint64
	fp  string
	c   *Candidate
}

// fingerprint returns the fingerprint of a message line and, when the
// line's shape is cached, its cache entry. Lines of the same shape
// (letters, punctuation and the length of every digit run) normalize
// alike, so their fingerprints are remembered by shape.
func (a *Analyzer) fingerprint(category string, msg []byte) (string, *fpEntry) {
	if len(msg) > maxShownLineBytes {
		msg = msg[:maxShownLineBytes]
	}
	if a.redactor.hasLiteral(msg) {
		return Fingerprint(category, a.redactor.Redact(shown(msg))), nil
	}
	if a.fpCache == nil {
		a.fpCache = new([1 << fpCacheBits]fpEntry)
	}
	key := messageShape(category, msg)
	e := &a.fpCache[slot(key, fpCacheBits)]
	if e.key != key || e.fp == "" {
		*e = fpEntry{key: key, fp: Fingerprint(category, a.redactor.Redact(shown(msg)))}
	}
	return e.fp, e
}

// keptFor returns the candidate kept for fp, remembering it in e.
func (a *Analyzer) keptFor(fp string, e *fpEntry) (*Candidate, bool) {
	if e != nil && e.c != nil {
		return e.c, true
	}
	c, ok := a.byFP[fp]
	if ok && e != nil {
		e.c = c
	}
	return c, ok
}

func (a *Analyzer) candidate(b *block, fp, message string) *Candidate {
	text := make([]string, len(b.lines))
	for i, l := range b.lines {
		text[i] = shown(l)
	}
	before := make([]string, len(b.before))
	for i, l := range b.before {
		before[i] = shown(l)
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
		Fingerprint:   fp,
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
		Text:          a.redactor.RedactLines(text),
		ContextBefore: a.redactor.RedactLines(before),
		ContextAfter:  []string{},
		Occurrences:   1,
		Lines:         []int{b.start},
	}
}
