package analysis

import (
	"bytes"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode/utf8"
)

// prefilter is what a pattern's syntax says about its matches without
// running it, derived when the pattern is compiled: most lines a rule is
// tried on fail these checks, and Go's matcher costs a few hundred
// nanoseconds even to fail.
type prefilter struct {
	// starts, for a pattern anchored at the start of the text, holds the
	// texts a match begins with; exact says they decide the match alone.
	starts *startTrie
	exact  bool
	// need is a set of strings one of which every match contains.
	need [][]byte
	// follows: one of them passes on every text with a match.
	follows []follow
}

// Limits of the derivation: past them it gives up (a weaker prefilter is
// still a true one).
const (
	maxStarts      = 512 // texts in starts
	maxStartBytes  = 48  // bytes of one
	maxClassRunes  = 16  // characters of a class expanded into texts
	maxNeedStrings = 8   // strings in need
)

// newPrefilter derives the prefilter of a pattern.
func newPrefilter(src string) prefilter {
	var p prefilter
	raw, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return p
	}
	p.follows = followsOf(raw)
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return p
	}
	re = re.Simplify()
	prog, err := syntax.Compile(re)
	anchored := err == nil && prog.StartCond()&syntax.EmptyBeginText != 0
	if anchored {
		if alts, ok := expand(re, true); ok && len(alts) > 0 {
			p.starts = newStartTrie(alts)
			p.exact = true
			for _, a := range alts {
				if a.open {
					p.exact = false
				}
			}
		}
	}
	if !p.exact {
		if set, ok := required(re); ok {
			p.need = set
		}
	}
	return p
}

// decide reports what the prefilter says of t: whether a match is
// impossible, and whether it is certain (exact patterns only).
func (p *prefilter) decide(t []byte) (possible, certain bool) {
	if p.starts != nil {
		ok := p.starts.matches(t)
		if !ok || p.exact {
			return ok, ok
		}
	}
	if p.need != nil && !containsAny(t, p.need) {
		return false, false
	}
	if p.follows != nil && !followPossible(p.follows, t) {
		return false, false
	}
	return true, false
}

func containsAny(t []byte, set [][]byte) bool {
	for _, s := range set {
		if bytes.Contains(t, s) {
			return true
		}
	}
	return false
}

// alt is one way a part of a pattern can match: the text s, then the end
// of the text (end), or then anything the derivation did not follow
// (open).
type alt struct {
	s    string
	end  bool
	open bool
}

// expand returns every text re can match at the start of the text, when
// they are few; a part it cannot follow (a repeat, a large class, a word
// boundary) ends a text with open set, which makes the result a necessary
// condition rather than an exact one. ok is false when nothing useful
// comes out.
func expand(re *syntax.Regexp, atStart bool) ([]alt, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 || slices.Contains(re.Rune, utf8.RuneError) {
			return []alt{{open: true}}, true // other cases; invalid bytes
		}
		return []alt{{s: string(re.Rune)}}, true
	case syntax.OpCharClass:
		var out []alt
		n := 0
		for i := 0; i+1 < len(re.Rune); i += 2 {
			n += int(re.Rune[i+1]-re.Rune[i]) + 1
			if n > maxClassRunes {
				return []alt{{open: true}}, true
			}
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if r == utf8.RuneError {
					return []alt{{open: true}}, true // also matches invalid bytes
				}
				out = append(out, alt{s: string(r)})
			}
		}
		return out, true
	case syntax.OpEmptyMatch:
		return []alt{{}}, true
	case syntax.OpBeginText:
		if atStart {
			return []alt{{}}, true
		}
		return nil, false
	case syntax.OpEndText:
		return []alt{{end: true}}, true
	case syntax.OpCapture:
		return expand(re.Sub[0], atStart)
	case syntax.OpQuest:
		sub, ok := expand(re.Sub[0], atStart)
		if !ok {
			return nil, false
		}
		return append(sub, alt{}), true
	case syntax.OpAlternate:
		var out []alt
		for _, s := range re.Sub {
			sub, ok := expand(s, atStart)
			if !ok {
				return nil, false
			}
			out = append(out, sub...)
			if len(out) > maxStarts {
				return []alt{{open: true}}, true
			}
		}
		return out, true
	case syntax.OpConcat:
		acc := []alt{{}}
		for i, s := range re.Sub {
			sub, ok := expand(s, atStart && i == 0)
			if !ok {
				return nil, false
			}
			acc = concatAlts(acc, sub)
			if len(acc) > maxStarts {
				return []alt{{open: true}}, true
			}
		}
		return acc, true
	}
	// Repeats, any character, word boundaries: the text goes on in ways
	// not followed.
	return []alt{{open: true}}, true
}

