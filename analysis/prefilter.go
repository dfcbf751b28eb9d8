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
	// need is a set of strings one of which every match contains, each
	// searched for on its own: building an automaton for a large set cost
	// a one-log run more than it saved (a test of a rule's prefilter is
	// rare past its keywords).
	need [][]byte
	// follows: one of them passes on every text with a match.
	follows []follow
	// fromStart, for a pattern anchored at the start of the text, is its
	// follow check walked from the start: it passes on every text with a
	// match.
	fromStart *follow
}

// Limits of the derivation: past them it gives up (a weaker prefilter is
// still a true one).
const (
	maxStarts      = 512 // texts in starts
	maxStartBytes  = 48  // bytes of one
	maxClassRunes  = 16  // characters of a class expanded into texts
	maxNeedStrings = 64  // strings in need
)

// screens derives, from one parse of a pattern, the bytes its matches
// begin with (firstBytes) and its prefilter.
func screens(src string) (*[256]bool, prefilter) {
	s := newStartScreen(src)
	first, p := s.rest()
	p.starts, p.exact = s.starts, s.exact
	return first, p
}

// startScreen is the first of a pattern's screens, derived on its own: the
// texts its matches begin with, when it is anchored at the start of the
// text. Most lines a rule is tried on fail it, so a rule can turn them
// away before the rest of its screens and its matcher are built (see
// matcher).
type startScreen struct {
	raw, re *syntax.Regexp // the pattern parsed, and simplified; nil when it does not parse
	starts  *startTrie
	exact   bool         // starts decides the match alone
	entry   *screenEntry // the screens derived ahead of time, if any
}

// screenMiss, set by a test, hears of each pattern whose screens are
// derived at run time, for want of an entry in screenTable.
var screenMiss func(src string)

// newStartScreen returns the start screen of a pattern: screenTable's,
// or derived now.
func newStartScreen(src string) startScreen {
	if e, ok := tabledScreens(src); ok {
		return e.startScreen()
	}
	if screenMiss != nil {
		screenMiss(src)
	}
	return deriveStartScreen(src)
}

// deriveStartScreen derives the start screen of a pattern from its syntax.
func deriveStartScreen(src string) startScreen {
	raw, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return startScreen{}
	}
	s := startScreen{raw: raw, re: raw.Simplify()} // Simplify makes a new tree: raw is not changed
	if !anchoredAtStart(s.re) {
		return s
	}
	if alts, ok := expand(s.re, true); ok && len(alts) > 0 {
		s.starts = newStartTrie(alts)
		s.exact = true
		for _, a := range alts {
			if a.open {
				s.exact = false
			}
		}
	}
	return s
}

// anchoredAtStart reports whether every match of re begins at the start
// of the text: its first part, through groups and concatenations, is ^
// (as the compiled program's StartCond would say).
func anchoredAtStart(re *syntax.Regexp) bool {
	for {
		switch re.Op {
		case syntax.OpBeginText:
			return true
		case syntax.OpCapture, syntax.OpConcat:
			if len(re.Sub) == 0 {
				return false
			}
			re = re.Sub[0]
		default:
			return false
		}
	}
}

