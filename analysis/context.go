package analysis

// contextLines keeps the lines shown around findings: a ring of the last
// lines, for the context before a block, and the findings still waiting
// for the lines after them.
type contextLines struct {
	before, after int // lines shown before and after a finding

	ring   [][]byte   // the last lines, cleaned, whole: redaction comes before the cut
	copies [][]byte   // the buffers push copies lines into, one per slot
	flags  []lineFlag // what each line in ring was (see output.go)
	filled int        // lines in ring
	next   int        // where the next line goes
	pushes int        // lines pushed in all

	pending []*pendingContext // findings waiting for lines after them
}

// pendingContext is a finding waiting for left more lines after it.
type pendingContext struct {
	c    *Candidate
	left int
}

// ringSpan locates context lines in the ring without copying them: the n
// lines that ended skip lines before the last line pushed when the ring
// had taken at lines.
type ringSpan struct{ at, skip, n int }

func newContextLines(before, after int) contextLines {
	// The ring keeps enough lines to show the context before a block that
	// reaches back over a Go test's output, and to find a failed command's
	// last output before its verdict.
	n := max(before+maxGoRunLines, tailLookback)
	return contextLines{before: before, after: after, ring: make([][]byte, n), copies: make([][]byte, n), flags: make([]lineFlag, n)}
}

// push adds a copy of the current line to the ring.
func (c *contextLines) push(text []byte, flag lineFlag) {
	c.copies[c.next] = append(c.copies[c.next][:0], text...)
	c.keep(c.copies[c.next], flag)
}

// keep adds the current line to the ring as it is: text must not change
// while the ring holds it.
func (c *contextLines) keep(text []byte, flag lineFlag) {
	c.ring[c.next] = text
	c.flags[c.next] = flag
	c.pushes++
	if c.next++; c.next == len(c.ring) {
		c.next = 0
	}
	if c.filled < len(c.ring) {
		c.filled++
	}
}

// back returns the line pushed k lines ago (k=1: the last one) and its
// flag; k must be at most filled.
func (c *contextLines) back(k int) ([]byte, lineFlag) {
	i := (c.next - k + len(c.ring)) % len(c.ring)
	return c.ring[i], c.flags[i]
}

// pushBlanks adds n empty lines to the ring, as n calls of push would.
func (c *contextLines) pushBlanks(n int) {
	for i := range min(n, len(c.ring)) {
		slot := (c.next + i) % len(c.ring)
		c.ring[slot] = c.ring[slot][:0]
		c.flags[slot] = flagContent
	}
	c.pushes += n
	c.next = (c.next + n) % len(c.ring)
	c.filled = min(len(c.ring), c.filled+n)
}

// spanBefore returns where the context before a block that starts skip
// lines before the current line is.
func (c *contextLines) spanBefore(skip int) ringSpan {
	return ringSpan{at: c.pushes, skip: skip, n: max(0, min(c.before, c.filled-skip))}
}

// overwrites reports whether the next line pushed overwrites the oldest
// line of s.
func (c *contextLines) overwrites(s ringSpan) bool {
	return c.pushes+1-s.at+s.skip+s.n > len(c.ring)
}

// copyBefore copies the open block's context before out of the ring,
// oldest first, once: most blocks repeat a message already kept and never
// need it.
func (a *Analyzer) copyBefore(b *block) {
	if b.beforeCopied {
		return
	}
	b.beforeCopied = true
	c := &a.context
	back := c.pushes - b.beforeAt.at + b.beforeAt.skip
	for i := b.beforeAt.n; i > 0; i-- {
		idx := (c.next - back - i + 2*len(c.ring)) % len(c.ring)
		b.before = append(b.before, a.block.keep(c.ring[idx]))
	}
}

// keepBeforeOverwrite copies the open block's context before while the
// ring still holds it: the next line pushed would overwrite the oldest.
func (a *Analyzer) keepBeforeOverwrite() {
	if b := a.block.open; b != nil && !b.beforeCopied && a.context.overwrites(b.beforeAt) {
		a.copyBefore(b)
	}
}

// feedAfter gives the current line to the findings waiting for lines
// after them.
func (a *Analyzer) feedAfter(text []byte) {
	c := &a.context
	if len(c.pending) == 0 {
		return
	}
	shown := a.shown(text)
	kept := c.pending[:0]
	for _, p := range c.pending {
		p.c.ContextAfter = append(p.c.ContextAfter, shown)
		p.left--
		if p.left > 0 {
			kept = append(kept, p)
		}
	}
	for i := len(kept); i < len(c.pending); i++ {
		c.pending[i] = nil
	}
	c.pending = kept
}

// awaitAfter gives cand the lines after block b: those b already holds
// (see block.afterKnown), else the next lines read.
func (a *Analyzer) awaitAfter(cand *Candidate, b *block, blanks int) {
	if b.afterKnown {
		cand.ContextAfter = cand.ContextAfter[:0]
		for _, l := range b.after {
			cand.ContextAfter = append(cand.ContextAfter, a.shown(l))
		}
		return
	}
	a.context.awaitAfterNext(cand, blanks)
}

// awaitAfterNext starts collecting the lines after cand; the first blank
// ones were already read as the tail of its block.
func (c *contextLines) awaitAfterNext(cand *Candidate, blanks int) {
	cand.ContextAfter = cand.ContextAfter[:0]
	for i := 0; i < blanks && len(cand.ContextAfter) < c.after; i++ {
		cand.ContextAfter = append(cand.ContextAfter, "")
	}
	if left := c.after - len(cand.ContextAfter); left > 0 {
		c.pending = append(c.pending, &pendingContext{c: cand, left: left})
	}
}
