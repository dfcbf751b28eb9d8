package analysis

// Defaults for Options.
const (
	DefaultContextBefore = 3
	DefaultContextAfter  = 3
	// MaxContext caps ContextBefore and ContextAfter.
	MaxContext = 50
	// maxAbsorbLines ends any block: the analyzer's state never depends on
	// more than this many earlier lines, which is what lets a log be cut
	// into overlapping chunks with the same result.
	maxAbsorbLines = 200
)

// StateWindow is how many lines before a chunk's first owned line must be
// fed for the chunk to give the same findings as the whole log.
const StateWindow = maxAbsorbLines + MaxContext

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
type Analyzer struct {
	opts     Options
	before   int
	after    int
	redactor *Redactor
	split    LineSplitter
	clean    cleaner
	emit     func([]byte, bool)

	line      int // number of the line being processed
	bytes     int64
	truncated int

	ring    [][]byte // the last `before` cleaned lines
	ringLen int
	ringPos int
	pushes  int // lines pushed into the ring so far

	open  *block
	blk   block    // the storage behind open: one block is open at a time
	lv    lineView // the line being processed
	flags uint8    // what triggers.scan found in the line being processed

	classCache [1 << classCacheBits]classified
	fpCache    *[1 << fpCacheBits]fpEntry // allocated on the first block
	arena      []byte                     // the open block's lines and context, reused across blocks
	pending    []*pendingContext

	byFP     map[string]*Candidate
	order    []*Candidate
	kept     distinctCap
	dropped  int
	sections []Section

	// goRun holds the output of the Go test running now ("=== RUN TestX"
	// and the indented lines after it), so a later "--- FAIL: TestX" can
	// show it: in verbose mode a test's messages come before its verdict.
	goRun      [][]byte
	goRunName  []byte
	goRunStart int
	goRunCands []*Candidate // candidates seen in the running test's output
	goRunBuf   []byte       // the bytes behind goRun

	inKey     bool // inside a PEM private key block
	echo      int  // lines left of a GitHub "Run" script echo; 0 when not in one
	lastStep  []byte
	lowerBuf  []byte
	litBuf    []uint64
	finished  bool
	lastTitle string
}

// NewAnalyzer returns an Analyzer for one log.
func NewAnalyzer(opts Options) *Analyzer {
	a := &Analyzer{
		opts:     opts,
		before:   opts.contextBefore(),
		after:    opts.contextAfter(),
		redactor: NewRedactor(opts.Secrets...),
		byFP:     make(map[string]*Candidate),
		line:     opts.FirstLine - 1,
	}
	if a.line < 0 {
		a.line = 0
	}
	a.split.MaxLine = opts.MaxLineBytes
	// The ring keeps enough lines to show the context before a block that
	// reaches back over a Go test's output.
	a.ring = make([][]byte, a.before+maxGoRunLines)
	a.emit = a.processLine
	return a
}

// Write feeds log bytes. It never fails.
func (a *Analyzer) Write(p []byte) (int, error) {
	a.bytes += int64(len(p))
	a.split.Write(p, a.emit)
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
		if a.open != nil {
			a.closeBlock()
		}
		a.pending = nil
	}
	res := JobResult{
		Lines:          a.line,
		Bytes:          a.bytes,
		Sections:       a.sections,
		TruncatedLines: a.truncated,
		Dropped:        a.dropped,
	}
	res.Candidates = make([]Candidate, len(a.order))
	for i, c := range a.order {
		res.Candidates[i] = *c
	}
	return res
}

func (a *Analyzer) owns(line int) bool {
	return line >= a.opts.OwnFrom && (a.opts.OwnTo <= 0 || line <= a.opts.OwnTo)
}

func (a *Analyzer) processLine(raw []byte, truncated bool) {
	a.line++
	if truncated {
		a.truncated++
	}
	text, info := a.clean.clean(raw)
	flags := triggers.scan(text)
	a.flags = flags
	if a.inKey {
		if isPEMEnd(text) {
			a.inKey = false
		}
		text = []byte(Redacted)
	} else if flags&(scanPEM|scanTrigger) != 0 && isPEMBegin(text) && !isPEMEnd(text) {
		// (scan stops at the first trigger word, before a key's header)
		a.inKey = true
		text = []byte(Redacted)
	}

	l := &a.lv
	*l = lineView{text: text, mark: info.mark}
	l.trim, l.indent = leadingSpace(text)
	structural := a.trackStructure(l, info.step)

	if a.open != nil && (structural || !a.continues(l)) {
		a.closeBlock()
	}
	a.feedPending(text)

	if a.open != nil {
		a.absorb(l)
	} else if !structural || l.mark == MarkErrorAnnotation {
		a.detect(l)
	}
	a.trackGoRun(l)
	if a.echo > 0 {
		a.echo--
	}
	a.snapshotBeforeOverwrite()
	a.pushRing(text)
}
