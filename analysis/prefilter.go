package analysis

import (
	"bytes"
	"regexp/syntax"
	"slices"
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
}

// Limits of the derivation: past them it gives up (a weaker prefilter is
// still a true one).
const (
	maxStarts      = 512 // texts in starts
	maxStartBytes  = 48  // bytes of one
	maxClassRunes  = 16  // characters of a class expanded into texts
	maxNeedStrings = 8   // strings in need
)

// newPrefilter derives the prefilter of a parsed pattern. anchored says the
// pattern only matches at the start of the text.
func newPrefilter(re *syntax.Regexp, anchored bool) prefilter {
	var p prefilter
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
	if p.need != nil {
		for _, s := range p.need {
			if bytes.Contains(t, s) {
				return true, false
			}
		}
		return false, false
	}
	return true, false
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
