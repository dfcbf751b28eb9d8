package analysis

import (
	"regexp"
	"strings"
	"sync"
)

// pattern is a regular expression of the rules, compiled on first use: a
// run meets few of the patterns (a short log, a handful), so start-up
// compiles none, and a long log compiles each once. A pattern is safe for
// concurrent use.
type pattern struct {
	src string

	plainOnce sync.Once
	plain     *regexp.Regexp // src as written
	plainPre  prefilter      // its screens

	ruleOnce sync.Once
	rule     matcher // src as a rule runs it
}

// re declares a pattern; it is compiled when first used.
func re(src string) *pattern { return &pattern{src: src} }

// Match reports whether b holds a match of the pattern as written.
func (p *pattern) Match(b []byte) bool {
	re := p.compiled()
	possible, certain := p.plainPre.decide(b)
	return possible && (certain || re.Match(b))
}

// compiled returns the pattern as written, compiled.
func (p *pattern) compiled() *regexp.Regexp {
	p.plainOnce.Do(func() {
		p.plain = regexp.MustCompile(p.src)
		_, p.plainPre = screens(p.src)
	})
	return p.plain
}

// String returns the pattern as written.
func (p *pattern) String() string { return p.src }

// matcher is a pattern compiled for classification, with the screens that
// spare most lines the regular expression.
type matcher struct {
	re *regexp.Regexp
	// onLower: the pattern was case-insensitive ("(?i)...") and re is its
	// lower-case form, to run on the lower-cased line: Go's case folding
	// is several times slower than matching a lower-cased copy, which
	// classification makes anyway.
	onLower bool
	// first, when set, holds the bytes a match can start with (the pattern
	// is anchored at the start).
	first *[256]bool
	// pre says, of most lines, that re cannot match, and of some that it
	// does, without running it.
	pre prefilter
}

// match reports whether re matches t, asking the prefilter first.
func (m *matcher) match(t []byte) bool {
	possible, certain := m.pre.decide(t)
	if !possible {
		return false
	}
	return certain || m.re.Match(t)
}

// matcher returns the pattern compiled for classification.
func (p *pattern) matcher() *matcher {
	p.ruleOnce.Do(func() {
		src, lower := lowerSource(p.src)
		p.rule.re = regexp.MustCompile(src)
		p.rule.onLower = lower
		p.rule.first, p.rule.pre = screens(src)
	})
	return &p.rule
}

// lowerSource rewrites a case-insensitive pattern "(?i)..." into one that
// matches lower-cased text, and reports whether it did.
func lowerSource(src string) (string, bool) {
	if !strings.HasPrefix(src, "(?i)") {
		return src, false
	}
	src = src[len("(?i)"):]
	var b strings.Builder
	escaped := false
	for _, c := range src {
		if !escaped && c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		escaped = !escaped && c == '\\'
		b.WriteRune(c)
	}
	return b.String(), true
}