// concatAlts returns the texts of a followed by b.
func concatAlts(a, b []alt) []alt {
	var out []alt
	seen := map[alt]bool{}
	add := func(x alt) {
		if len(x.s) > maxStartBytes {
			x = alt{s: x.s[:maxStartBytes], open: true}
		}
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	for _, x := range a {
		if x.open {
			add(x)
			continue
		}
		for _, y := range b {
			if x.end && y.s != "" {
				continue // nothing follows the end of the text
			}
			add(alt{s: x.s + y.s, end: x.end || y.end, open: y.open})
		}
	}
	return out
}

// required returns strings one of which every match of re contains, or
// false when it finds none worth checking.
func required(re *syntax.Regexp) ([][]byte, bool) {
	exact, clause := requiredOf(re)
	if clause == nil && exact != nil {
		clause = exact
	}
	if clause == nil || len(clause) > maxNeedStrings {
		return nil, false
	}
	out := make([][]byte, 0, len(clause))
	for _, s := range clause {
		if s == "" {
			return nil, false // the empty string: no condition
		}
		out = append(out, []byte(s))
	}
	return out, true
}

// requiredOf returns, for a part of a pattern, the exact texts it matches
// when they are few (exact), and otherwise strings one of which each of its
// matches contains (clause); nil for either when there are none.
func requiredOf(re *syntax.Regexp) (exact, clause []string) {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 || slices.Contains(re.Rune, utf8.RuneError) {
			return nil, nil
		}
		return []string{string(re.Rune)}, nil
	case syntax.OpCharClass:
		alts, _ := expand(re, false)
		if len(alts) == 0 || len(alts) > 4 || alts[0].open {
			return nil, nil
		}
		for _, a := range alts {
			exact = append(exact, a.s)
		}
		return exact, nil
	case syntax.OpEmptyMatch, syntax.OpBeginText, syntax.OpEndText, syntax.OpBeginLine, syntax.OpEndLine,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return []string{""}, nil
	case syntax.OpCapture:
		return requiredOf(re.Sub[0])
	case syntax.OpPlus:
		e, c := requiredOf(re.Sub[0])
		return nil, bestClause(e, c)
	case syntax.OpRepeat:
		if re.Min < 1 {
			return nil, nil
		}
		e, c := requiredOf(re.Sub[0])
		return nil, bestClause(e, c)
	case syntax.OpAlternate:
		var union []string
		allExact := true
		for _, s := range re.Sub {
			e, c := requiredOf(s)
			if e == nil {
				allExact = false
			}
			best := bestClause(e, c)
			if best == nil {
				return nil, nil
			}
			union = append(union, best...)
		}
		union = dedupe(union)
		if allExact && len(union) <= maxNeedStrings {
			return union, nil
		}
		return nil, union
	case syntax.OpConcat:
		var best []string
		run := []string{""} // the exact texts of the children so far
		for _, s := range re.Sub {
			e, c := requiredOf(s)
			if c != nil {
				best = betterClause(best, c)
			}
			if e == nil {
				best = betterClause(best, run)
				run = []string{""}
				continue
			}
			if next := cross(run, e); len(next) <= maxNeedStrings {
				run = next
			} else {
				best = betterClause(betterClause(best, run), e)
				run = e
			}
		}
		if best == nil {
			return run, nil // every child exact
		}
		return nil, betterClause(best, run)
	}
	return nil, nil
}

// bestClause makes a clause of what requiredOf returned.
func bestClause(exact, clause []string) []string {
	if clause != nil {
		return clause
	}
	return exact
}

// betterClause returns the more selective of two clauses: the one whose
// shortest string is longer, then the one with fewer strings. A clause
// with the empty string in it is no condition.
func betterClause(a, b []string) []string {
	qa, qb := quality(a), quality(b)
	if qb > qa || qb == qa && len(b) < len(a) {
		return b
	}
	return a
}

