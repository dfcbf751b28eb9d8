package analysis

import (
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
)

// pattern is a regular expression of the rules, compiled on first use: a
// run meets few of the patterns (a short log, a handful), so start-up
// compiles none, and a long log compiles each once. A pattern is safe for
// concurrent use.
type pattern struct {
	src string

	plainOnce sync.Once
	plain     *regexp.Regexp // src as written
	preOnce   sync.Once
	plainPre  prefilter // its screens

	ruleOnce sync.Once
	rule     matcher // src as a rule runs it
}

// re declares a pattern; it is compiled when first used.
func re(src string) *pattern { return &pattern{src: src} }

// Match reports whether b holds a match of the pattern as written. The
// pattern is compiled once a text passes its screens.
func (p *pattern) Match(b []byte) bool {
	p.preOnce.Do(func() { _, p.plainPre = screens(p.src) })
	possible, certain := p.plainPre.decide(b)
	return possible && (certain || p.compiled().Match(b))
}

// compiled returns the pattern as written, compiled.
func (p *pattern) compiled() *regexp.Regexp {
	p.plainOnce.Do(func() { p.plain = regexp.MustCompile(p.src) })
	return p.plain
}

// String returns the pattern as written.
func (p *pattern) String() string { return p.src }

// matcher is a pattern as classification runs it, with the screens that
// spare most lines the regular expression. It is built in two stages: on
// first use, only the texts its matches begin with (start), which turn
// away most lines a rule is tried on; the first line that passes them
// builds the rest, and the first that passes those compiles the
// expression. A run of destill on one
// log tries a few dozen rules and half of them never get a line past
// their start: deriving every screen and compiling took more of such a
// run than analyzing the log.
type matcher struct {
	src string // the pattern as run
	// onLower: the pattern was case-insensitive ("(?i)...") and src is its
	// lower-case form, to run on the lower-cased line: Go's case folding
	// is several times slower than matching a lower-cased copy, which
	// classification makes anyway.
	onLower bool
	start   startScreen

	restOnce sync.Once
	// first, when set, holds the bytes a match can start with (the pattern
	// is anchored at the start).
	first *[256]bool
	// pre says, of most lines, that re cannot match, and of some that it
	// does, without running it (its starts are start's).
	pre prefilter

	reOnce sync.Once
	re     *regexp.Regexp // compiled once a line passes the screens

	// runs runs re only where a match can begin; nil: re alone. It is
	// built once re has run runsAfter times: deriving it costs about
	// what compiling re does, which a short log would not win back.
	ran      atomic.Int32
	runsOnce sync.Once
	runs     *startRuns

	// tried counts the lines match asked pre about, up to preTrial, and
	// turned those it turned away. A pre that turns away fewer than one
	// in preKeepRatio of its first preTrial lines is skipped from then on
	// (skipPre): it costs more than the expression it spares (Maven's
	// "Tests run: ..., Failures: 0" count line passed its follow checks
	// in 1 µs and then matched in 0.36 µs). Which lines are screened
	// depends on timing when workers share the matcher; what match
	// answers does not, since the expression decides every line pre lets
	// through.
	tried, turned atomic.Int32
	skipPre       atomic.Bool
}

// Limits of the trial of a matcher's pre (see matcher.tried).
const (
	preTrial     = 256
	preKeepRatio = 16
)

// match reports whether re matches t, asking the screens first.
func (m *matcher) match(t []byte) bool {
	possible, certain := m.screens(t, true)
	if !possible {
		return false
	}
	if certain {
		return true
	}
	re := m.compiled()
	if m.ran.Load() < runsAfter {
		m.ran.Add(1)
		return re.Match(t)
	}
	m.runsOnce.Do(func() { m.runs = newStartRuns(m.src) })
	if m.runs == nil {
		return re.Match(t)
	}
	return m.runs.match(t)
}

// runsAfter is how many times a matcher runs its expression before it
// builds its startRuns.
const runsAfter = 64

// decide reports what the screens say of t: whether a match is possible,
// and whether it is certain. Past the start screen, it builds the rest.
func (m *matcher) decide(t []byte) (possible, certain bool) {
	return m.screens(t, false)
}

// screens is decide; with trial set, it counts what pre says and skips
// pre once the trial showed it turns away too few lines.
func (m *matcher) screens(t []byte, trial bool) (possible, certain bool) {
	if st := m.start.starts; st != nil {
		ok := st.matches(t)
		if !ok || m.start.exact {
			return ok, ok
		}
	}
	m.rest()
	if m.first != nil && len(t) > 0 && !m.first[t[0]] {
		return false, false
	}
	if !trial {
		return m.pre.decide(t)
	}
	if m.skipPre.Load() {
		return true, false
	}
	possible, certain = m.pre.decide(t)
	if m.tried.Load() < preTrial {
		if !possible {
			m.turned.Add(1)
		}
		if m.tried.Add(1) == preTrial && m.turned.Load() < preTrial/preKeepRatio {
			m.skipPre.Store(true)
		}
	}
	return possible, certain
}

// rest derives the screens past the start, once.
func (m *matcher) rest() {
	m.restOnce.Do(func() { m.first, m.pre = m.start.rest() })
}

// compiled compiles the expression, once.
func (m *matcher) compiled() *regexp.Regexp {
	m.reOnce.Do(func() { m.re = regexp.MustCompile(m.src) })
	return m.re
}

// full builds every stage of the matcher and returns it.
func (m *matcher) full() *matcher {
	m.rest()
	m.compiled()
	return m
}

// matcher returns the pattern compiled for classification (its first
// stage).
func (p *pattern) matcher() *matcher {
	p.ruleOnce.Do(func() {
		p.rule.src, p.rule.onLower = lowerSource(p.src)
		p.rule.start = newStartScreen(p.rule.src)
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
