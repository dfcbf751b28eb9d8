package analysis

import (
	"hash/maphash"
	"slices"
)

// shownMemoBits sizes the memo of shown lines.
const shownMemoBits = 11

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
	slots   []shownSlot
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
	} else if !slices.Equal(m.secrets, r.secrets) {
		clear(m.slots)
	}
	m.r, m.secrets = r, r.secrets
}

// forget empties the memo and lets go of its Redactor.
func (m *shownMemo) forget() {
	clear(m.slots)
	m.r, m.secrets = nil, nil
}

// shown is Analyzer.shown of b with r, remembered.
func (m *shownMemo) shown(r *Redactor, b []byte) string {
	if m.r != r {
		m.use(r)
	}
	s := &m.slots[maphash.Bytes(m.seed, b)&(1<<shownMemoBits-1)]
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
	s := &m.slots[maphash.String(m.seed, line)&(1<<shownMemoBits-1)]
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
