package analysis

import "math"

// lazyLiterals finds the literals of a literalPlan in a line as the
// literalSet built from it does, but fills its table of transitions only
// for the states a line reaches, numbering them in the order they are
// reached. The rules' set has 3,600 states and a 1 MB table; one log
// reaches a few hundred of them (median 161, at most 939 on the corpus),
// and a process that analyzes one log paid more to build and first touch
// the whole table than to analyze the log. A lazyLiterals is not safe for
// concurrent use: each classCache has its own, which stays warm as the
// cache goes from job to job. One that reaches lazyLimit states (long logs:
// a build's jobs) hands over to the table built whole, shared by all.
type lazyLiterals struct {
	plan  *literalPlan
	whole func() *literalSet // the table built whole, once
	built *literalSet        // whole's, once this one reached lazyLimit states
	// next is the table as literalSet.next, its rows in the order the
	// states were reached: non-final ones from 0, final ones from the
	// plan's finalRow, so that telling a final state is still one
	// comparison. unknownRow marks a transition not followed yet.
	next     []int32
	state    []int32 // row number → the plan's state
	row      []int32 // the plan's state → its row offset; -1 until reached
	nonFinal int32   // the offset of the next row for a non-final state
	final    int32   // and for a final one
	reached  int     // states with a row
}

// unknownRow is a transition lazyLiterals has not followed yet: above every
// row, so the loop tells it from a final state only once it sees either.
const unknownRow = math.MaxInt32

// lazyLimit is how many states a lazyLiterals fills before it uses the
// table built whole: a single log reaches at most about 900, and eight of
// a build's jobs each filling thousands would hold more than one table.
const lazyLimit = 1024

// newLazyLiterals returns a matcher of p's literals; whole returns the
// set built from p, shared by every matcher.
func newLazyLiterals(p *literalPlan, whole func() *literalSet) *lazyLiterals {
	n := len(p.out)
	t := &lazyLiterals{plan: p, whole: whole, next: make([]int32, n*p.nclass), state: make([]int32, n), row: make([]int32, n),
		final: p.finalRow}
	for i := range t.row {
		t.row[i] = -1
	}
	t.rowOf(0) // the root: row 0
	return t
}

// match marks in found (one bit per literal id) the literals in lower, and
// returns the union of masks[id] over the literals found, as
// literalSet.match does.
func (t *lazyLiterals) match(lower []byte, found []uint64, masks []ruleMask) ruleMask {
	if t.built != nil {
		t.next, t.state, t.row = nil, nil, nil
		return t.built.match(lower, found, masks)
	}
	for i := range found {
		found[i] = 0
	}
	var union ruleMask
	p := t.plan
	row := int32(0)
	next, class, finalRow, n := t.next, &p.class, p.finalRow, int32(p.nclass)
	for _, b := range lower {
		c := int32(class[b])
		to := next[row+c]
		if to >= finalRow {
			if to == unknownRow {
				to = t.follow(row, c)
			}
			if to >= finalRow {
				for _, id := range p.out[t.state[to/n]] {
					found[id>>6] |= 1 << (id & 63)
					union.add(&masks[id])
				}
			}
		}
		row = to
	}
	return union
}

// follow fills in the transition from row on byte class c.
func (t *lazyLiterals) follow(row, c int32) int32 {
	nc := int32(t.plan.nclass)
	to := t.rowOf(t.plan.step(t.state[row/nc], c))
	t.next[row+c] = to
	return to
}

// rowOf returns the row of the plan's state u, filling it when u is first
// reached as build fills it: its failure state's row, with its own edges
// over it (those to states not reached yet left to follow).
func (t *lazyLiterals) rowOf(u int32) int32 {
	if r := t.row[u]; r >= 0 {
		return r
	}
	p := t.plan
	nc := int32(p.nclass)
	var r int32
	if len(p.out[u]) > 0 {
		r, t.final = t.final, t.final+nc
	} else {
		r, t.nonFinal = t.nonFinal, t.nonFinal+nc
	}
	t.row[u], t.state[r/nc] = r, u
	if t.reached++; t.reached == lazyLimit && t.whole != nil {
		t.built = t.whole() // from the next line on; this one goes on with the rows it has
	}
	row := t.next[r : r+nc]
	if u != 0 {
		f := t.rowOf(p.fail[u]) // shallower than u: it never reaches u again
		copy(row, t.next[f:f+nc])
	}
	for _, e := range p.edges[p.edgeAt[u]:p.edgeAt[u+1]] {
		row[e.class] = unknownRow
		if to := t.row[e.to]; to >= 0 {
			row[e.class] = to
		}
	}
	row[0] = 0 // bytes in no literal lead back to the root
	return r
}

// step returns the state after byte class c from state u: u's own edge,
// else its failure state's step (the root's is itself).
func (p *literalPlan) step(u, c int32) int32 {
	for {
		for _, e := range p.edges[p.edgeAt[u]:p.edgeAt[u+1]] {
			if int32(e.class) == c {
				return e.to
			}
		}
		if u == 0 {
			return 0
		}
		u = p.fail[u]
	}
}
