package analysis

import (
	"bytes"
	"slices"
	"strings"
	"unicode/utf8"
)

// Defaults for Options.
const (
	DefaultContextBefore = 3
	DefaultContextAfter  = 3
	// MaxContext caps ContextBefore and ContextAfter.
	MaxContext = 50
	// maxRangeLines caps the lines a finding covers; longer blocks (a deep
	// stack trace) are still absorbed so they don't turn into more findings.
	maxRangeLines = 40
	// maxAbsorbLines ends any block: the analyzer's state never depends on
	// more than this many earlier lines, which is what lets a log be cut
	// into overlapping chunks with the same result.
	maxAbsorbLines = 200
	// maxEchoLines bounds a GitHub "##[group]Run" script echo for the same reason.
	maxEchoLines = 200
	// maxShownLineBytes caps each line shown, after redaction: lines are
	// kept whole (up to MaxLineBytes) until then, so a secret across the
	// cut is still recognized.
	maxShownLineBytes = 2048
	maxDistinctStrong = 4000
	maxDistinctWeak   = 1000
	maxSections       = 10000
	weakScore         = 0.3
	// minCandidateScore: weaker lines are not kept as candidates.
	minCandidateScore = 0.04
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

// Candidate is a finding in one job before ranking: where it is, what it
// says, and the local evidence (rule, base score, reasons).
type Candidate struct {
	Fingerprint string      `json:"fingerprint"`
	Rule        string      `json:"rule"`
	Category    string      `json:"category"`
	Severity    Severity    `json:"severity"`
	Score       float64     `json:"score"`
	Reasons     []string    `json:"reasons,omitempty"`
	Trailer     trailerKind `json:"trailer,omitempty"`
	// Noise is set when the line looks like noise (an echoed command, a
	// retry, a deprecation); such candidates never earn position bonuses.
	Noise bool `json:"noise,omitempty"`
	// InPassingTests counts occurrences printed by Go tests that then passed.
	InPassingTests int       `json:"in_passing_tests,omitempty"`
	LineStart      int       `json:"line_start"`
	LineEnd        int       `json:"line_end"`
	Message        string    `json:"message"`
	Text           []string  `json:"text"`
	ContextBefore  []string  `json:"context_before"`
	ContextAfter   []string  `json:"context_after"`
	Occurrences    int       `json:"occurrences"`
	Lines          []int     `json:"lines"`
	Test           *TestCase `json:"test,omitempty"`
}

// Section is a step or group header of a log: a GitHub Actions step, a
// GitLab section, a Buildkite group, a Maven goal, a Gradle task.
type Section struct {
	Line  int    `json:"line"`
	Title string `json:"title"`
	// Kind is "step" (a unit of work that can fail on its own), "group"
	// (a header inside a step) or "reopen" (Buildkite's "^^^ +++": the
	// previous group is where the failure is).
	Kind string `json:"kind"`
}

// JobResult is what an Analyzer found in one job's log.
type JobResult struct {
	Job        JobSummary  `json:"job"`
	Lines      int         `json:"lines"`
	Bytes      int64       `json:"bytes"`
	Candidates []Candidate `json:"candidates"`
	Sections   []Section   `json:"sections"`
	// TruncatedLines counts lines longer than MaxLineBytes.
	TruncatedLines int `json:"truncated_lines,omitempty"`
	// Dropped counts distinct messages over the per-job cap.
	Dropped int `json:"dropped,omitempty"`
	// Baseline, when set, is a model of passing logs of the same job that
	// Rank compares each candidate with.
	Baseline *Baseline `json:"-"`
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
	blanks   func(int)

	line      int // number of the line being processed
	stepped   int // lines processed one by one (not in a run of blank lines)
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
	before   [][]byte
	// The context before is copied out of the ring only when needed (most
	// blocks repeat a message already kept): snapN lines that were snapSkip
	// lines before the block's first line when the ring had taken snapAt lines.
	snapAt, snapSkip, snapN int
	snapped                 bool
}

type pendingContext struct {
	c    *Candidate
	left int
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
	a.blanks = a.blankLines
	return a
}

// Write feeds log bytes. It never fails.
func (a *Analyzer) Write(p []byte) (int, error) {
	a.bytes += int64(len(p))
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
	a.stepped++
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

const maxGoRunLines = 15

// trackGoRun follows "=== RUN" / "=== CONT" sections of verbose go test output.
func (a *Analyzer) trackGoRun(l *lineView) {
	t := l.text
	if len(t) > 8 && t[0] == '=' && (bytes.HasPrefix(t, []byte("=== RUN ")) || bytes.HasPrefix(t, []byte("=== CONT "))) {
		rest := t[len("=== RUN"):]
		if t[4] == 'C' {
			rest = t[len("=== CONT"):]
		}
		name := bytes.TrimSpace(rest)
		a.goRunName = append(a.goRunName[:0], name...)
		a.goRunStart = a.line
		a.goRun = a.goRun[:0]
		a.goRunBuf = a.goRunBuf[:0]
		a.goRunCands = a.goRunCands[:0]
		return
	}
	if a.goRunStart == 0 {
		return
	}
	if l.indent > 0 && a.line-a.goRunStart <= maxAbsorbLines {
		if len(a.goRun) < maxGoRunLines && a.line == a.goRunStart+len(a.goRun)+1 {
			n := len(a.goRunBuf)
			a.goRunBuf = append(a.goRunBuf, t...)
			a.goRun = append(a.goRun, a.goRunBuf[n:len(a.goRunBuf):len(a.goRunBuf)])
		}
		return
	}
	// "--- PASS: TestX": whatever TestX printed was not a failure.
	if (bytes.HasPrefix(t, []byte("--- PASS: ")) || bytes.HasPrefix(t, []byte("--- SKIP: "))) &&
		bytes.HasPrefix(t[len("--- PASS: "):], a.goRunName) {
		for _, c := range a.goRunCands {
			c.InPassingTests++
		}
	}
	a.goRunStart = 0
	a.goRunCands = a.goRunCands[:0]
}

// inGoRun notes that c occurred in the output of the Go test running now.
func (a *Analyzer) inGoRun(c *Candidate) {
	if a.goRunStart > 0 && len(a.goRunCands) < 64 {
		a.goRunCands = append(a.goRunCands, c)
	}
}

// goRunOutput returns the output lines of test name, if they are the lines
// just before the current one.
func (a *Analyzer) goRunOutput(name []byte) [][]byte {
	if a.goRunStart == 0 || len(a.goRun) == 0 || !bytes.Equal(name, a.goRunName) || a.goRunStart+len(a.goRun) != a.line-1 {
		return nil
	}
	return a.goRun
}

// leadingSpace returns b without leading blanks and the columns they span.
func leadingSpace(b []byte) ([]byte, int) {
	n := 0
	for i, c := range b {
		switch c {
		case ' ':
			n++
		case '\t':
			n += 4
		default:
			return b[i:], n
		}
	}
	return nil, n
}

// trackStructure records section headers and GitHub script echoes, and
// reports whether the line is a structural marker rather than content.
func (a *Analyzer) trackStructure(l *lineView, step []byte) bool {
	if len(step) > 0 && !bytes.Equal(step, a.lastStep) {
		a.lastStep = append(a.lastStep[:0], step...)
		a.addSection(string(step), "step")
	}
	switch l.mark {
	case MarkGroupStart:
		title := string(l.trim)
		if strings.HasPrefix(title, "Run ") {
			a.addSection(title, "step")
			a.echo = maxEchoLines
		} else {
			a.addSection(title, "group")
		}
		return true
	case MarkStepStart:
		a.addSection(string(l.trim), "step")
		a.echo = 0
		return true
	case MarkGroupEnd:
		a.echo = 0
		return true
	case MarkCommand, MarkNotice:
		return false
	}
	t := l.text
	if len(t) < 4 {
		return false
	}
	switch t[0] { // most lines start with none of these
	case '-', '+', '~':
		if t[1] != t[0] || t[2] != t[0] || t[3] != ' ' {
			return false
		}
		// Buildkite groups; "--- FAIL: TestX" and "--- PASS" are Go test output.
		title := bytes.TrimSpace(t[4:])
		if t[0] == '-' && (bytes.HasPrefix(title, []byte("FAIL")) || bytes.HasPrefix(title, []byte("PASS")) || bytes.HasPrefix(title, []byte("SKIP"))) {
			return false
		}
		if len(title) == 0 || bytes.HasSuffix(title, []byte("---")) {
			return false // a ruler or a Maven "--- plugin ---" without prefix
		}
		a.addSection(string(title), "step")
		return true
	case '^':
		if bytes.HasPrefix(t, []byte("^^^ +++")) {
			a.addSection(a.lastTitle, "reopen")
			return true
		}
	case '[':
		switch {
		case bytes.HasPrefix(t, []byte("[Pipeline] { (")):
			a.addSection(strings.TrimSuffix(string(t[len("[Pipeline] { ("):]), ")"), "step")
			return true
		case bytes.HasPrefix(t, []byte("[INFO] --- ")):
			a.addSection(string(bytes.TrimSuffix(t[len("[INFO] --- "):], []byte(" ---"))), "group")
			return true
		case buildSucceededLine(t):
			a.addSection(string(t), "success")
		}
	case '>':
		if bytes.HasPrefix(t, []byte("> Task :")) && !bytes.HasSuffix(t, []byte(" FAILED")) {
			a.addSection(string(t[2:]), "group")
		}
	case 'B':
		if buildSucceededLine(t) {
			a.addSection(string(t), "success")
		}
	case 'P':
		if bytes.Equal(t, []byte("Post job cleanup.")) {
			a.addSection("Post job cleanup", "step")
			a.echo = 0
			return true
		}
	}
	return false
}

func (a *Analyzer) addSection(title, kind string) {
	if kind != "reopen" {
		a.lastTitle = title
	}
	if !a.owns(a.line) || len(a.sections) >= maxSections {
		return
	}
	title = a.redactor.Redact(title)
	if len(title) > 200 {
		title = title[:runeStartBefore(title, 200)]
	}
	a.sections = append(a.sections, Section{Line: a.line, Title: title, Kind: kind})
}

func (a *Analyzer) pushRing(text []byte) {
	if a.before == 0 {
		return
	}
	slot := a.ring[a.ringPos][:0]
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
		p.c.ContextAfter = append(p.c.ContextAfter, a.redactor.shown(text))
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

// printable returns b as a string without control characters other than
// TAB, with invalid UTF-8 replaced by U+FFFD.
func printable(b []byte) string {
	ok := utf8.Valid(b)
	for _, c := range b {
		if c < 0x20 && c != '\t' || c == 0x7f {
			ok = false
			break
		}
	}
	if ok {
		return string(b)
	}
	out := make([]byte, 0, len(b))
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && n <= 1:
			out = utf8.AppendRune(out, utf8.RuneError)
		case r < 0x20 && r != '\t', r == 0x7f:
		default:
			out = append(out, b[:n]...)
		}
		b = b[n:]
	}
	return string(out)
}

// prepare readies l for classification with the analyzer's buffers.
func (a *Analyzer) prepare(l *lineView) {
	if a.litBuf == nil {
		a.litBuf = make([]uint64, ruleLiterals.words())
	}
	a.lowerBuf = l.prepare(a.lowerBuf, a.litBuf)
}

// detect classifies a line that is not part of an open block and opens a
// block when it is a candidate.
func (a *Analyzer) detect(l *lineView) {
	if a.flags&scanTrigger == 0 && !(a.flags&scanGoDiag != 0 && l.indent == 0) && l.mark != MarkErrorAnnotation &&
		!hasLeadMarker(l.trim) {
		return
	}
	c := a.classifyCached(l)
	if c.r == nil {
		return
	}
	r, score := c.r, c.score
	a.arena = a.arena[:0]
	a.blk = block{r: r, score: score, start: a.line, indent: l.indent, best: score,
		lines: a.blk.lines[:0], before: a.blk.before[:0], reasons: a.blk.reasons[:0]}
	b := &a.blk
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
	skip := 0
	var goOut [][]byte
	if r.mode == modeGoTest {
		// "--- FAIL: TestX (0.01s)": take in what TestX printed before it.
		name := l.trim[len("--- FAIL: "):]
		if i := bytes.LastIndex(name, []byte(" (")); i > 0 {
			name = name[:i]
		}
		if out := a.goRunOutput(name); out != nil {
			goOut = out
			skip = len(out)
		}
	}
	b.snapAt, b.snapSkip, b.snapN = a.pushes, skip, max(0, min(a.before, a.ringLen-skip))
	if goOut != nil {
		b.start -= len(goOut)
		for _, g := range goOut {
			b.lines = append(b.lines, a.keep(g))
		}
		b.head = len(goOut)
	}
	b.lines = append(b.lines, a.keep(l.text))
	b.absorbed = len(b.lines)
	a.open = b
	if r.mode == modeSingle {
		b.done = true
	}
}

// classCacheBits sizes the cache of classified line shapes.
const classCacheBits = 13

// classified is what classification (with the noise check) says of a line.
type classified struct {
	key    uint64
	r      *rule // nil: not a candidate
	score  float64
	noise  string
	factor float64
}

// classifyCached classifies l, remembering the answer for lines of the same
// shape: logs repeat the same lines with other numbers many times over.
func (a *Analyzer) classifyCached(l *lineView) classified {
	key := lineShape(l.text, l.mark, a.echo > 0)
	cached := &a.classCache[slot(key, classCacheBits)]
	if cached.key == key && key != 0 {
		return *cached
	}
	c := classified{key: key}
	a.prepare(l)
	r, score, ok := classify(l)
	if !ok && l.mark == MarkErrorAnnotation && len(l.trim) > 0 {
		r, score, ok = &annotationRule, annotationRule.score, true
	}
	if ok {
		c.r, c.score = r, score
		if (r.trailer == notTrailer || r.trailer == summary) && score > 0.05 {
			c.noise, c.factor = noiseReason(l, r, a.echo > 0)
		}
	}
	*cached = c
	return c
}

var annotationRule = rule{name: "annotated-error", category: CategoryError, severity: sevE, score: 0.55, mode: modeIndent}

// absorb adds a continuation line to the open block.
func (a *Analyzer) absorb(l *lineView) {
	b := a.open
	b.absorbed++
	if len(l.trim) == 0 {
		b.blanks++
	} else {
		b.blanks = 0
	}
	if b.r.mode == modePyTraceback && len(b.lines) >= rangeCap(b.r.mode) {
		// Keep the end of a long traceback: the innermost frames and the
		// exception. The dropped frames become the context before.
		a.snapshot(b)
		b.before = append(b.before, b.lines[0])
		if len(b.before) > a.before {
			b.before = append(b.before[:0], b.before[len(b.before)-a.before:]...)
		}
		b.lines = append(b.lines[:0], b.lines[1:]...)
		b.start++
	}
	if len(b.lines) < rangeCap(b.r.mode) {
		b.lines = append(b.lines, a.keep(l.text))
		// A stronger line inside a loosely delimited block becomes its message.
		if (b.r.mode == modeIndent || b.r.mode == modeMaven || b.r.mode == modeNpm) && len(l.trim) > 0 &&
			(a.flags&scanTrigger != 0 || leadTrigger(l.trim, l.indent)) {
			if c := a.classifyCached(l); c.r != nil && c.r.trailer == notTrailer && c.score > b.best+0.05 {
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
	b := a.open
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
	if a.flags&scanTrigger == 0 && !leadTrigger(l.trim, l.indent) {
		return false
	}
	c := a.classifyCached(l)
	return c.r != nil && c.r.mode != modeIndent && c.r.mode != modeSingle && c.r.trailer == notTrailer
}

var (
	compilerNote    = re(`^(\S+:\d+(:\d+)?: note: |In file included from |\s*\d*\s*\|)`)
	diagnosticStart = re(`^\S+:\d+(:\d+)?: `)
	npmBoilerplate  = re(`^npm (ERR!|error) ?(A complete log of this run|code ELIFECYCLE|errno |Exit status|Failed at the|This is probably not|\s*$)`)
	goFrameRe       = re(`^[\w./*()\[\]-]+\(.*\)$`)
)

func goFrame(t []byte) bool { return goFrameRe.Match(t) }

// buildSucceededLine recognizes a build tool's success verdict: Maven's
// "BUILD SUCCESS", Gradle's "BUILD SUCCESSFUL in 3s", MSBuild's "Build succeeded.".
func buildSucceededLine(t []byte) bool {
	if len(t) < 13 || (t[0] != 'B' && t[0] != '[') {
		return false
	}
	t = bytes.TrimPrefix(t, []byte("[INFO] "))
	return bytes.Equal(t, []byte("BUILD SUCCESS")) || bytes.HasPrefix(t, []byte("BUILD SUCCESSFUL in ")) ||
		bytes.Equal(t, []byte("Build succeeded."))
}

// closeBlock turns the open block into a candidate, or counts it as one
// more occurrence of a message seen before.
func (a *Analyzer) closeBlock() {
	b := a.open
	a.open = nil
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
	msgBytes := bytes.TrimSpace(b.lines[head])
	r := b.r
	category := r.category
	fp, entry := a.fingerprint(category, msgBytes)
	if c, ok := a.keptFor(fp, entry); ok {
		a.inGoRun(c)
		c.Occurrences++
		if len(c.Lines) < MaxOccurrenceLines {
			c.Lines = append(c.Lines, b.start)
		}
		// A clearly stronger occurrence (the first was echoed or noisy)
		// becomes the one shown.
		if b.score > c.Score+0.1 {
			occ, lines, passing := c.Occurrences, c.Lines, c.InPassingTests
			a.snapshot(b)
			*c = *a.candidate(b, fp, a.redactor.shown(msgBytes))
			c.Occurrences, c.Lines, c.InPassingTests = occ, lines, passing
			a.awaitContext(c, trailing)
		}
		return
	}
	if !a.kept.admit(b.score) {
		a.dropped++
		return
	}
	a.snapshot(b)
	c := a.candidate(b, fp, a.redactor.shown(msgBytes))
	a.byFP[fp] = c
	if entry != nil {
		entry.c = c
	}
	a.order = append(a.order, c)
	a.inGoRun(c)
	a.awaitContext(c, trailing)
}

// distinctCap bounds the distinct messages kept of one job: at most
// maxDistinctStrong strong and maxDistinctWeak weak ones.
type distinctCap struct{ strong, weak int }

// admit counts a new message of this score, or reports false when the
// messages of its strength are at their cap.
func (d *distinctCap) admit(score float64) bool {
	if score < weakScore {
		if d.weak >= maxDistinctWeak {
			return false
		}
		d.weak++
		return true
	}
	if d.strong >= maxDistinctStrong {
		return false
	}
	d.strong++
	return true
}

// fpCacheBits sizes the cache of fingerprints by message shape.
const fpCacheBits = 12

// fpEntry remembers the fingerprint of a message shape and the candidate
// kept for that fingerprint, once there is one.
type fpEntry struct {
	key uint64
	fp  string
	c   *Candidate
}

// fingerprint returns the fingerprint of a message line and, when the
// line's shape is cached, its cache entry. Lines of the same shape
// (letters, punctuation and the length of every digit run) normalize
// alike, so their fingerprints are remembered by shape.
func (a *Analyzer) fingerprint(category string, msg []byte) (string, *fpEntry) {
	if a.redactor.hasLiteral(msg) {
		return Fingerprint(category, a.redactor.shown(msg)), nil
	}
	if a.fpCache == nil {
		a.fpCache = new([1 << fpCacheBits]fpEntry)
	}
	key := messageShape(category, msg)
	e := &a.fpCache[slot(key, fpCacheBits)]
	if e.key != key || e.fp == "" {
		*e = fpEntry{key: key, fp: Fingerprint(category, a.redactor.shown(msg))}
	}
	return e.fp, e
}

// keptFor returns the candidate kept for fp, remembering it in e.
func (a *Analyzer) keptFor(fp string, e *fpEntry) (*Candidate, bool) {
	if e != nil && e.c != nil {
		return e.c, true
	}
	c, ok := a.byFP[fp]
	if ok && e != nil {
		e.c = c
	}
	return c, ok
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

func (a *Analyzer) candidate(b *block, fp, message string) *Candidate {
	text := make([]string, len(b.lines))
	for i, l := range b.lines {
		text[i] = printable(l)
	}
	before := make([]string, len(b.before))
	for i, l := range b.before {
		before[i] = printable(l)
	}
	reasons := []string{b.r.name}
	for _, r := range b.reasons {
		if !slices.Contains(reasons, r) {
			reasons = append(reasons, r)
		}
	}
	if b.noise != "" {
		reasons = append(reasons, b.noise)
	}
	score := b.score
	if score > 1 {
		score = 1
	}
	return &Candidate{
		Fingerprint:   fp,
		Rule:          b.r.name,
		Category:      b.r.category,
		Severity:      b.r.severity,
		Score:         score,
		Reasons:       reasons,
		Trailer:       b.r.trailer,
		Noise:         b.noise != "",
		LineStart:     b.start,
		LineEnd:       b.start + len(b.lines) - 1,
		Message:       message,
		Text:          a.redactor.shownLines(text),
		ContextBefore: a.redactor.shownLines(before),
		ContextAfter:  []string{},
		Occurrences:   1,
		Lines:         []int{b.start},
	}
}
