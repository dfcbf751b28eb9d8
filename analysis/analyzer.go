package analysis

import "slices"

// Defaults for Options.
const (
	DefaultContextBefore = 3
	DefaultContextAfter  = 3
	// MaxContext caps ContextBefore and ContextAfter.
	MaxContext = 50
	// maxAbsorbLines bounds blocks: one that has taken in this many lines
	// ends at the next line whose number is a multiple of it. Ends at fixed
	// line numbers keep a run of long blocks in step however far back it
	// began, so the analyzer's state depends on a bounded stretch of
	// earlier lines, which is what lets a log be cut into overlapping
	// chunks with the same result.
	maxAbsorbLines = 200
	// maxKeyLines ends a private key block whose end line never comes (a
	// cut line lost it): longer than any key (a 16384-bit RSA key in PEM
	// is under 200 lines), shorter than StateWindow.
	maxKeyLines = 400
)

// StateWindow is how many lines before a chunk's first owned line must be
// fed for the chunk to give the same findings as the whole log: two
// blocks of the longest, and the context before a finding.
const StateWindow = 2*maxAbsorbLines + MaxContext

// Options tune an Analyzer.
type Options struct {
	// ContextBefore and ContextAfter are the lines kept around a finding;
	// negative means none, zero means the default.
	ContextBefore int
	ContextAfter  int
	// MaxLineBytes caps the bytes analyzed of one line (0: DefaultMaxLineBytes).
	MaxLineBytes int
	// Secrets are literal values to redact besides the known token shapes.
	Secrets []string

	// FirstLine is the line number of the first byte fed (0 means 1). With
	// OwnFrom and OwnTo it lets a caller analyze one chunk of a log: feed
	// StateWindow lines before OwnFrom and maxAbsorbLines+ContextAfter lines
	// after OwnTo, and only findings and sections that start within
	// [OwnFrom, OwnTo] are returned.
	FirstLine int
	OwnFrom   int
	OwnTo     int
}

func (o Options) contextBefore() int { return clampContext(o.ContextBefore, DefaultContextBefore) }
func (o Options) contextAfter() int  { return clampContext(o.ContextAfter, DefaultContextAfter) }

func clampContext(n, def int) int {
	switch {
	case n < 0:
		return 0
	case n == 0:
		return def
	case n > MaxContext:
		return MaxContext
	}
	return n
}

// Analyzer reads one job's log as a stream of bytes and collects candidate
// findings. Memory stays bounded whatever the size of the log. An Analyzer
// is not safe for concurrent use.
//
// processLine takes each line through the stages; the state each stage
// keeps is one field here, a struct declared in the stage's file.
type Analyzer struct {
	opts     Options
	redactor *Redactor
	triggers *keywordSet // triggerSet()
	split    LineSplitter
	clean    cleaner
	emit     func([]byte, bool) // processLine, bound once
	blanks   func(int)          // blankLines, bound once
	finished bool               // Result was called

	line      int      // number of the line being processed
	stepped   int      // lines processed one by one (not in a run of blank lines)
	bytes     int64    // bytes fed
	truncated int      // lines longer than MaxLineBytes
	cur       lineView // the line being processed

	spans      spanState     // inside a private key, inside a script echo
	sections   sectionLog    // step and group headers
	block      blockState    // the block being read
	context    contextLines  // lines before (a ring) and after findings
	goTest     goTestTracker // the output of the Go test running now
	found      foundSet      // the candidates, one per fingerprint
	output     outputState   // the failed commands' last output
	classes    *classCache   // classification by line shape: classCaches' until Result
	lendsCache bool          // classes is a ParallelAnalyzer's: Result leaves it
	// stableInput: the arrays of what Write is given stay as they are
	// until Result returns (a ParallelAnalyzer's segment buffers), so the
	// context ring may keep lines that lie in them without copying them.
	// input is the write being split.
	stableInput bool
	input       []byte
}

