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
	s := &literalSet{ids: map[string]uint16{}}
	var uniq []string
	for _, l := range lits {
		if _, ok := s.ids[l]; ok || l == "" {
			continue
		}
		s.ids[l] = uint16(len(uniq))
		uniq = append(uniq, l)
		for i := 0; i < len(l); i++ {
			if s.class[l[i]] == 0 {
				s.nclass++
				s.class[l[i]] = uint8(s.nclass)
			}
		}
	}
	s.nclass++ // class 0 is "no literal has this byte"
	nc := int32(s.nclass)
	// The trie, as a dense table from the start: next[state*nc+class] is
	// the child, 0 when there is none (the root is no one's child). It has
	// at most one state per byte of the literals, and the root.
	states := 1
	for _, l := range uniq {
		states += len(l)
	}
	next := make([]int32, nc, int(nc)*states)
	zeros := make([]int32, nc)
	out := make([][]uint16, 1, states)
	for id, l := range uniq {
		cur := int32(0)
		for i := 0; i < len(l); i++ {
			at := cur*nc + int32(s.class[l[i]])
			if next[at] == 0 {
				next[at] = int32(len(out))
				out = append(out, nil)
				next = append(next, zeros...)
			}
			cur = next[at]
		}
		out[cur] = append(out[cur], uint16(id))
	}
	// Breadth-first: failure links, which complete the table into a DFA
	// (a state's missing transitions are its failure state's).
	s.nstates = len(out)
	fail := make([]int32, s.nstates)
	queue := make([]int32, 0, s.nstates)
	for c := int32(1); c < nc; c++ {
		if nx := next[c]; nx != 0 {
			queue = append(queue, nx)
		}
	}
	for q := 0; q < len(queue); q++ {
		u := queue[q]
		f := fail[u]
		out[u] = append(out[u], out[f]...)
		for c := int32(1); c < nc; c++ {
			if nx := next[u*nc+c]; nx != 0 {
				fail[nx] = next[f*nc+c]
				queue = append(queue, nx)
			} else {
				next[u*nc+c] = next[f*nc+c]
			}
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
	s.next = make([]int32, len(next))
	s.out = make([][]uint16, s.nstates)
	for i := range out {
		s.out[id[i]] = out[i]
		row := int(id[i]) * int(nc)
		for c := range int(nc) {
			s.next[row+c] = id[next[i*int(nc)+c]] * nc
		}
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
