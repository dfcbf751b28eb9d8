package analysis

type pendingContext struct {
	c    *Candidate
	left int
}

func (a *Analyzer) pushRing(text []byte) {
	if a.before == 0 {
		return
	}
	slot := a.ring[a.ringPos][:0]
	if len(text) > maxShownLineBytes {
		text = text[:maxShownLineBytes]
	}
	a.ring[a.ringPos] = append(slot, text...)
	a.pushes++
	if a.ringPos++; a.ringPos == len(a.ring) {
		a.ringPos = 0
	}
	if a.ringLen < len(a.ring) {
		a.ringLen++
	}
}

// keep copies b into the block arena.
func (a *Analyzer) keep(b []byte) []byte {
	if len(b) > maxShownLineBytes {
		b = b[:maxShownLineBytes]
	}
	n := len(a.arena)
	a.arena = append(a.arena, b...)
	return a.arena[n:len(a.arena):len(a.arena)]
}

// snapshot copies the open block's context-before lines out of the ring,
// oldest first, once.
func (a *Analyzer) snapshot(b *block) {
	if b.snapped {
		return
	}
	b.snapped = true
	back := a.pushes - b.snapAt + b.snapSkip
	for i := b.snapN; i > 0; i-- {
		idx := (a.ringPos - back - i + 2*len(a.ring)) % len(a.ring)
		b.before = append(b.before, a.keep(a.ring[idx]))
	}
}

// snapshotBeforeOverwrite takes the open block's context before while the
// ring still holds it: the next line pushed would overwrite the oldest.
func (a *Analyzer) snapshotBeforeOverwrite() {
	if b := a.open; b != nil && !b.snapped && a.pushes+1-b.snapAt+b.snapSkip+b.snapN > len(a.ring) {
		a.snapshot(b)
	}
}

func (a *Analyzer) feedPending(text []byte) {
	if len(a.pending) == 0 {
		return
	}
	kept := a.pending[:0]
	for _, p := range a.pending {
		p.c.ContextAfter = append(p.c.ContextAfter, a.redactor.Redact(shown(text)))
		p.left--
		if p.left > 0 {
			kept = append(kept, p)
		}
	}
	for i := len(kept); i < len(a.pending); i++ {
		a.pending[i] = nil
	}
	a.pending = kept
}

// awaitContext starts collecting the lines after c; the first blank ones
// were already read as the tail of its block.
func (a *Analyzer) awaitContext(c *Candidate, blanks int) {
	c.ContextAfter = c.ContextAfter[:0]
	for i := 0; i < blanks && len(c.ContextAfter) < a.after; i++ {
		c.ContextAfter = append(c.ContextAfter, "")
	}
	if left := a.after - len(c.ContextAfter); left > 0 {
		a.pending = append(a.pending, &pendingContext{c: c, left: left})
	}
}