// rest derives the pattern's other screens: the bytes its matches begin
// with, and the prefilter past the starts (its starts are left unset).
func (s startScreen) rest() (*[256]bool, prefilter) {
	if s.entry != nil {
		return s.entry.rest()
	}
	var p prefilter
	if s.raw == nil {
		return nil, p
	}
	p.follows = followsOf(s.raw)
	p.fromStart = followFromStart(s.raw)
	prog, err := syntax.Compile(s.re)
	if err != nil {
		return nil, p
	}
	first := firstBytesOf(prog)
	if !s.exact {
		if set, ok := required(s.re); ok {
			p.need = set
		}
	}
	return first, p
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
	if p.fromStart != nil && !followPasses(p.fromStart, t) {
		return false, false // (first: it mostly stops in the line's first word)
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
	case syntax.OpPlus, syntax.OpRepeat:
		// x+ and x{n,m} (n ≥ 1) begin with x; what comes after is not
		// followed.
		if re.Op == syntax.OpRepeat && re.Min < 1 {
			break
		}
		sub, ok := expand(re.Sub[0], atStart)
		if !ok {
			return nil, false
		}
		return concatAlts(sub, []alt{{open: true}}), true
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

// concatAlts returns the texts of a followed by b, each once.
func concatAlts(a, b []alt) []alt {
	out := make([]alt, 0, len(a)*len(b))
	for _, x := range a {
		if x.open {
			out = append(out, x)
			continue
		}
		for _, y := range b {
			if x.end && y.s != "" {
				continue // nothing follows the end of the text
			}
			z := alt{s: x.s + y.s, end: x.end || y.end, open: y.open}
			if len(z.s) > maxStartBytes {
				z = alt{s: z.s[:maxStartBytes], open: true}
			}
			out = append(out, z)
		}
	}
	slices.SortFunc(out, func(x, y alt) int {
		if c := strings.Compare(x.s, y.s); c != 0 {
			return c
		}
		return cmpBool(x.end, y.end)*2 + cmpBool(x.open, y.open)
	})
	return slices.Compact(out)
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
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
// literal (gitleaks' keywords and token prefixes): some occurrence of a
// literal is followed by what the rest of the pattern allows, as far as
// runs of characters of a class can tell. A part of the rest that is not
// such a run becomes one of its first bytes followed by anything, or
// anything: the check only ever says yes more often than the pattern.
type follow struct {
	lits  []string // in lower case when fold is set
	fold  bool     // the literals match in any case
	steps []followStep
	// atStart: the steps are walked from the start of the text, not from
	// the literals (which there are none of).
	atStart bool
}

// followStep is a run of min to max (-1: any number) characters of a
// class, or the end of the text (end).
type followStep struct {
	class    [256]bool
	wide     bool // the class has non-ASCII characters: non-ASCII bytes may be in it
	min, max int
	end      bool
}

// maxFollowSteps caps the steps a follow check walks: the steps after it
// are not checked.
const maxFollowSteps = 16

// anything is a step any text meets.
var anything = func() followStep {
	st := followStep{wide: true, min: 0, max: -1}
	for c := range st.class {
		st.class[c] = true
	}
	return st
}()

// followsOf derives the follow checks of a parsed (not simplified)
// pattern: one, or one per branch of an alternation of literals; nil when
// the pattern has no literal to start from. Any of them passing means a
// match is possible.
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

// followFromStart derives the follow check of a parsed (not simplified)
// pattern anchored at the start of the text: its steps walked from there
// ("^\S+?:\d+: error" needs a colon and a digit in the line's first
// word). Nil when the pattern is not anchored or the check would check
// nothing.
func followFromStart(re *syntax.Regexp) *follow {
	elems := concatElems(re, nil)
	if len(elems) == 0 || elems[0].Op != syntax.OpBeginText {
		return nil
	}
	f := makeFollow(nil, false, elems[1:])
	// Past an unbounded run that may hold spaces, the positions reached
	// spread over the rest of the line and each step costs a walk over
	// it: the check stops before one.
	for i, st := range f.steps {
		if st.max < 0 && st.class[' '] {
			f.steps = f.steps[:i]
			break
		}
	}
	if !slices.ContainsFunc(f.steps, func(st followStep) bool { return st.min > 0 || st.end }) {
		return nil // every text meets it
	}
	f.atStart = true
	return &f
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
		if len(f.steps) >= maxFollowSteps {
			break
		}
		switch e := uncapture(e); {
		case e.Op == syntax.OpEndText:
			f.steps = append(f.steps, followStep{end: true})
		case zeroWidth(e):
		case e.Op == syntax.OpLiteral:
			// Each character in turn.
			for _, r := range e.Rune {
				st, _ := bagOf(&syntax.Regexp{Op: syntax.OpLiteral, Rune: []rune{r}, Flags: e.Flags})
				f.steps = append(f.steps, st)
			}
		default:
			st, ok := bagOf(e)
			if !ok {
				st = anything
			}
			f.steps = append(f.steps, st)
		}
	}
	// Trailing steps that any text meets check nothing.
	for len(f.steps) > 0 && f.steps[len(f.steps)-1].min == 0 && f.steps[len(f.steps)-1].max < 0 && !f.steps[len(f.steps)-1].end {
		f.steps = f.steps[:len(f.steps)-1]
	}
	return f
}

// bagOf returns a step every match of re meets: the characters of all its
// matches as one class, their least and greatest number (-1: no bound).
// The order of the characters is lost, which only makes the step meet
// more texts.
func bagOf(re *syntax.Regexp) (followStep, bool) {
	var st followStep
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			addRuneRange(&st.class, r, r, re.Flags&syntax.FoldCase != 0)
		}
		st.min, st.max = len(re.Rune), len(re.Rune)
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			addRuneRange(&st.class, re.Rune[i], re.Rune[i+1], false)
		}
		st.min, st.max = 1, 1
	case syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		st = anything
		st.class['\n'] = re.Op == syntax.OpAnyChar
		st.min, st.max = 1, 1
	case syntax.OpCapture:
		return bagOf(re.Sub[0])
	case syntax.OpConcat, syntax.OpAlternate:
		for i, s := range re.Sub {
			sub, ok := bagOf(s)
			if !ok {
				return st, false
			}
			for c := range st.class {
				st.class[c] = st.class[c] || sub.class[c]
			}
			switch {
			case re.Op == syntax.OpConcat:
				st.min += sub.min
				st.max = addMax(st.max, sub.max, i == 0)
			case i == 0:
				st.min, st.max = sub.min, sub.max
			default:
				st.min = min(st.min, sub.min)
				if st.max >= 0 && (sub.max < 0 || sub.max > st.max) {
					st.max = sub.max
				}
			}
		}
	case syntax.OpQuest, syntax.OpStar, syntax.OpPlus, syntax.OpRepeat:
		sub, ok := bagOf(re.Sub[0])
		if !ok {
			return st, false
		}
		st.class = sub.class
		switch re.Op {
		case syntax.OpQuest:
			st.min, st.max = 0, sub.max
		case syntax.OpStar:
			st.min, st.max = 0, -1
		case syntax.OpPlus:
			st.min, st.max = sub.min, -1
		default:
			st.min, st.max = sub.min*re.Min, -1
			if re.Max >= 0 && sub.max >= 0 {
				st.max = sub.max * re.Max
			}
		}
	default:
		if !zeroWidth(re) {
			return st, false
		}
	}
	st.wide = st.class[utf8.RuneSelf] // addRuneRange sets every byte from 0x80 for a non-ASCII range
	return st, true
}

