package analysis

import (
	"hash/maphash"
	"slices"
)

// The memo of shown lines: 2,048 slots for lines of up to maxMemoLine
// bytes, and 32 for longer ones (up to MaxLineBytes, 64 KiB), so that it
// holds at most about 4 MiB whatever the lines. Long lines are rare, but a
// log of them repeats each in the context of its neighbours' findings like
// any other, and redacting 64 KiB costs much more than a short line.
const (
	shownMemoBits = 11
	longMemoBits  = 5
	maxMemoLine   = 512
)

// shownMemo remembers the shown form (see Analyzer.shown) of the lines
// shown last. A line is shown once for each finding whose message or
// context holds it, and findings close together share most of their
// context: on real logs two of every three lines shown were shown before,
// and redaction, which tries the secret rules whose keywords a line holds,
// is most of what showing costs. It lives in a classCache, so it stays
// warm from one segment of a log to the next; it is emptied when the cache
// goes back to the pool (classCache.release), and when the literal secrets
// of the Redactor, on which what it holds depends, change.
type shownMemo struct {
	r       *Redactor // the Redactor the entries were made by
	secrets []string  // its literal secrets
	seed    maphash.Seed
	slots   []shownSlot // lines of up to maxMemoLine bytes
	long    []shownSlot // longer ones
}

// shownSlot is a printable line and its shown form. The empty slot is
// right for the empty line.
type shownSlot struct{ line, shown string }

// use makes the memo show lines with r, emptying it unless r has the
// literal secrets of the Redactor its entries were made by.
func (m *shownMemo) use(r *Redactor) {
	if m.slots == nil {
		m.seed = maphash.MakeSeed()
		m.slots = make([]shownSlot, 1<<shownMemoBits)
		m.long = make([]shownSlot, 1<<longMemoBits)
	} else if !slices.Equal(m.secrets, r.secrets) {
		clear(m.slots)
		clear(m.long)
	}
	m.r, m.secrets = r, r.secrets
}

// forget empties the memo and lets go of its Redactor.
func (m *shownMemo) forget() {
	clear(m.slots)
	clear(m.long)
	m.r, m.secrets = nil, nil
}

// slot returns where a line of n bytes with hash h goes.
func (m *shownMemo) slot(h uint64, n int) *shownSlot {
	if n > maxMemoLine {
		return &m.long[h&(1<<longMemoBits-1)]
	}
	return &m.slots[h&(1<<shownMemoBits-1)]
}

// shown is Analyzer.shown of b with r, remembered.
func (m *shownMemo) shown(r *Redactor, b []byte) string {
	if m.r != r {
		m.use(r)
	}
	s := m.slot(maphash.Bytes(m.seed, b), len(b))
	if s.line == string(b) {
		return s.shown
	}
	line := printable(b)
	out := clipShown(r.Redact(line))
	if len(line) == len(b) && line == string(b) {
		*s = shownSlot{line: line, shown: out}
	}
	return out
}

// shownLine is shown for a printable line, remembered.
func (m *shownMemo) shownLine(r *Redactor, line string) string {
	if m.r != r {
		m.use(r)
	}
	s := m.slot(maphash.String(m.seed, line), len(line))
	if s.line == line {
		return s.shown
	}
	out := clipShown(r.Redact(line))
	*s = shownSlot{line: line, shown: out}
	return out
}

// shownLines is shown for a block of consecutive printable lines, each
// remembered.
func (m *shownMemo) shownLines(r *Redactor, lines []string) []string {
	return redactLines(lines, func(l string) string { return m.shownLine(r, l) })
}