// NewAnalyzer returns an Analyzer for one log.
func NewAnalyzer(opts Options) *Analyzer {
	a := &Analyzer{
		opts:     opts,
		redactor: NewRedactor(opts.Secrets...),
		triggers: triggerSet(),
		line:     max(opts.FirstLine-1, 0),
		context:  newContextLines(opts.contextBefore(), opts.contextAfter()),
		found:    foundSet{byFP: make(map[uint64]*Candidate)},
	}
	a.classes = classCaches.Get().(*classCache)
	a.split.MaxLine = opts.MaxLineBytes
	a.emit = a.processLine
	a.blanks = a.blankLines
	return a
}

// Write feeds log bytes. It never fails; after Result it does nothing.
func (a *Analyzer) Write(p []byte) (int, error) {
	if a.finished {
		return len(p), nil
	}
	a.bytes += int64(len(p))
	if a.stableInput {
		a.input = p
	}
	a.split.WriteRuns(p, a.emit, a.blanks)
	return len(p), nil
}

// Lines returns the number of lines read so far.
func (a *Analyzer) Lines() int { return a.line }

// Result ends the log and returns what was found. Call it once, after the
// last Write.
func (a *Analyzer) Result() JobResult {
	if !a.finished {
		a.finished = true
		a.split.Flush(a.emit)
		if a.block.open != nil {
			a.closeBlock()
		}
		a.context.pending = nil
		if !a.lendsCache {
			a.classes.release() // warm for the next job's analyzer
		}
		a.classes = nil
	}
	res := JobResult{
		Lines:          a.line,
		Bytes:          a.bytes,
		Sections:       a.sections.list,
		TruncatedLines: a.truncated,
		Dropped:        a.found.dropped,
	}
	res.Candidates = make([]Candidate, len(a.found.order))
	for i, c := range a.found.order {
		res.Candidates[i] = *c
		if cap(c.Lines) > len(c.Lines) {
			// Grown by appends; a build keeps thousands of these.
			res.Candidates[i].Lines = slices.Clone(c.Lines)
		}
	}
	return res
}

// owns reports whether findings and sections starting at line are this
// analyzer's to report (see Options.OwnFrom).
func (a *Analyzer) owns(line int) bool {
	return line >= a.opts.OwnFrom && (a.opts.OwnTo <= 0 || line <= a.opts.OwnTo)
}

// processLine takes one line through the stages, in the order of the files
// that hold them (see the package doc).
func (a *Analyzer) processLine(raw []byte, truncated bool) {
	a.line++
	a.stepped++
	if truncated && a.owns(a.line) {
		a.truncated++
	}
	// Clean the line, screen it for trigger words, hide private keys.
	text, info := a.clean.clean(raw)
	scan := a.triggers.scan(text)
	text = a.spans.hideKey(text, scan)
	l := &a.cur
	*l = lineView{text: text, mark: info.mark}
	l.scan = scan // (set apart: with a third field the literal is built aside and copied)
	l.trim, l.indent = leadingSpace(text)

	// Step and group headers are structure, not content: they end a block.
	echo := a.spans.inEcho() // (a group's end ends a script echo)
	structural := a.trackStructure(l, info.step)
	if a.block.open != nil && (structural || !a.continues(l)) {
		a.closeBlock()
	}
	a.feedAfter(text)

	// The line joins the open block, or may open one.
	if a.block.open != nil {
		a.absorb(l)
	} else if !structural || l.mark == MarkErrorAnnotation {
		a.detect(l)
	}
	a.goTest.track(l, a.line)
	a.spans.nextLine()
	a.keepBeforeOverwrite()
	flag := boundaryFlag(l, structural)
	if l.verdict || succeededVerdict(l.trim) || echo && flag == flagGroupEnd {
		flag = flagBoundary
	}
	if a.stableInput && within(text, a.input) {
		a.context.keep(text, flag)
	} else {
		a.context.push(text, flag)
	}
}

// within reports whether b lies in the array of p: whether both end in
// the same last element of their capacity. (Slicing up to the capacity is
// allowed; two arrays never share an element.)
func within(b, p []byte) bool {
	if cap(b) == 0 || cap(p) == 0 {
		return false
	}
	return &b[:cap(b)][cap(b)-1] == &p[:cap(p)][cap(p)-1]
}
