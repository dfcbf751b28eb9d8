package analysis

import (
	"bytes"
	"math/bits"
	"sync"
)

// lineView is a cleaned line prepared for classification.
type lineView struct {
	text   []byte // cleaned text
	trim   []byte // text without leading white space
	indent int    // columns of leading white space (a tab counts 4)
	mark   Mark
	scan   uint8    // what the trigger set found in text
	lower  []byte   // ASCII lower-case copy of text, made only for candidate lines
	lits   []uint64 // which literals of the rule index occur in lower, one bit per id
	try    ruleMask // which rules are worth trying: their need is met or they have none
	// verdict: the line is a runner's verdict on a failed command.
	verdict bool
}

// leadingSpace returns b without leading blanks and the columns they span.
func leadingSpace(b []byte) ([]byte, int) {
	n := 0
	for i, c := range b {
		switch c {
		case ' ':
			n++
		case '\t':
			n += 4
		default:
			return b[i:], n
		}
	}
	return nil, n
}

// triggerSet finds the trigger words, and in the same pass the marks of a Go
// diagnostic and of a private key block. It is built at compile time
// (keyword_tables.go, from buildTriggerSet), so a run does not spend the
// 0.2 ms building it and faulting in its 64 KiB table.
func triggerSet() *keywordSet { return &triggerKeywords }

// buildTriggerSet builds the set triggerSet returns.
func buildTriggerSet() *keywordSet {
	return newFlaggedKeywordSet(append(append(append([]string(nil), triggerWords...), ".go:", "-----begin "), diagnosticExts...),
		diagnosticFlags())
}

// diagnosticExts are the ".ext:" marks of a "file.ext:line: message"
// diagnostic from a tool that prints no failure word (flake8, ktlint,
// detekt, vint, luacheck, markdownlint, tldr-lint, ...); ".py:" and ".rb:"
// are trigger words of their own.
var diagnosticExts = []string{".kt:", ".kts:", ".hs:", ".vim:", ".lua:", ".ex:", ".exs:", ".erl:", ".clj:", ".cljs:", ".cljc:",
	".md:", ".rst:", ".pm:", ".pl:", ".sh:", ".bash:", ".coffee:", ".swift:", ".php:", ".scala:", ".java:", ".js:", ".jsx:", ".mjs:",
	".ts:", ".tsx:", ".rs:", ".dart:", ".zig:", ".yml:", ".yaml:", ".css:", ".scss:", ".less:", ".html:", ".tex:", ".cpp:",
	".cc:", ".hpp:", ".cs:", ".elm:", ".nim:", ".jl:", ".ml:", ".sql:", ".proto:", ".tf:"}

func diagnosticFlags() map[string]uint8 {
	m := map[string]uint8{".go:": scanGoDiag, "-----begin ": scanPEM}
	for _, e := range diagnosticExts {
		m[e] = scanDiag
	}
	return m
}

// diagnosticMark reports whether a line without trigger words may still
// be a diagnostic of a source file other than Go's (see scanGoDiag): one
// indented at most 4 columns (luacheck indents its list by 4) whose first
// word holds a colon ("src/x.lua:14:7:", not a stack frame's "at").
func diagnosticMark(scan uint8, indent int, trim []byte) bool {
	if scan&scanDiag == 0 || indent > 4 {
		return false
	}
	for i, c := range trim[:min(len(trim), 200)] {
		switch c {
		case ':':
			return i > 0
		case ' ', '\t', '(':
			return false
		}
	}
	return false
}

// leadBytes are the first bytes leadMarker can say yes to.
var leadBytes = func() (t [256]bool) {
	for _, c := range []byte("!CDEeLWg@[0123456789\xe2\xc3") {
		t[c] = true
	}
	return t
}()

// leadTrigger reports whether a line's first non-blank characters alone
// make it worth classifying (pytest "E   ", Jest "●", "1) ", "go: ",
// an unindented "file.go:12:" diagnostic, ...). indent < 0 skips the
// diagnostic check, for callers that scanned for ".go:" already.
func leadTrigger(trim []byte, indent int) bool {
	if len(trim) > 1 && indent == 0 && goDiagnostic(trim[:min(len(trim), 200)]) {
		return true
	}
	return hasLeadMarker(trim)
}

// hasLeadMarker is leadTrigger without the diagnostic check. It is small
// enough to inline on the per-line path, where most lines stop at the
// leadBytes test.
func hasLeadMarker(trim []byte) bool {
	return len(trim) > 1 && leadBytes[trim[0]] && leadMarker(trim)
}