// addMax adds two greatest numbers of characters (-1: no bound).
func addMax(a, b int, first bool) int {
	switch {
	case first:
		return b
	case a < 0 || b < 0:
		return -1
	}
	return a + b
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
// literal is followed by what its steps allow. The walk starts from every
// occurrence at once, so a line costs one walk whatever it holds.
func followPasses[T ~string | ~[]byte](f *follow, line T) bool {
	var w followWalker
	if f.atStart {
		w.starts.add(0)
	}
	for _, lit := range f.lits {
		if f.fold && strings.ContainsAny(lit, "ks") && (index(line, "ſ") >= 0 || index(line, "\u212a") >= 0) {
			return true // "ſ" and the Kelvin sign fold to s and k
		}
		for off := 0; ; {
			i := followIndex(f, line[off:], lit)
			if i < 0 {
				break
			}
			w.starts.add(off + i + len(lit))
			off += i + 1
		}
	}
	starts := w.starts.list()
	if len(starts) == 0 {
		return false
	}
	slices.Sort(starts)
	next := &w.pos[0]
	for _, p := range slices.Compact(starts) {
		next.add(p, p)
	}
	return followWalk(&w, f, line)
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

// posRange is a range of positions of a line, from and to included.
type posRange struct{ from, to int }

// followWalker holds the position sets of a walk. Nothing in it points
// into it, so that it stays on the stack of followPasses (a walker whose
// slices pointed into its own arrays was moved to the heap, one
// allocation per check).
type followWalker struct {
	starts smallList[int]
	pos    [2]posList // the positions reached, and those of the next step
}

// smallList is a list in an array of its own while it is small.
type smallList[E any] struct {
	n     int
	small [8]E
	big   []E // every element, once there are more than small holds
}

// list returns the elements; changing them changes the list's.
func (l *smallList[E]) list() []E {
	if l.n > len(l.small) {
		return l.big
	}
	return l.small[:l.n]
}

func (l *smallList[E]) add(e E) {
	switch {
	case l.n < len(l.small):
		l.small[l.n] = e
	case l.n == len(l.small):
		l.big = append(append(l.big[:0], l.small[:]...), e)
	default:
		l.big = append(l.big, e)
	}
	l.n++
}

// posList is a list of position ranges, kept sorted and merged:
// positions come in increasing order of their start.
type posList struct{ smallList[posRange] }

// add adds the positions from to to.
func (l *posList) add(from, to int) {
	if s := l.list(); len(s) > 0 && from <= s[len(s)-1].to+1 {
		last := &s[len(s)-1]
		last.to = max(last.to, to)
		last.from = min(last.from, from)
		return
	}
	l.smallList.add(posRange{from, to})
}

// followWalk reports whether the steps of f can be met from a position
// of w.pos[0].
func followWalk[T ~string | ~[]byte](w *followWalker, f *follow, line T) bool {
	n := len(line)
	at, next := &w.pos[0], &w.pos[1]
	for si := range f.steps {
		st := &f.steps[si]
		next.n = 0
		if st.end {
			if s := at.list(); s[len(s)-1].to == n {
				next.add(n, n)
			}
		} else {
			// brk: the first position from p on that is not of the class,
			// or as far as a bounded step looked. It carries over from
			// range to range (they come in increasing order), so a walk
			// from many starts reads the line once: from each of the 918
			// starts of a line of 840 KB it read to the end, 240 ms.
			brk := 0
			for _, r := range at.list() {
				for p := r.from; p <= r.to; p++ {
					if brk < p {
						brk = p
					}
					for brk < n && (st.max < 0 || brk-p < st.max) {
						c := line[brk]
						if c >= utf8.RuneSelf && st.wide && st.max >= 0 {
							return true // bytes are not characters here: say yes
						}
						if !st.class[c] {
							break
						}
						brk++
					}
					reach := brk - p
					if st.max >= 0 {
						reach = min(reach, st.max)
					}
					if reach >= st.min {
						next.add(p+st.min, p+reach)
					}
				}
			}
		}
		if next.n == 0 {
			return false
		}
		at, next = next, at
	}
	return true
}
