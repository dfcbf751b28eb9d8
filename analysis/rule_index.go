package analysis

import (
	"regexp"
	"strings"
)

// lowerPattern rewrites a case-insensitive pattern "(?i)..." into one that
// matches lower-cased text: Go's case folding is several times slower than
// matching a lower-cased copy, which classification makes anyway.
func lowerPattern(re *regexp.Regexp) (*regexp.Regexp, bool) {
	src := re.String()
	if !strings.HasPrefix(src, "(?i)") {
		return re, false
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
	return regexp.MustCompile(b.String()), true
}

// ruleLiterals holds every literal the rules, the generic words and the
// noise checks look for, so one pass over a line answers them all.
var ruleLiterals, ruleNeeds = compileLiterals()

// maxRules is how many rules the table may hold: a ruleMask has a bit for
// each, and grows with it.
const maxRules = 256

// The build stops here ("constant -N overflows uint") when the rule table
// holds more than maxRules rules: raise maxRules.
const _ = uint(maxRules - len(rules))

// ruleMask holds one bit per rule of the table, by index: the rules that
// need a literal, or the rules worth trying on a line.
type ruleMask [(maxRules + 63) / 64]uint64

// set adds rule i.
func (m *ruleMask) set(i int) { m[i/64] |= 1 << (i % 64) }

// add adds the rules of o.
func (m *ruleMask) add(o *ruleMask) {
	for w := range m {
		m[w] |= o[w]
	}
}

// literalRules maps a literal id to the rules that need it;
// rulesWithoutNeed are tried on every candidate line.
var literalRules, rulesWithoutNeed = ruleMasks()

func ruleMasks() ([]ruleMask, ruleMask) {
	masks := make([]ruleMask, len(ruleLiterals.ids))
	var none ruleMask
	for i, needs := range ruleNeeds {
		if len(needs) == 0 {
			none.set(i)
		}
		for _, id := range needs {
			masks[id].set(i)
		}
	}
	return masks, none
}

// genericIDs and noiseIDs are the literal ids of genericWords and noiseLiterals.
var genericIDs, noiseIDs = literalIDs()

func literalIDs() ([]uint16, [][]uint16) {
	g := make([]uint16, len(genericWords))
	for i, w := range genericWords {
		g[i] = ruleLiterals.id(w.word)
	}
	n := make([][]uint16, len(noiseLiterals))
	for i, lits := range noiseLiterals {
		for _, l := range lits {
			n[i] = append(n[i], ruleLiterals.id(l))
		}
	}
	return g, n
}

func compileLiterals() (*literalSet, [][]uint16) {
	var all []string
	for _, r := range rules {
		all = append(all, r.need...)
	}
	for _, g := range genericWords {
		all = append(all, g.word)
	}
	for _, lits := range noiseLiterals {
		all = append(all, lits...)
	}
	set := newLiteralSet(all)
	needs := make([][]uint16, len(rules))
	for i := range rules {
		if rules[i].block == nil {
			rules[i].block = singleLine
		}
		if rules[i].re != nil {
			rules[i].re, rules[i].onLower = lowerPattern(rules[i].re)
			rules[i].first = firstBytes(rules[i].re)
		}
	}
	for i, r := range rules {
		for _, n := range r.need {
			needs[i] = append(needs[i], set.id(n))
		}
	}
	return set, needs
}
