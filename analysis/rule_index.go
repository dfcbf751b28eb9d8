package analysis

import (
	"sync"

	"github.com/cespare/xxhash/v2"
)

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
// keep removes the rules not in o.
func (m *ruleMask) keep(o *ruleMask) {
	for w := range m {
		m[w] &= o[w]
	}
}

// leadAllows holds, by the first byte of a trimmed line (256: an empty
// one), the rules whose lead allows the line: those without a lead and
// those whose lead holds the byte. It is where leads are checked: the
// twelve rules without a need, all with a lead, were three of every four
// rules tried on real logs, most of them turned away by their lead.
var leadAllows = sync.OnceValue(func() *[257]ruleMask {
	var any ruleMask // the rules without a lead
	for i := range rules {
		if rules[i].lead == "" {
			any.set(i)
		}
	}
	var m [257]ruleMask
	for c := range m {
		m[c] = any
	}
	for i := range rules {
		for _, c := range []byte(rules[i].lead) {
			m[c].set(i)
		}
	}
	return &m
})

func (m *ruleMask) add(o *ruleMask) {
	for w := range m {
		m[w] |= o[w]
	}
}

// ruleIndex holds every literal the rules, the generic words and the noise
// checks look for, so one pass over a line answers them all, and which
// rules each literal makes worth trying.
type ruleIndex struct {
	// lits is the plan of the set of every literal: each classCache
	// matches it with a table of its own, filled as lines need it
	// (lazyLiterals).
	lits      *literalPlan
	whole     func() *literalSet // lits built whole, once, for the matchers that reach many of its states
	ids       map[string]uint16  // literal → id
	byLiteral []ruleMask         // literal id → the rules that need it
	always    ruleMask           // the rules without a need: tried on every candidate line
	generic   []uint16           // literal ids of genericWords
	noise     [][]uint16         // literal ids of noiseLiterals, by kind
}

// rulesIndexed returns the index, made ready on first use: a run that
// classifies no line (destill --version) never touches it. The index of
// the rules as they are is compiled in (ruleIndexTable, written with
// the literal plan). A count of the rules' literals guards it at run time:
// when the count differs it is built from the rules instead. A literal
// changed in place keeps the count; TestRuleLiteralTable catches that
// (and any other stale table) before a build ships.
var rulesIndexed = sync.OnceValue(func() *ruleIndex {
	if ruleLiteralCount() != ruleIndexLiterals {
		return buildRuleIndex()
	}
	setDefaultBlocks()
	ix := &ruleIndexTable
	ix.whole = sync.OnceValue(ix.lits.build)
	return ix
})

// ruleLiteralCount counts the literals ruleLiterals lists, without
// listing them.
func ruleLiteralCount() int {
	n := len(genericWords)
	for i := range rules {
		n += len(rules[i].need)
	}
	for _, lits := range noiseLiterals {
		n += len(lits)
	}
	return n
}

// setDefaultBlocks gives the rules that name no block the single line's.
func setDefaultBlocks() {
	for i := range rules {
		if rules[i].block == nil {
			rules[i].block = singleLine
		}
	}
}

// ruleLiterals returns every literal the rule index looks for, in order:
// the rules' needs, the generic words and the noise literals.
func ruleLiterals() []string {
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
	return all
}

// literalsKey identifies a list of literals, to tell whether
// ruleLiteralPlan was planned from the rules' literals as they are.
func literalsKey(lits []string) uint64 {
	d := xxhash.New()
	for _, l := range lits {
		d.WriteString(l)
		d.Write([]byte{0})
	}
	return d.Sum64()
}

func buildRuleIndex() *ruleIndex {
	all := ruleLiterals()
	plan := &ruleLiteralPlan // planned ahead of time, which takes most of building the set
	if literalsKey(all) != ruleLiteralKey {
		plan = planLiterals(all) // a rule changed since (TestRuleLiteralTable fails)
	}
	ix := &ruleIndex{lits: plan, whole: sync.OnceValue(plan.build), ids: make(map[string]uint16, len(plan.lits))}
	for id, l := range plan.lits {
		ix.ids[l] = uint16(id)
	}
	ix.byLiteral = make([]ruleMask, len(plan.lits))
	setDefaultBlocks()
	for i := range rules {
		if len(rules[i].need) == 0 {
			ix.always.set(i)
		}
		for _, n := range rules[i].need {
			ix.byLiteral[ix.id(n)].set(i)
		}
	}
	ix.generic = make([]uint16, len(genericWords))
	for i, w := range genericWords {
		ix.generic[i] = ix.id(w.word)
	}
	ix.noise = make([][]uint16, len(noiseLiterals))
	for i, lits := range noiseLiterals {
		for _, l := range lits {
			ix.noise[i] = append(ix.noise[i], ix.id(l))
		}
	}
	return ix
}

// id returns the id of one of the literals.
func (ix *ruleIndex) id(lit string) uint16 {
	id, ok := ix.ids[lit]
	if !ok {
		panic("analysis: unknown literal " + lit)
	}
	return id
}

// words is how many words of 64 bits hold a bit per literal.
func (ix *ruleIndex) words() int { return (len(ix.lits.lits) + 63) / 64 }

// noiseIDs returns the literal ids of the noise literals of one kind.
func noiseIDs(kind int) []uint16 { return rulesIndexed().noise[kind] }
