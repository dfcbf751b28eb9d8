package analysis

import "bytes"

const (
	// maxRangeLines caps the lines a finding covers; longer blocks (a deep
	// stack trace) are still absorbed so they don't turn into more findings.
	maxRangeLines = 40
	// minCandidateScore: weaker lines are not kept as candidates.
	minCandidateScore = 0.04
)

// blockSpec says which lines after a rule's trigger line belong to its
// finding, and how that finding is shaped. The specs are declared in
// rules_table.go, after the rules that open their blocks: adding an
// ecosystem is a rule there and, when its findings span lines, a spec.
type blockSpec struct {
	// continues tells what the line l after block b does with it. Nil: the
	// block is its trigger line alone.
	continues func(b *block, l *lineView) join
	// rangeCap is how many lines a finding covers at most; the lines past
	// it are still absorbed so that they don't turn into more findings.
	rangeCap int
	// structured blocks have a shape of their own (a trace, a test failure,
	// a diagnostic) that a loose block (an error line and whatever is
	// indented under it) must not swallow; a deprecation in one is not
	// passing noise.
	structured bool
	// promotes: a clearly stronger line inside the block becomes its
	// message (for loosely delimited blocks).
	promotes bool
	// head, when set, reports whether an absorbed line is the block's
	// message; otherwise the trigger line is.
	head func(b *block, l *lineView) bool
	// keepTail: past rangeCap the block keeps its last lines rather than
	// its first (a Python traceback ends with the innermost frames and the
	// exception); the lines dropped from its start become context before.
	keepTail bool
	// testOutput: the block takes in what the Go test its trigger line
	// names printed just before it.
	testOutput bool
	// wraps, when set, reports whether the block, whose message is msg,
	// does not explain the failure itself: its message only says that a
	// command failed (Python's subprocess.CalledProcessError, a summary of
	// the command's own output above it), or its last line says the error
	// was ignored (Ansible's "...ignoring"). The block is then found by
	// the rule wrapper instead of the trigger's.
	wraps   func(b *block, msg []byte) bool
	wrapper *rule
}

// join is what the line after a block does with it.
type join uint8

const (
	joinNo        join = iota // the line is not part of the block: it ends it
	joinYes                   // the line is part of the block
	joinLast                  // the line is part of the block and its last line
	joinUnlessOwn             // the line is part of the block unless it opens a structured block of its own
)

// joinIf is joinYes when ok, joinNo otherwise.
func joinIf(ok bool) join {
	if ok {
		return joinYes
	}
	return joinNo
}

// blockState is the block being read: at most one is open at a time, and
// its storage is reused from block to block.
type blockState struct {
	open  *block // the block being read; nil when none
	store block  // the storage behind open
	arena []byte // the bytes of its lines and context
}

// keep copies b into the block arena, whole: it is cut to
// maxShownLineBytes only once redacted.
func (s *blockState) keep(b []byte) []byte {
	n := len(s.arena)
	s.arena = append(s.arena, b...)
	return s.arena[n:len(s.arena):len(s.arena)]
}

// block is the lines a trigger line opens: the range a finding covers.
type block struct {
	r        *rule
	spec     *blockSpec // r.block
	shape    uint64     // lineShape of the line that opened it; 0 for a failed command's output
	score    float64
	reasons  []string
	start    int
	indent   int
	lines    [][]byte // cleaned lines in the range
	absorbed int      // lines absorbed in all
	head     int      // index in lines of the message line
	best     float64  // best score among the lines, for promoting blocks
	done     bool     // the next line cannot continue the block
	blanks   int      // consecutive blank lines absorbed
	noise    string
	// before is the context before, copied out of the context ring only
	// when needed (see copyBefore); until then beforeAt says where it is.
	before       [][]byte
	beforeAt     ringSpan
	beforeCopied bool
	// after is the context after, when it was read before the block was
	// recorded (afterKnown: a failed command's output, see output.go).
	after      [][]byte
	afterKnown bool
}