// leadMarker is hasLeadMarker's test of the marker itself, for a trim of
// at least 2 bytes.
func leadMarker(trim []byte) bool {
	switch c := trim[0]; {
	case c == 'E' && (trim[1] == ' ' || trim[1] == '\t'):
		return true
	case c == 'e' && trim[1] == ':':
		return true
	case c >= '0' && c <= '9':
		i := 0
		for i < len(trim) && trim[i] >= '0' && trim[i] <= '9' {
			i++
		}
		if i == 2 && len(trim) > 7 && trim[2] == ':' && trim[5] == ' ' && trim[6] == '+' {
			// dart test's "00:07 +41 -1: name [E]"
			return bytes.HasSuffix(trim, []byte(" [E]"))
		}
		return i+1 < len(trim) && trim[i] == ')' && trim[i+1] == ' '
	case c == 'g' && bytes.HasPrefix(trim, []byte("go: ")):
		return !bytes.HasPrefix(trim, []byte("go: downloading ")) && !bytes.HasPrefix(trim, []byte("go: finding ")) &&
			!bytes.HasPrefix(trim, []byte("go: extracting "))
	case c == 0xE2 || c == 0xC3: // ●, ✕, ✖, ✗, ✘, ⨯, │, ┃ and ×
		return true
	case c == '!': // TeX's "! Undefined control sequence."
		return trim[1] == ' ' && len(trim) > 2 && (trim[2] >= 'A' && trim[2] <= 'Z' || trim[2] == ' ')
	case c == 'W': // rcmdcheck's "W  checking x ..."
		return bytes.HasPrefix(trim, []byte("W  checking "))
	case c == 'C': // dart format's "Changed lib/x.dart"
		return bytes.HasPrefix(trim, []byte("Changed ")) && bytes.HasSuffix(trim, []byte(".dart"))
	case c == 'D': // AVA's "Difference (- actual, + expected):"
		return bytes.HasPrefix(trim, []byte("Difference"))
	case c == '[': // a link checker's "[404] https://..."
		i := bytes.IndexByte(trim, ']')
		return i > 1 && i < 5 && (trim[1] == '4' || trim[1] == '5' || trim[1] == '0') && bytes.HasPrefix(trim[i+1:], []byte(" http"))
	case c == '@': // a diff's hunk header
		return bytes.HasPrefix(trim, []byte("@@ -"))
	case c == 'L': // htmlhint's "L14 |" source line
		i := 1
		for i < len(trim) && trim[i] >= '0' && trim[i] <= '9' {
			i++
		}
		return i > 1 && i+1 < len(trim) && trim[i] == ' ' && trim[i+1] == '|'
	}
	return false
}

// goDiagnostic reports whether b contains ".go:", the mark of a Go
// compiler or vet message ("./x.go:12:3: undefined: y").
func goDiagnostic(b []byte) bool {
	for off := 0; ; {
		i := bytes.IndexByte(b[off:], ':')
		if i < 0 {
			return false
		}
		i += off
		if i >= 3 && b[i-3] == '.' && b[i-2] == 'g' && b[i-1] == 'o' {
			return true
		}
		off = i + 1
	}
}

// classCacheBits sizes the cache of classified line shapes.
const classCacheBits = 13

// classCache remembers what classification says of lines by shape: logs
// repeat the same lines with other numbers many times over. What it holds
// depends on the line alone, so a cache goes from one job's analyzer to
// the next (classCaches) and starts warm: the jobs of a build print much
// the same lines. It also holds the memo of lines shown (shownMemo), which
// depends on the Redactor's literal secrets too and checks them.
type classCache struct {
	entries shapeCache[classified]
	lower   []byte        // scratch: the lower-cased line
	lits    []uint64      // scratch: which literals it holds
	dfa     *lazyLiterals // finds them
	shown   shownMemo     // the shown form of the lines shown last
}

// verifyClassCache, set by a test, is called on every cache hit with what
// the cache said.
var verifyClassCache func(cc *classCache, l *lineView, inEcho bool, cached classified)

// classCaches holds the caches of the analyzers that finished.
var classCaches = sync.Pool{New: func() any { return new(classCache) }}

// release puts cc back in classCaches, warm, but without the lines it
// showed (which are a finished run's, and may name what the run let go of
// to stay within its budget).
func (cc *classCache) release() {
	cc.shown.forget()
	classCaches.Put(cc)
}

// classified is what classification (with the noise check) says of a line.
type classified struct {
	key    uint64
	r      *rule // nil: not a candidate
	score  float64
	noise  string
	factor float64
}

func (c classified) shapeKey() (uint64, bool) { return c.key, c.key != 0 }

// lookup classifies l, or returns what it said of a line of the same shape.
// inEcho says l is part of a script echo.
func (cc *classCache) lookup(l *lineView, inEcho bool) classified {
	return cc.lookupShape(l, lineShape(l.text, l.mark, inEcho), inEcho)
}

