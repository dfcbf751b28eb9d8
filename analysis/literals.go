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

func newLiteralSet(lits []string) *literalSet {
	s := &literalSet{ids: make(map[string]uint16, len(lits))}
	var uniq []string
	size := 1 // trie nodes at most: the root and a node per byte
	for _, l := range lits {
		if _, ok := s.ids[l]; ok || l == "" {
			continue
		}
		s.ids[l] = uint16(len(uniq))
		uniq = append(uniq, l)
		size += len(l)
		for i := 0; i < len(l); i++ {
			if s.class[l[i]] == 0 {
				s.nclass++
				s.class[l[i]] = uint8(s.nclass)
			}
		}
	}
	s.nclass++ // class 0 is "no literal has this byte"
	nc := int32(s.nclass)
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
	for id, l := range uniq {
		cur := int32(0)
		for i := 0; i < len(l); i++ {
			c := s.class[l[i]]
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
	s.nstates = len(out)
	fail := make([]int32, s.nstates)
	order := make([]int32, 0, s.nstates) // states in breadth-first order
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
	// final state is one comparison, and keep each transition as its
	// target's row offset, so a step is an add and a load.
	id := make([]int32, s.nstates)
	n := int32(0)
	for _, final := range []bool{false, true} {
		if final {
			s.finalRow = n * nc
		}
		for i := range out {
			if (len(out[i]) > 0) == final {
				id[i] = n
				n++
			}
		}
	}
	// The DFA, one row per state in breadth-first order: a missing
	// transition is the failure state's, whose row is filled already.
	s.next = make([]int32, s.nstates*int(nc))
	s.out = make([][]uint16, s.nstates)
	for _, u := range order {
		s.out[id[u]] = out[u]
		row := s.next[id[u]*nc : (id[u]+1)*nc]
		if u != 0 {
			copy(row, s.next[id[fail[u]]*nc:(id[fail[u]]+1)*nc])
		}
		for e := first[u]; e >= 0; e = edgeNext[e] {
			row[edgeClass[e]] = id[edgeTo[e]] * nc
		}
		row[0] = id[0] * nc // bytes in no literal lead back to the root
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

// any reports whether text holds one of the literals.
func (s *literalSet) any(text []byte) bool {
	row := int32(0)
	next, class, finalRow := s.next, &s.class, s.finalRow
	for _, b := range text {
		if row = next[row+int32(class[b])]; row >= finalRow {
			return true
		}
	}
	return false
}
