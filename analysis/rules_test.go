package analysis

import (
	"math/rand"
	"strings"
	"testing"
)

// TestPreIsNecessary checks each rule's pre condition on lines built from
// the words of its pattern: wherever the pattern matches, pre must hold.
func TestPreIsNecessary(t *testing.T) {
	t.Parallel()
	words := []string{"coverage", "threshold", "minimum", "not met", "not reached", "below", "is below", "fail",
		"does not meet", "required test coverage of ", "line", "total", "80%", " ", " ", "-", ":", "x"}
	rng := rand.New(rand.NewSource(1))
	checked := 0
	for i := range rules {
		r := &rules[i]
		if r.pre == nil {
			continue
		}
		matched := 0
		ix := rulesIndexed()
		lits, dfa := make([]uint64, ix.words()), newLazyLiterals(ix.lits, ix.whole)
		for n := 0; n < 200_000; n++ {
			var b strings.Builder
			for k := rng.Intn(8); k >= 0; k-- {
				b.WriteString(words[rng.Intn(len(words))])
			}
			l := &lineView{text: []byte(b.String())}
			l.trim, l.indent = leadingSpace(l.text)
			l.prepare(nil, lits, dfa)
			m, in := r.input(l)
			if m.full().re.Match(in) {
				matched++
				if !r.pre(l) {
					t.Fatalf("%s: pattern matches %q but pre says no", r.name, l.text)
				}
			}
		}
		if matched == 0 {
			t.Errorf("%s: no generated line matched; the test proves nothing", r.name)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no rule has a pre condition")
	}
}

// TestLiteralSet checks the literal automaton against a plain search for
// each literal, on lines built from pieces of the literals.
func TestLiteralSet(t *testing.T) {
	t.Parallel()
	lits := []string{"error", "err", "rror", "exception", "fail", "failed", "ail", "not found", "x", "timed out", "out"}
	s := newLiteralSet(lits)
	masks := make([]ruleMask, len(lits))
	for i := range masks {
		masks[i].set(i)
	}
	rng := rand.New(rand.NewSource(1))
	found := make([]uint64, s.words())
	for range 100_000 {
		var b strings.Builder
		for k := rng.Intn(6); k >= 0; k-- {
			w := lits[rng.Intn(len(lits))]
			if rng.Intn(2) == 0 {
				w = w[rng.Intn(len(w)):]
			}
			b.WriteString(w)
			if rng.Intn(3) == 0 {
				b.WriteByte(" ._r"[rng.Intn(4)])
			}
		}
		line := b.String()
		union := s.match([]byte(line), found, masks)
		for _, l := range lits {
			id := s.id(l)
			want := strings.Contains(line, l)
			if got := found[id>>6]&(1<<(id&63)) != 0; got != want {
				t.Fatalf("match(%q): literal %q found = %v, want %v", line, l, got, want)
			}
			if got := union[0]&masks[id][0] != 0; got != want {
				t.Fatalf("match(%q): mask of %q = %v, want %v", line, l, got, want)
			}
		}
	}
}

// TestRuleBlocks checks what a new rule or block spec can get wrong: each
// rule has a block once the table is compiled, each block covers at least
// its trigger line and a line after it unless it is a single line, and
// only blocks that continue can keep their tail or promote a line.
func TestRuleBlocks(t *testing.T) {
	t.Parallel()
	all := append(rules[:], genericRule, annotationRule)
	for _, r := range all {
		b := r.block
		switch {
		case b == nil:
			t.Errorf("%s: no block after compileLiterals", r.name)
		case b.rangeCap < 2 || b.rangeCap > maxAbsorbLines:
			t.Errorf("%s: rangeCap %d, want 2..%d", r.name, b.rangeCap, maxAbsorbLines)
		case b.continues == nil && (b.keepTail || b.promotes || b.head != nil || b.testOutput):
			t.Errorf("%s: a single-line block with multi-line options", r.name)
		}
	}
}

// TestLeadAllows: the mask prepare keeps l.try to lets through, for each
// first byte of a trimmed line and for an empty one, exactly the rules
// whose lead allows the line.
func TestLeadAllows(t *testing.T) {
	masks := leadAllows()
	withLead := 0
	for i := range rules {
		r := &rules[i]
		if r.lead != "" {
			withLead++
		}
		for c := range 257 {
			l := &lineView{}
			if c < 256 {
				l.trim = []byte{byte(c)}
			}
			want := r.lead == "" || len(l.trim) > 0 && strings.IndexByte(r.lead, l.trim[0]) >= 0
			if got := masks[c][i/64]&(1<<(i%64)) != 0; got != want {
				t.Fatalf("%s, first byte %d: mask says %v, lead %q says %v", r.name, c, got, r.lead, want)
			}
		}
	}
	if withLead == 0 {
		t.Fatal("no rule has a lead; the test proves nothing")
	}
}