// lookupShape is lookup of a line whose lineShape is key.
func (cc *classCache) lookupShape(l *lineView, key uint64, inEcho bool) classified {
	cached := cc.entries.at(key, classCacheBits)
	if cached.key == key && key != 0 {
		if verifyClassCache != nil {
			verifyClassCache(cc, l, inEcho, *cached)
		}
		return *cached
	}
	c := classified{key: key}
	if cc.lits == nil {
		ix := rulesIndexed()
		cc.lits = make([]uint64, ix.words())
		cc.dfa = newLazyLiterals(ix.lits, ix.whole)
	}
	cc.lower = l.prepare(cc.lower, cc.lits, cc.dfa)
	r, score, ok := classify(l)
	if !ok && l.mark == MarkErrorAnnotation && len(l.trim) > 0 {
		r, score, ok = &annotationRule, annotationRule.score, true
	}
	if ok {
		c.r, c.score = r, score
		if (r.trailer == notTrailer || r.trailer == summary) && score > 0.05 {
			c.noise, c.factor = noiseReason(l, r, inEcho)
		}
	}
	cc.entries.store(key, c, classCacheBits)
	return c
}

// prepare lower-cases the line into buf and finds its literals with dfa,
// a matcher of the rule index's literals.
func (l *lineView) prepare(buf []byte, lits []uint64, dfa *lazyLiterals) []byte {
	buf = appendLower(buf[:0], l.text)
	ix := rulesIndexed()
	l.lower = buf
	l.lits = lits
	l.try = dfa.match(buf, lits, ix.byLiteral)
	l.try.add(&ix.always)
	first := 256
	if len(l.trim) > 0 {
		first = int(l.trim[0])
	}
	l.try.keep(&leadAllows()[first])
	return buf
}

func (l *lineView) hasID(id uint16) bool {
	return l.lits[id>>6]&(1<<(id&63)) != 0
}

func (l *lineView) hasAnyID(ids []uint16) bool {
	for _, id := range ids {
		if l.hasID(id) {
			return true
		}
	}
	return false
}

// maxMatchBytes caps the part of a line the rules' patterns see: an error
// message states itself early, and a regular expression over a 64 KB line
// costs far more than the answer is worth.
const maxMatchBytes = 4096

// classify returns the rule that matches l, if any. l must be prepared.
func classify(l *lineView) (*rule, float64, bool) {
	for w, word := range l.try {
		for bits := word; bits != 0; bits &= bits - 1 {
			i := w*64 + trailingZeros(bits)
			if r, ok := tryRule(i, l); ok {
				return r, r.score, true
			}
		}
	}
	if s, ok := genericScore(l); ok {
		return &genericRule, s, true
	}
	return nil, 0, false
}

func trailingZeros(x uint64) int { return bits.TrailingZeros64(x) }

// tryRule reports whether rule i matches l, whose literals and first byte
// told it might (prepare keeps in l.try only the rules whose lead allows
// the line: see leadAllows).
func tryRule(i int, l *lineView) (*rule, bool) {
	{
		r := &rules[i]
		if r.pre != nil && !r.pre(l) {
			return nil, false
		}
		if r.re != nil {
			if m, t := r.input(l); !m.match(t) {
				return nil, false
			}
		}
		if r.fn != nil && !r.fn(l) {
			return nil, false
		}
		return r, true
	}
}

// input returns the rule's compiled pattern and the part of l it runs on:
// the line or its lower-cased copy, without its indentation when the rule
// is trimmed, at most maxMatchBytes.
func (r *rule) input(l *lineView) (*matcher, []byte) {
	m := r.re.matcher()
	t := l.text
	switch {
	case m.onLower && r.trimmed:
		t = l.lower[len(l.text)-len(l.trim):]
	case m.onLower:
		t = l.lower
	case r.trimmed:
		t = l.trim
	}
	if len(t) > maxMatchBytes {
		t = t[:maxMatchBytes]
	}
	return m, t
}

// genericScore returns the score of the best failure word standing as a
// word in the line.
func genericScore(l *lineView) (float64, bool) {
	best, ok := 0.0, false
	ids := rulesIndexed().generic
	for i, g := range genericWords {
		if g.score > best && l.hasID(ids[i]) && hasWord(l.lower, g.word) {
			best, ok = g.score, true
		}
	}
	return best, ok
}

// hasWord reports whether word occurs in s as a word: not part of an
// identifier, a path, a flag or a dotted name.
func hasWord(s []byte, word string) bool {
	w := []byte(word)
	for off := 0; off < len(s); {
		i := bytes.Index(s[off:], w)
		if i < 0 {
			return false
		}
		i += off
		if wordBoundaryBefore(s, i) && wordBoundaryAfter(s, i+len(w)) {
			return true
		}
		off = i + 1
	}
	return false
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func wordBoundaryBefore(s []byte, i int) bool {
	if i == 0 {
		return true
	}
	c := s[i-1]
	if isWordByte(c) {
		return false
	}
	if (c == '.' || c == '-' || c == '/' || c == '$' || c == '@' || c == '+') && i >= 2 && (isWordByte(s[i-2]) || s[i-2] == '-') {
		return false
	}
	return !(c == '-' || c == '/')
}

func wordBoundaryAfter(s []byte, j int) bool {
	if j >= len(s) {
		return true
	}
	c := s[j]
	if isWordByte(c) {
		return false
	}
	if (c == '.' || c == '-' || c == '/' || c == '(') && j+1 < len(s) && isWordByte(s[j+1]) {
		return false
	}
	return true
}