func quality(c []string) int {
	if len(c) == 0 || len(c) > maxNeedStrings {
		return -1
	}
	q := maxStartBytes
	for _, s := range c {
		q = min(q, len(s))
	}
	return q
}

func cross(a, b []string) []string {
	out := make([]string, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, x+y)
		}
	}
	return dedupe(out)
}

func dedupe(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}

// startTrie holds the texts a match begins with, as a trie of bytes.
type startTrie struct {
	nodes []trieNode
}

type trieNode struct {
	edges  []trieEdge
	accept bool // a text ends here; anything may follow
	atEnd  bool // a text ends here, which must be the end of t
}

type trieEdge struct {
	b    byte
	next int32
}

func newStartTrie(alts []alt) *startTrie {
	t := &startTrie{nodes: []trieNode{{}}}
	for _, a := range alts {
		n := 0
	walk:
		for i := 0; i < len(a.s); i++ {
			for _, e := range t.nodes[n].edges {
				if e.b == a.s[i] {
					n = int(e.next)
					continue walk
				}
			}
			t.nodes = append(t.nodes, trieNode{})
			t.nodes[n].edges = append(t.nodes[n].edges, trieEdge{a.s[i], int32(len(t.nodes) - 1)})
			n = len(t.nodes) - 1
		}
		if a.end && !a.open {
			t.nodes[n].atEnd = true
		} else {
			t.nodes[n].accept = true
		}
	}
	return t
}

// matches reports whether t begins with one of the texts.
func (t *startTrie) matches(text []byte) bool {
	n := 0
	for i := 0; ; i++ {
		node := &t.nodes[n]
		if node.accept || node.atEnd && i == len(text) {
			return true
		}
		if i == len(text) {
			return false
		}
		next := -1
		for _, e := range node.edges {
			if e.b == text[i] {
				next = int(e.next)
				break
			}
		}
		if next < 0 {
			return false
		}
		n = next
	}
}

// follow is a necessary condition of a pattern whose matches hold a
// literal followed by runs of characters of a few classes, then something
// that begins with one of a few bytes (gitleaks' "keyword, up to 20 word
// characters, then an assignment" and "prefix, then 36 letters and
// digits"): some occurrence of a literal is followed by what the runs
// allow and then by one of those bytes.
type follow struct {
	lits  []string // in lower case when fold is set
	fold  bool     // the literals match in any case
	steps []followStep
	// then holds the bytes that may come after the steps; nil: anything.
	then *[256]bool
	// thenEnd: the end of the text may come after the steps instead.
	thenEnd bool
}

// followStep is a run of min to max (-1: any number) characters of a
// class of ASCII bytes; a non-ASCII character is not followed (the check
// then says a match is possible).
type followStep struct {
	class    [256]bool
	min, max int
}

// maxFollowSteps caps the runs a follow check walks.
const maxFollowSteps = 12

// followsOf derives the follow checks of a parsed (not simplified)
// pattern: one, or one per branch of an alternation of literals; nil when
// the pattern has no such shape. Any of them passing means a match is
// possible.
func followsOf(re *syntax.Regexp) []follow {
	elems := concatElems(re, nil)
	for i, e := range elems {
		if lits, fold, ok := literalish(e); ok {
			return []follow{makeFollow(lits, fold, elems[i+1:])}
		}
		if out := alternateFollows(e, elems[i+1:]); out != nil {
			return out
		}
	}
	return nil
}

// alternateFollows returns a check per branch of an alternation whose
// branches each begin with a literal, followed by rest.
func alternateFollows(e *syntax.Regexp, rest []*syntax.Regexp) []follow {
	alt := uncapture(e)
	if alt.Op != syntax.OpAlternate {
		return nil
	}
	var out []follow
	for _, b := range alt.Sub {
		be := concatElems(b, nil)
		lits, fold, ok := literalish(be[0])
		if !ok {
			return nil
		}
		out = append(out, makeFollow(lits, fold, append(be[1:len(be):len(be)], rest...)))
	}
	return out
}

