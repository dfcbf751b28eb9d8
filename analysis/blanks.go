package analysis

// blankLines processes n empty lines. While one can change more than
// counters (a block or the context after a finding is open, a Go test's
// output or a private key block is being followed) they go through
// processLine one at a time; the rest, which only count and fill the ring
// of context lines with empty ones, are taken all at once. A log that is
// mostly blank lines is then as fast as any other.
func (a *Analyzer) blankLines(n int) {
	for ; n > 0 && (a.open != nil || len(a.pending) > 0 || a.inKey || a.goRunStart != 0); n-- {
		a.processLine(nil, false)
	}
	if n == 0 {
		return
	}
	// What processLine does for each of n empty lines in this state.
	a.line += n
	a.echo = max(0, a.echo-n)
	a.flags = 0
	a.lv = lineView{}
	if a.before == 0 {
		return
	}
	for i := range min(n, len(a.ring)) {
		slot := (a.ringPos + i) % len(a.ring)
		a.ring[slot] = a.ring[slot][:0]
	}
	a.pushes += n
	a.ringPos = (a.ringPos + n) % len(a.ring)
	a.ringLen = min(len(a.ring), a.ringLen+n)
}
