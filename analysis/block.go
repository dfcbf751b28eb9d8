package analysis

import "bytes"

const (
	// maxRangeLines caps the lines a finding covers; longer blocks (a deep
	// stack trace) are still absorbed so they don't turn into more findings.
	maxRangeLines = 40
	// minCandidateScore: weaker lines are not kept as candidates.
	minCandidateScore = 0.04
)

// blockState is the block being read: at most one is open at a time, and
// its storage is reused from block to block.
type blockState struct {
	open  *block // the block being read; nil when none
	store block  // the storage behind open
	arena []byte // the bytes of its lines and context
}

// keep copies b, cut to maxShownLineBytes, into the block arena.
func (s *blockState) keep(b []byte) []byte {
	if len(b) > maxShownLineBytes {
		b = b[:maxShownLineBytes]
	}
	n := len(s.arena)
	s.arena = append(s.arena, b...)
	return s.arena[n:len(s.arena):len(s.arena)]
}

// block is the lines a trigger line opens: the range a finding covers.
type block struct {
	r        *rule
	score    float64
	reasons  []string
	start    int
	indent   int
	lines    [][]byte // cleaned lines in the range
	absorbed int      // lines absorbed in all
	head     int      // index in lines of the message line
	best     float64  // best score among the lines, for weak modes
	done     bool     // the next line cannot continue the block
	blanks   int      // consecutive blank lines absorbed
	noise    string
	// before is the context before, copied out of the context ring only
	// when needed (see copyBefore); until then beforeAt says where it is.
	before       [][]byte
	beforeAt     ringSpan
	beforeCopied bool
}

