package analysis

// blankLines processes n empty lines. While one can change more than
// counters (a block or the context after a finding is open, a Go test's
// output or a private key block is being followed) they go through
// processLine one at a time; the rest, which only count and fill the ring
// of context lines with empty ones, are taken all at once. A log that is
// mostly blank lines is then as fast as any other.
func (a *Analyzer) blankLines(n int) {
	for ; n > 0 && (a.block.open != nil || len(a.context.pending) > 0 || a.spans.inKey || a.goTest.start != 0); n-- {
		a.processLine(nil, false)
	}
	if n == 0 {
		return
	}
	// What processLine does for each of n empty lines in this state.
	a.line += n
	a.spans.echo = max(0, a.spans.echo-n)
	a.cur = lineView{}
	a.context.pushBlanks(n)
}
