package analysis

// literalSet finds which of a fixed set of lower-case literals occur in a
// lower-cased line, in one pass (an Aho-Corasick automaton compiled to a
// DFA over byte classes). Rules name the literals they need; the set tells
// which rules are worth trying on a line.
type literalSet struct {
	class    [256]uint8 // byte → class; 0 for bytes in no literal
	nclass   int
	next     []int32    // row + class → the row of the next state (row = state*nclass)
	out      [][]uint16 // state → literal ids ending there
	finalRow int32      // states from here on have literals ending there
	nstates  int
	ids      map[string]uint16
}

func newLiteralSet(lits []string) *literalSet { return planLiterals(lits).build() }

// literalPlan is a literalSet before its table of transitions is filled:
// the automaton's states numbered, their failure states and their own
// edges. Filling the table is a copy per state; planning it is most of
// the work, so the rules' set is planned ahead of time
// (rule_literals_table.go).
type literalPlan struct {
	lits     []string // the distinct literals, by id
	class    [256]uint8
	nclass   int
	finalRow int32
	out      [][]uint16    // by state: the literal ids ending there
	order    []int32       // the states in breadth-first order, the root (0) first
	fail     []int32       // by state: its failure state
	edgeAt   []int32       // by state: its edges are edges[edgeAt[s]:edgeAt[s+1]]
	edges    []literalEdge // the trie's edges, by the state they leave
}

// literalEdge is an edge of the trie: a byte class and the state it leads to.
type literalEdge struct {
	class uint8
	to    int32
}

// planLiterals builds the trie of the distinct non-empty literals,
// computes its failure states and numbers the states, those with no
// literal ending there first.
func planLiterals(lits []string) *literalPlan {
	p := &literalPlan{}
	ids := make(map[string]uint16, len(lits))
	size := 1 // trie nodes at most: the root and a node per byte
	for _, l := range lits {
		if _, ok := ids[l]; ok || l == "" {
			continue
		}
		ids[l] = uint16(len(p.lits))
		p.lits = append(p.lits, l)
		size += len(l)
		for i := 0; i < len(l); i++ {
			if p.class[l[i]] == 0 {
				p.nclass++
				p.class[l[i]] = uint8(p.nclass)
			}
		}
	}
	p.nclass++ // class 0 is "no literal has this byte"
	// The trie, each node's children a linked list in flat arrays: a set
	// is built on every run's first candidate line, and a slice per node
	// made most of its cost.
	first := make([]int32, 1, size)  // node → its first child's edge, or -1
	out := make([][]uint16, 1, size) // node → literal ids ending there
	var edgeClass []uint8            // edge → its byte class
	var edgeTo, edgeNext []int32     // edge → its node; the next edge of its parent, or -1
	first[0] = -1
	child := func(u int32, c uint8) int32 {
		for e := first[u]; e >= 0; e = edgeNext[e] {
			if edgeClass[e] == c {
				return edgeTo[e]
			}
		}
		return -1
	}
	for id, l := range p.lits {
		cur := int32(0)
		for i := 0; i < len(l); i++ {
			c := p.class[l[i]]
			nx := child(cur, c)
			if nx < 0 {
				nx = int32(len(first))
				first = append(first, -1)
				out = append(out, nil)
				edgeClass, edgeTo, edgeNext = append(edgeClass, c), append(edgeTo, nx), append(edgeNext, first[cur])
				first[cur] = int32(len(edgeTo) - 1)
			}
			cur = nx
		}
		out[cur] = append(out[cur], uint16(id))
	}
	// Breadth-first: failure links, and the literals that end at each
	// state through them.
	nstates := len(out)
	fail := make([]int32, nstates)
	order := make([]int32, 0, nstates) // states in breadth-first order
	order = append(order, 0)
	for q := 0; q < len(order); q++ {
		u := order[q]
		for e := first[u]; e >= 0; e = edgeNext[e] {
			to := edgeTo[e]
			f := int32(0)
			if u != 0 {
				for f = fail[u]; f != 0 && child(f, edgeClass[e]) < 0; f = fail[f] {
				}
				if nx := child(f, edgeClass[e]); nx >= 0 {
					f = nx
				}
			}
			fail[to] = f
			if len(out[f]) > 0 {
				out[to] = append(out[to], out[f]...)
			}
			order = append(order, to)
		}
	}
	// Number the states with no literal ending there first, so telling a
	// final state is one comparison.
	id := make([]int32, nstates)
	n := int32(0)
	for _, final := range []bool{false, true} {
		if final {
			p.finalRow = n * int32(p.nclass)
		}
		for i := range out {
			if (len(out[i]) > 0) == final {
				id[i] = n
				n++
			}
		}
	}
	p.out = make([][]uint16, nstates)
	p.fail = make([]int32, nstates)
	p.order = make([]int32, nstates)
	edgesOf := make([][]literalEdge, nstates)
	for q, u := range order {
		p.order[q] = id[u]
		p.out[id[u]] = out[u]
		p.fail[id[u]] = id[fail[u]]
		for e := first[u]; e >= 0; e = edgeNext[e] {
			edgesOf[id[u]] = append(edgesOf[id[u]], literalEdge{class: edgeClass[e], to: id[edgeTo[e]]})
		}
	}
	p.edgeAt = make([]int32, nstates+1)
	for st, es := range edgesOf {
		p.edges = append(p.edges, es...)
		p.edgeAt[st+1] = int32(len(p.edges))
	}
	return p
}

// build fills the table of transitions, one row per state in
// breadth-first order: a missing transition is the failure state's, whose
// row is filled already. Each transition is kept as its target's row
// offset, so a step is an add and a load.
func (p *literalPlan) build() *literalSet {
	nc := int32(p.nclass)
	s := &literalSet{class: p.class, nclass: p.nclass, finalRow: p.finalRow, nstates: len(p.out), out: p.out,
		ids: make(map[string]uint16, len(p.lits))}
	for id, l := range p.lits {
		s.ids[l] = uint16(id)
	}
	s.next = make([]int32, len(p.out)*int(nc))
	for _, u := range p.order {
		row := s.next[u*nc : (u+1)*nc]
		if u != 0 {
			f := p.fail[u]
			copy(row, s.next[f*nc:(f+1)*nc])
		}
		for _, e := range p.edges[p.edgeAt[u]:p.edgeAt[u+1]] {
			row[e.class] = e.to * nc
		}
		row[0] = 0 // bytes in no literal lead back to the root, state 0
	}
	return s
}

// id returns the id of a literal of the set.
func (s *literalSet) id(lit string) uint16 {
	id, ok := s.ids[lit]
	if !ok {
		panic("analysis: unknown literal " + lit)
	}
	return id
}

// match marks in found (one bit per literal id) the literals in lower, and
// returns the union of masks[id] over the literals found.
func (s *literalSet) match(lower []byte, found []uint64, masks []ruleMask) ruleMask {
	for i := range found {
		found[i] = 0
	}
	var union ruleMask
	row := int32(0) // the root: it has no literal, so it keeps number 0
	next, class, finalRow, n := s.next, &s.class, s.finalRow, int32(s.nclass)
	for _, b := range lower {
		row = next[row+int32(class[b])]
		if row >= finalRow {
			for _, id := range s.out[row/n] {
				found[id>>6] |= 1 << (id & 63)
				union.add(&masks[id])
			}
		}
	}
	return union
}

func (s *literalSet) words() int { return (len(s.ids) + 63) / 64 }