// concatElems appends the parts of a concatenation, groups opened up.
func concatElems(re *syntax.Regexp, out []*syntax.Regexp) []*syntax.Regexp {
	switch re.Op {
	case syntax.OpConcat:
		for _, s := range re.Sub {
			out = concatElems(s, out)
		}
		return out
	case syntax.OpCapture:
		return concatElems(re.Sub[0], out)
	}
	return append(out, re)
}

func uncapture(re *syntax.Regexp) *syntax.Regexp {
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	return re
}

// literalish returns the strings of a literal or an alternation of
// literals of at least 2 bytes, in one case mode.
func literalish(re *syntax.Regexp) ([]string, bool, bool) {
	re = uncapture(re)
	var subs []*syntax.Regexp
	switch re.Op {
	case syntax.OpLiteral:
		subs = []*syntax.Regexp{re}
	case syntax.OpAlternate:
		subs = re.Sub
	default:
		return nil, false, false
	}
	fold := subs[0].Flags&syntax.FoldCase != 0
	var lits []string
	for _, s := range subs {
		if s.Op != syntax.OpLiteral || (s.Flags&syntax.FoldCase != 0) != fold || len(s.Rune) < 2 {
			return nil, false, false
		}
		lit := string(s.Rune)
		if fold {
			lit = foldString(lit)
		}
		lits = append(lits, lit)
	}
	return lits, fold, true
}

// foldString folds s as foldByte folds the bytes of a line.
func foldString(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c < utf8.RuneSelf {
			b[i] = foldByte(c)
		}
	}
	return string(b)
}

// zeroWidth reports whether re matches only the empty string: an
// assertion.
func zeroWidth(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpBeginText, syntax.OpEndText, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpWordBoundary,
		syntax.OpNoWordBoundary, syntax.OpEmptyMatch:
		return true
	}
	return false
}

// makeFollow builds the check of lits followed by rest.
func makeFollow(lits []string, fold bool, rest []*syntax.Regexp) follow {
	f := follow{lits: lits, fold: fold}
	for _, e := range rest {
		if zeroWidth(e) && e.Op != syntax.OpEndText {
			continue
		}
		if st, ok := stepOf(e); ok && len(f.steps) < maxFollowSteps {
			f.steps = append(f.steps, st...)
			continue
		}
		if e.Op == syntax.OpEndText {
			f.then, f.thenEnd = new([256]bool), true
		} else if set, end, ok := firstSet(e); ok {
			f.then, f.thenEnd = set, end
		}
		break
	}
	return f
}

// stepOf returns the runs re matches when it is a class, a literal or a
// repeat of a one-character class or literal.
func stepOf(re *syntax.Regexp) ([]followStep, bool) {
	re = uncapture(re)
	min, max := 1, 1
	sub := re
	switch re.Op {
	case syntax.OpStar:
		min, max, sub = 0, -1, re.Sub[0]
	case syntax.OpPlus:
		min, max, sub = 1, -1, re.Sub[0]
	case syntax.OpQuest:
		min, max, sub = 0, 1, re.Sub[0]
	case syntax.OpRepeat:
		min, max, sub = re.Min, re.Max, re.Sub[0]
	case syntax.OpLiteral:
		var out []followStep
		for _, r := range re.Rune {
			class, ok := classOf(&syntax.Regexp{Op: syntax.OpLiteral, Rune: []rune{r}, Flags: re.Flags})
			if !ok {
				return nil, false
			}
			out = append(out, followStep{class: *class, min: 1, max: 1})
		}
		return out, true
	}
	sub = uncapture(sub)
	if sub.Op == syntax.OpLiteral && len(sub.Rune) != 1 {
		return nil, false
	}
	class, ok := classOf(sub)
	if !ok {
		return nil, false
	}
	return []followStep{{class: *class, min: min, max: max}}, true
}

// classOf returns the ASCII bytes a one-character class or literal
// matches; non-ASCII characters it matches are left out (a walk stops at
// a non-ASCII byte and says a match is possible).
func classOf(re *syntax.Regexp) (*[256]bool, bool) {
	var set [256]bool
	switch re.Op {
	case syntax.OpLiteral:
		if len(re.Rune) != 1 {
			return nil, false
		}
		addRuneRange(&set, re.Rune[0], re.Rune[0], re.Flags&syntax.FoldCase != 0)
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			addRuneRange(&set, re.Rune[i], min(re.Rune[i+1], utf8.RuneSelf-1), false)
		}
	case syntax.OpAnyCharNotNL:
		for c := range 256 {
			set[c] = c != '\n'
		}
	case syntax.OpAnyChar:
		for c := range 256 {
			set[c] = true
		}
	default:
		return nil, false
	}
	for c := utf8.RuneSelf; c < 256; c++ {
		set[c] = false
	}
	return &set, true
}

