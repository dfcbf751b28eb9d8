package analysis

import "sort"

// screenEntry is a pattern's screens derived ahead of time: deriving them
// parses the pattern and walks its syntax, which took a one-log run more
// time than analyzing the log. screenTable (screens_table.go, written by
// go test ./analysis -run TestScreenTable -update) holds one per pattern
// source, sorted; a pattern not in it derives its screens at run time.
type screenEntry struct {
	src       string
	starts    []trieNode // the start trie's nodes; nil: no start screen
	exact     bool
	hasFirst  bool
	first     [4]uint64 // the first bytes, a bit per byte value
	need      []string
	follows   []followEntry
	fromStart *followEntry
}

// followEntry is a follow check in the table.
type followEntry struct {
	lits    []string
	fold    bool
	steps   []stepEntry
	atStart bool
}

// stepEntry is a follow step in the table, its class a bit per byte value.
type stepEntry struct {
	class    [4]uint64
	wide     bool
	min, max int
	end      bool
}

// tabledScreens returns the table's entry for a pattern source, if any.
func tabledScreens(src string) (*screenEntry, bool) {
	i := sort.Search(len(screenTable), func(i int) bool { return screenTable[i].src >= src })
	if i < len(screenTable) && screenTable[i].src == src {
		return &screenTable[i], true
	}
	return nil, false
}

// startScreen returns the entry's start screen.
func (e *screenEntry) startScreen() startScreen {
	s := startScreen{entry: e, exact: e.exact}
	if e.starts != nil {
		s.starts = &startTrie{nodes: e.starts}
	}
	return s
}

// rest returns the entry's other screens, as startScreen.rest derives them.
func (e *screenEntry) rest() (*[256]bool, prefilter) {
	var first *[256]bool
	if e.hasFirst {
		first = new([256]bool)
		*first = boolsOf(e.first)
	}
	var p prefilter
	p.follows = e.followChecks()
	if e.fromStart != nil {
		f := e.fromStart.follow()
		p.fromStart = &f
	}
	if e.need != nil {
		p.need = make([][]byte, len(e.need))
		for i, s := range e.need {
			p.need[i] = []byte(s)
		}
	}
	return first, p
}

// followChecks returns the entry's follow checks (nil: none).
func (e *screenEntry) followChecks() []follow {
	var out []follow
	for _, f := range e.follows {
		out = append(out, f.follow())
	}
	return out
}

func (f *followEntry) follow() follow {
	out := follow{lits: f.lits, fold: f.fold, atStart: f.atStart}
	if f.steps != nil {
		out.steps = make([]followStep, len(f.steps))
		for i, st := range f.steps {
			out.steps[i] = followStep{class: boolsOf(st.class), wide: st.wide, min: st.min, max: st.max, end: st.end}
		}
	}
	return out
}

// boolsOf expands a bit per byte value into a table of bools.
func boolsOf(bits [4]uint64) [256]bool {
	var out [256]bool
	for c := range out {
		out[c] = bits[c>>6]&(1<<(c&63)) != 0
	}
	return out
}
