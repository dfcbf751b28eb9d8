package analysis

import (
	"regexp"
	"regexp/syntax"
)

// startRuns runs a pattern that is not anchored at the start of the text
// only where a match can begin. Go's matcher tries such a pattern at every
// byte of the line, and a rule's pattern is often an alternation of
// phrases ("(?i)\b(timed out|deadline exceeded|...)") that it cannot skip
// to. When every match begins with one of a few texts of three bytes or
// more, startRuns finds where they occur and runs the pattern anchored
// there, with the byte before as its context (for \b). On the 47,000
// distinct line shapes of the corpus logs that classification looks at,
// the six slowest of the 28 rule patterns that qualify took 23 ms in Go's
// matcher and take 2.3 ms this way, with the same answers.
type startRuns struct {
	first  [256]bool      // bytes a start text begins with
	starts *startTrie     // the texts every match begins with
	atZero *regexp.Regexp // \A(?:src): a match at the start of the text
	inside *regexp.Regexp // \A(?s:.)(?:src): a match one byte in, after its context
}

// minStartBytes is the shortest start text startRuns takes: shorter ones
// (a digit, a letter) begin too often for runs at each to pay.
const minStartBytes = 3

// newStartRuns returns the startRuns of src, or nil when src is anchored
// at the start or its starts are not few texts of minStartBytes or more.
func newStartRuns(src string) *startRuns {
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return nil
	}
	re = re.Simplify()
	if anchoredAtStart(re) {
		return nil // Go's matcher tries these at the start alone
	}
	// A word boundary consumes nothing: without them the pattern matches
	// more texts, so its starts hold every start of src.
	alts, ok := expand(withoutBoundaries(re), false)
	if !ok || len(alts) == 0 {
		return nil
	}
	r := &startRuns{starts: newStartTrie(alts)}
	for _, a := range alts {
		// (A first byte of 0x80 or above could be the end of a
		// character begun by the byte of context.)
		if len(a.s) < minStartBytes || a.s[0] >= 0x80 {
			return nil
		}
		r.first[a.s[0]] = true
	}
	r.atZero = regexp.MustCompile(`\A(?:` + src + `)`)
	r.inside = regexp.MustCompile(`\A(?s:.)(?:` + src + `)`)
	return r
}

// withoutBoundaries returns a copy of re with each \b and \B made an empty
// match.
func withoutBoundaries(re *syntax.Regexp) *syntax.Regexp {
	if re.Op == syntax.OpWordBoundary || re.Op == syntax.OpNoWordBoundary {
		return &syntax.Regexp{Op: syntax.OpEmptyMatch}
	}
	out := *re
	out.Sub = nil
	for _, s := range re.Sub {
		out.Sub = append(out.Sub, withoutBoundaries(s))
	}
	return &out
}

// match reports whether src matches t. A match beginning at i > 0 is
// looked for in t[i-1:], anchored one byte in: that byte is what \b sees
// before i. It may be only the last byte of a character, or an invalid
// one, but the start text begins with an ASCII byte, so it stands alone
// either way, and neither it nor the whole character is a word character.
func (r *startRuns) match(t []byte) bool {
	for i := range t {
		if !r.first[t[i]] || !r.starts.matches(t[i:]) {
			continue
		}
		if i == 0 && r.atZero.Match(t) || i > 0 && r.inside.Match(t[i-1:]) {
			return true
		}
	}
	return false
}