// detect classifies a line that is not part of an open block and opens a
// block when it is a candidate.
func (a *Analyzer) detect(l *lineView) {
	if l.scan&scanTrigger == 0 && !(l.scan&scanGoDiag != 0 && l.indent == 0) && l.mark != MarkErrorAnnotation &&
		!hasLeadMarker(l.trim) {
		return
	}
	c := a.classes.lookup(l, a.spans.inEcho())
	if c.r == nil {
		return
	}
	r, score := c.r, c.score
	a.block.arena = a.block.arena[:0]
	st := &a.block.store
	*st = block{r: r, score: score, start: a.line, indent: l.indent, best: score,
		lines: st.lines[:0], before: st.before[:0], reasons: st.reasons[:0]}
	b := st
	if c.noise != "" {
		b.noise = c.noise
		b.score *= c.factor
		b.best = b.score
	}
	if b.score < minCandidateScore && r.mode == modeSingle || b.score < minCandidateScore/2 {
		return // noise too faint to ever be shown
	}
	if l.mark == MarkErrorAnnotation && r.trailer == notTrailer {
		b.reasons = append(b.reasons, "annotated-error")
	}
	var goOut [][]byte
	if r.mode == modeGoTest {
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
	if r.mode == modeSingle {
		b.done = true
	}
}

// absorb adds a continuation line to the open block.
func (a *Analyzer) absorb(l *lineView) {
	b := a.block.open
	b.absorbed++
	if len(l.trim) == 0 {
		b.blanks++
	} else {
		b.blanks = 0
	}
	if b.r.mode == modePyTraceback && len(b.lines) >= rangeCap(b.r.mode) {
		// Keep the end of a long traceback: the innermost frames and the
		// exception. The dropped frames become the context before.
		a.copyBefore(b)
		b.before = append(b.before, b.lines[0])
		if n := a.context.before; len(b.before) > n {
			b.before = append(b.before[:0], b.before[len(b.before)-n:]...)
		}
		b.lines = append(b.lines[:0], b.lines[1:]...)
		b.start++
	}
	if len(b.lines) < rangeCap(b.r.mode) {
		b.lines = append(b.lines, a.block.keep(l.text))
		// A stronger line inside a loosely delimited block becomes its message.
		if (b.r.mode == modeIndent || b.r.mode == modeMaven || b.r.mode == modeNpm) && len(l.trim) > 0 &&
			(l.scan&scanTrigger != 0 || leadTrigger(l.trim, l.indent)) {
			if c := a.classes.lookup(l, a.spans.inEcho()); c.r != nil && c.r.trailer == notTrailer && c.score > b.best+0.05 {
				r, s := c.r, c.score
				b.best = s
				b.head = len(b.lines) - 1
				if s > b.score {
					b.score = s
					b.reasons = append(b.reasons, r.name)
				}
			}
		}
		if b.r.mode == modePyTraceback && l.indent <= b.indent && len(l.trim) > 0 {
			b.head = len(b.lines) - 1
		}
		if b.r.mode == modePytestE && b.head == 0 && isExceptionLine(l.trim) {
			b.head = len(b.lines) - 1
		}
		if b.r.headlineNext && len(b.lines) == 2 {
			b.head = 1
		}
	}
}

// rangeCap is how many lines a finding of this mode covers at most.
func rangeCap(m blockMode) int {
	switch m {
	case modeJava:
		return 12
	case modeGoPanic, modePyTraceback:
		return 20
	case modeGoTest, modeIndent, modeMaven:
		return 25
	}
	return maxRangeLines
}

func isExceptionLine(b []byte) bool {
	return bytes.Contains(b, []byte("Error")) || bytes.Contains(b, []byte("Exception"))
}

// continues reports whether l belongs to the open block.
func (a *Analyzer) continues(l *lineView) bool {
	b := a.block.open
	if b.done || b.absorbed >= maxAbsorbLines || l.mark == MarkErrorAnnotation {
		return false
	}
	blank := len(l.trim) == 0
	t := l.trim
	switch b.r.mode {
	case modeIndent:
		return !blank && l.indent > b.indent && (b.score >= 0.6 || !startsStructured(a, l))
	case modeJava:
		if blank {
			return false
		}
		if bytes.HasPrefix(t, []byte("Caused by:")) {
			return false
		}
		return bytes.HasPrefix(t, []byte("at ")) || bytes.HasPrefix(t, []byte("... ")) ||
			bytes.HasPrefix(t, []byte("Suppressed: ")) || l.indent > b.indent
	case modePyTraceback:
		if blank {
			return false
		}
		if l.indent > b.indent {
			return true
		}
		b.done = true // the exception line ends the traceback
		return true
	case modeGoPanic:
		if blank {
			return b.blanks == 0
		}
		return l.indent > 0 || bytes.HasPrefix(t, []byte("goroutine ")) || bytes.HasPrefix(t, []byte("created by ")) ||
			goFrame(t) || bytes.HasPrefix(t, []byte("[signal ")) || bytes.HasPrefix(t, []byte("Previous ")) ||
			bytes.HasPrefix(t, []byte("Write at ")) || bytes.HasPrefix(t, []byte("Read at ")) ||
			bytes.HasPrefix(t, []byte("Goroutine ")) || bytes.HasPrefix(t, []byte("=================="))
	case modeGoTest:
		return !blank && l.indent > b.indent
	case modeCompiler:
		if blank || b.absorbed >= 12 {
			return false
		}
		if compilerNote.Match(t) {
			return true
		}
		return l.indent > b.indent && !diagnosticStart.Match(t)
	case modeRust:
		return !blank
	case modeBox:
		if bytes.HasPrefix(t, []byte("╵")) {
			b.done = true
			return true
		}
		return bytes.HasPrefix(t, []byte("│"))
	case modeGradle:
		if bytes.HasPrefix(t, []byte("* Try:")) || bytes.HasPrefix(t, []byte("BUILD FAILED")) || bytes.HasPrefix(t, []byte("* Get more help")) {
			return false
		}
		return b.absorbed < 30
	case modeJest:
		if blank {
			return b.blanks < 2
		}
		return l.indent > b.indent
	case modePytestE:
		return len(l.text) >= 1 && l.text[0] == 'E' && (len(l.text) == 1 || l.text[1] == ' ')
	case modeMaven:
		if bytes.HasPrefix(l.text, []byte("[ERROR] ")) {
			rest := l.text[len("[ERROR] "):]
			return len(rest) > 0 && (rest[0] == ' ' || rest[0] == '\t')
		}
		return !blank && l.indent > 0 && t[0] != '['
	case modeNpm:
		return (bytes.HasPrefix(l.text, []byte("npm ERR! ")) || bytes.HasPrefix(l.text, []byte("npm error "))) &&
			!npmBoilerplate.Match(l.text)
	case modeNumbered:
		if blank {
			return b.blanks < 1
		}
		if l.indent > b.indent {
			return true
		}
		// PHPUnit prints the message unindented right under "1) Test::name".
		return b.indent == 0 && b.blanks == 0 && b.absorbed < 6 && !startsStructured(a, l)
	}
	return false
}

// startsStructured reports whether l opens a block of its own with a
// structured shape (a traceback, a test failure, a diagnostic), which a
// loosely delimited block must not swallow.
func startsStructured(a *Analyzer, l *lineView) bool {
	if l.scan&scanTrigger == 0 && !leadTrigger(l.trim, l.indent) {
		return false
	}
	c := a.classes.lookup(l, a.spans.inEcho())
	return c.r != nil && c.r.mode != modeIndent && c.r.mode != modeSingle && c.r.trailer == notTrailer
}

var (
	compilerNote    = re(`^(\S+:\d+(:\d+)?: note: |In file included from |\s*\d*\s*\|)`)
	diagnosticStart = re(`^\S+:\d+(:\d+)?: `)
	npmBoilerplate  = re(`^npm (ERR!|error) ?(A complete log of this run|code ELIFECYCLE|errno |Exit status|Failed at the|This is probably not|\s*$)`)
	goFrameRe       = re(`^[\w./*()\[\]-]+\(.*\)$`)
)

func goFrame(t []byte) bool { return goFrameRe.Match(t) }

// closeBlock ends the open block and records it (see record).
func (a *Analyzer) closeBlock() {
	b := a.block.open
	a.block.open = nil
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
	a.record(b, bytes.TrimSpace(b.lines[head]), trailing)
}