// firstSet returns the bytes a match of re can begin with, and whether
// the end of the text may stand there instead (an alternative "$").
// Non-ASCII bytes are always in the set.
func firstSet(re *syntax.Regexp) (*[256]bool, bool, bool) {
	re = uncapture(re)
	set := new([256]bool)
	for c := utf8.RuneSelf; c < 256; c++ {
		set[c] = true
	}
	switch re.Op {
	case syntax.OpLiteral, syntax.OpCharClass:
		first := re
		if re.Op == syntax.OpLiteral {
			first = &syntax.Regexp{Op: syntax.OpLiteral, Rune: re.Rune[:1], Flags: re.Flags}
		}
		c, ok := classOf(first)
		if !ok {
			return nil, false, false
		}
		for b := range utf8.RuneSelf {
			set[b] = c[b]
		}
		return set, false, true
	case syntax.OpPlus:
		return firstSet(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min < 1 {
			return nil, false, false
		}
		return firstSet(re.Sub[0])
	case syntax.OpConcat:
		elems := concatElems(re, nil)
		for len(elems) > 0 && zeroWidth(elems[0]) && elems[0].Op != syntax.OpEndText {
			elems = elems[1:]
		}
		if len(elems) == 0 {
			return nil, false, false
		}
		return firstSet(elems[0])
	case syntax.OpEndText:
		return new([256]bool), true, true
	case syntax.OpAlternate:
		end := false
		for _, s := range re.Sub {
			sub, e, ok := firstSet(s)
			if !ok {
				return nil, false, false
			}
			for b := range 256 {
				set[b] = set[b] || sub[b]
			}
			end = end || e
		}
		return set, end, true
	}
	return nil, false, false
}

// followPossible reports whether some follow check passes on line.
func followPossible[T ~string | ~[]byte](fs []follow, line T) bool {
	for i := range fs {
		if followPasses(&fs[i], line) {
			return true
		}
	}
	return false
}

// followPasses reports whether f passes on line: some occurrence of a
// literal is followed by what the steps allow, then by a byte of then.
func followPasses[T ~string | ~[]byte](f *follow, line T) bool {
	for _, lit := range f.lits {
		if f.fold && strings.ContainsAny(lit, "ks") && hasNonASCII(line) {
			return true // "ſ" and the Kelvin sign fold to s and k
		}
		for off := 0; ; {
			i := followIndex(f, line[off:], lit)
			if i < 0 {
				break
			}
			if followWalk(f, line, off+i+len(lit)) {
				return true
			}
			off += i + 1
		}
	}
	return false
}

func followIndex[T ~string | ~[]byte](f *follow, s T, lit string) int {
	if !f.fold {
		return index(s, lit)
	}
	for i := 0; i+len(lit) <= len(s); i++ {
		if foldByte(s[i]) == lit[0] && hasFoldedPrefix(s[i:], lit) {
			return i
		}
	}
	return -1
}

// followWalk reports whether, from end, the steps and then can be met.
func followWalk[T ~string | ~[]byte](f *follow, line T, end int) bool {
	at := []int{end}
	var next []int
	for _, st := range f.steps {
		next = next[:0]
		for _, p := range at {
			for k := 0; st.max < 0 || k <= st.max; k++ {
				if k >= st.min {
					next = append(next, p+k)
				}
				q := p + k
				if q >= len(line) {
					break
				}
				if line[q] >= utf8.RuneSelf {
					return true
				}
				if !st.class[line[q]] {
					break
				}
			}
		}
		if len(next) == 0 {
			return false
		}
		slices.Sort(next)
		at, next = slices.Compact(next), at
	}
	if f.then == nil {
		return true
	}
	for _, p := range at {
		if p == len(line) && f.thenEnd || p < len(line) && f.then[line[p]] {
			return true
		}
	}
	return false
}

func hasNonASCII[T ~string | ~[]byte](s T) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return true
		}
	}
	return false
}