// detect classifies a line that is not part of an open block and opens a
// block when it is a candidate.
func (a *Analyzer) detect(l *lineView) {
	if l.scan&scanTrigger == 0 && !(l.scan&scanGoDiag != 0 && l.indent == 0) && !diagnosticMark(l.scan, l.indent, l.trim) && l.mark != MarkErrorAnnotation &&
		!hasLeadMarker(l.trim) {
		return
	}
	echo := a.spans.inEcho()
	shape := lineShape(l.text, l.mark, echo)
	if a.found.skims(shape, l.text) {
		if a.owns(a.line) {
			a.found.dropped++
		}
		return
	}
	c := a.classes.lookupShape(l, shape, echo)
	if c.r == nil {
		return
	}
	r, score := c.r, c.score
	if r.trailer == jobFailure {
		a.failedOutput(l, r)
		a.cur.verdict = true
	}
	a.block.arena = a.block.arena[:0]
	b := &a.block.store
	*b = block{r: r, spec: r.block, score: score, start: a.line, indent: l.indent, best: score, shape: shape,
		lines: b.lines[:0], before: b.before[:0], reasons: b.reasons[:0]}
	if c.noise != "" {
		b.noise = c.noise
		b.score *= c.factor
		b.best = b.score
	}
	if b.score < minCandidateScore && b.spec.continues == nil || b.score < minCandidateScore/2 {
		return // noise too faint to ever be shown
	}
	if l.mark == MarkErrorAnnotation && r.trailer == notTrailer {
		b.reasons = append(b.reasons, "annotated-error")
	}
	var goOut [][]byte
	if b.spec.testOutput {
		// "--- FAIL: TestX (0.01s)": take in what TestX printed before it.
		goOut = a.goTest.outputBefore(l.trim, a.line)
	}
	b.beforeAt = a.context.spanBefore(len(goOut))
	if goOut != nil {
		b.start -= len(goOut)
		for _, g := range goOut {
			b.lines = append(b.lines, a.block.keep(g))
		}
		b.head = len(goOut)
	}
	b.lines = append(b.lines, a.block.keep(l.text))
	b.absorbed = len(b.lines)
	a.block.open = b
	b.done = b.spec.continues == nil
}

// absorb adds a continuation line to the open block.
func (a *Analyzer) absorb(l *lineView) {
	b := a.block.open
	spec := b.spec
	b.absorbed++
	if len(l.trim) == 0 {
		b.blanks++
	} else {
		b.blanks = 0
	}
	if spec.keepTail && len(b.lines) >= spec.rangeCap {
		a.copyBefore(b)
		b.before = append(b.before, b.lines[0])
		if n := a.context.before; len(b.before) > n {
			b.before = append(b.before[:0], b.before[len(b.before)-n:]...)
		}
		b.lines = append(b.lines[:0], b.lines[1:]...)
		b.start++
	}
	if len(b.lines) >= spec.rangeCap {
		return
	}
	b.lines = append(b.lines, a.block.keep(l.text))
	if spec.promotes && len(l.trim) > 0 && (l.scan&scanTrigger != 0 || leadTrigger(l.trim, l.indent)) {
		if c := a.classes.lookup(l, a.spans.inEcho()); c.r != nil && c.r.trailer == notTrailer && c.score > b.best+0.05 {
			b.best = c.score
			b.head = len(b.lines) - 1
			if c.score > b.score {
				b.score = c.score
				b.reasons = append(b.reasons, c.r.name)
			}
		}
	}
	if spec.head != nil && spec.head(b, l) {
		b.head = len(b.lines) - 1
	}
}

// continues reports whether l belongs to the open block.
func (a *Analyzer) continues(l *lineView) bool {
	b := a.block.open
	if b.done || b.absorbed >= maxAbsorbLines && a.line%maxAbsorbLines == 0 || l.mark == MarkErrorAnnotation {
		return false
	}
	switch b.spec.continues(b, l) {
	case joinYes:
		return true
	case joinLast:
		b.done = true
		return true
	case joinUnlessOwn:
		return !a.startsStructured(l)
	}
	return false
}

// startsStructured reports whether l opens a block of its own with a
// structured shape (a traceback, a test failure, a diagnostic), which a
// loosely delimited block must not swallow.
func (a *Analyzer) startsStructured(l *lineView) bool {
	if l.scan&scanTrigger == 0 && !leadTrigger(l.trim, l.indent) {
		return false
	}
	c := a.classes.lookup(l, a.spans.inEcho())
	return c.r != nil && c.r.block.structured && c.r.trailer == notTrailer
}

// closeBlock ends the open block and records it (see record).
func (a *Analyzer) closeBlock() {
	b := a.block.open
	a.block.open = nil
	a.output.noteBlock(b)
	if !a.owns(b.start) {
		return
	}
	trailing := 0
	for len(b.lines) > 1 && b.head < len(b.lines)-1 && len(bytes.TrimSpace(b.lines[len(b.lines)-1])) == 0 {
		b.lines = b.lines[:len(b.lines)-1] // trailing blank lines are context, not part of it
		trailing++
	}
	head := b.head
	if head >= len(b.lines) {
		head = 0
	}
	msg := bytes.TrimSpace(b.lines[head])
	if b.spec.wraps != nil && b.spec.wraps(b, msg) {
		b.r = b.spec.wrapper
		b.score = min(b.score, b.r.score)
	}
	a.record(b, msg, trailing)
}
