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
	// Build the trie.
	type node struct {
		child map[uint8]int
		out   []uint16
		fail  int
	}
	nodes := []node{{child: map[uint8]int{}}}
	for id, l := range uniq {
		cur := 0
		for i := 0; i < len(l); i++ {
			c := s.class[l[i]]
			nx, ok := nodes[cur].child[c]
			if !ok {
				nx = len(nodes)
				nodes = append(nodes, node{child: map[uint8]int{}})
				nodes[cur].child[c] = nx
			}
			cur = nx
		}
		nodes[cur].out = append(nodes[cur].out, uint16(id))
	}
	// Breadth-first: failure links and the dense transition table.
	s.nstates = len(nodes)
	s.next = make([]int32, s.nstates*s.nclass)
	queue := []int{}
	for c := 0; c < s.nclass; c++ {
		if nx, ok := nodes[0].child[uint8(c)]; ok && c != 0 {
			s.next[c] = int32(nx)
			nodes[nx].fail = 0
			queue = append(queue, nx)
		}
	}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		nodes[u].out = append(nodes[u].out, nodes[nodes[u].fail].out...)
		for c := 0; c < s.nclass; c++ {
			if nx, ok := nodes[u].child[uint8(c)]; ok && c != 0 {
				nodes[nx].fail = int(s.next[nodes[u].fail*s.nclass+c])
				s.next[u*s.nclass+c] = int32(nx)
				queue = append(queue, nx)
			} else {
				s.next[u*s.nclass+c] = s.next[nodes[u].fail*s.nclass+c]
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
			s.finalRow = n * int32(s.nclass)
		}
		for i := range nodes {
			if (len(nodes[i].out) > 0) == final {
				id[i] = n
				n++
			}
		}
	}
	rows := make([]int32, len(s.next))
	s.out = make([][]uint16, s.nstates)
	for i := range nodes {
		s.out[id[i]] = nodes[i].out
		for c := 0; c < s.nclass; c++ {
			rows[int(id[i])*s.nclass+c] = id[s.next[i*s.nclass+c]] * int32(s.nclass)
		}
	}
	s.next = rows
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
