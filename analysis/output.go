package analysis

import (
	"bytes"
	"cmp"
	"slices"
	"strings"
)

// The output of the command that failed explains the failure more often
// than any line with an error word: a lint complaint, a diff, a usage
// error or a custom check's message is what the command printed last,
// just before the runner's verdict ("The command "make" exited with 2.",
// "Process completed with exit code 1."). When a verdict says a command
// failed, the last lines that command printed become a candidate whether
// or not a rule fired on them.

const (
	// tailLookback is how many lines before a verdict are searched for the
	// failed command's last output, the runner's after-failure steps
	// included; the context ring keeps at least these.
	tailLookback = 96
	// tailLines caps the output lines a tail candidate covers, and
	// tailSpan the lines from its first to its last (blank ones included).
	tailLines = 12
	tailSpan  = 20
)

// scoreFailedOutput is the score of a failed command's last output.
var scoreFailedOutput = 0.7

var failedOutputRule = rule{name: "failed-command-output", category: CategoryError, severity: SeverityError, score: scoreFailedOutput}

// lineFlag says what a line in the context ring was, for finding where the
// failed command's output starts.
type lineFlag uint8

const (
	flagContent lineFlag = iota
	// flagBoundary: a step or command header, or a runner's verdict on an
	// earlier command: the output before it is another command's.
	flagBoundary
	// flagTrace: a shell's trace of a command it runs ("+ cmd" under set -x).
	flagTrace
	// flagGroupEnd: the end of a step or group (GitLab's section_end, a
	// Jenkins Pipeline's "[Pipeline] }"); the end of a GitHub script echo
	// is a boundary instead: the step's output comes after it.
	flagGroupEnd
)

// outputState is what the analyzer remembers to find a failed command's
// output.
type outputState struct {
	// lastSpecific is the first line of the last block a specific rule
	// recognized (a failure or its summary): a tail that reaches back over
	// it adds nothing to it.
	lastSpecific int
	// afterFrom counts the lines pushed before the runner's after-failure
	// steps began (GitLab's after_script, Travis CI's after_failure, a
	// Jenkins Pipeline's post actions); 0 when none began since the last
	// step. A verdict printed after them is on the output before them.
	afterFrom int
}

// noteSection follows the steps a log goes through: pushed lines were
// read before the section starting now.
func (o *outputState) noteSection(title, kind string, pushed int) {
	switch {
	case afterFailureStep(title):
		if o.afterFrom == 0 {
			o.afterFrom = pushed
		}
	case kind == "step":
		o.afterFrom = 0
	}
}

// afterFailureStep recognizes the steps runners run after a job's script
// failed, before their verdict: GitLab's after_script, artifact upload and
// clean-up, Travis CI's after_failure, after_script and cache upload,
// GitHub's post steps, a Jenkins Pipeline's post actions, Buildkite's
// pre-exit hooks.
func afterFailureStep(title string) bool {
	t := strings.ToLower(title)
	for _, w := range afterFailureWords {
		if strings.Contains(t, w) {
			return true
		}
	}
	return strings.HasPrefix(t, "post ")
}

var afterFailureWords = []string{"after_script", "after script", "after_failure", "cleanup_file_variables",
	"cleaning up project directory", "upload_artifacts_on_failure", "uploading artifacts for failed job",
	"archive_cache_on_failure", "saving cache for failed job", "store build cache", "declarative: post actions",
	"pre-exit hook"}

// noteBlock remembers where the last specific block started.
func (o *outputState) noteBlock(b *block) {
	if b.noise == "" && (b.r.trailer == notTrailer || b.r.trailer == summary) && b.score >= strongError && b.r != &genericRule && b.r.name != "error-prefix" {
		o.lastSpecific = b.start
	}
}

// boundaryFlag tells whether a line separates one command's output from
// the next: structure (step and group headers, fold markers), a command
// echoed by the runner ("$ make test"), or a shell trace ("+ make").
func boundaryFlag(l *lineView, structural bool) lineFlag {
	if l.mark == MarkGroupEnd {
		return flagGroupEnd
	}
	if structural {
		return flagBoundary
	}
	t := l.trim
	if len(t) < 2 {
		return flagContent
	}
	switch {
	case t[0] == '$' && t[1] == ' ' && l.indent == 0:
		return flagBoundary
	case t[0] == '+' && l.indent == 0 && (t[1] == ' ' || t[1] == '+' && len(t) > 2 && t[2] == ' '):
		return flagTrace // "+ cmd", "++ cmd" (not "+++ b/x.go", a diff's)
	}
	return flagContent
}

// jenkinsFinished starts Jenkins' last line, its verdict on the build.
var jenkinsFinished = []byte("Finished: ")

// verdictStart starts Travis CI's verdict on a command.
var verdictStart = []byte(`The command "`)

// succeededVerdict recognizes a runner's verdict on a command that
// succeeded: Travis CI's "The command "npm ci" exited with 0.".
func succeededVerdict(t []byte) bool {
	return len(t) > 14 && t[0] == 'T' && bytes.HasPrefix(t, []byte(`The command "`)) && bytes.HasSuffix(t, []byte(`" exited with 0.`))
}

// failedOutput records, at the verdict on the current line, what the
// failed command printed last. It walks back from the line before the
// verdict over the runner's and build tools' closing chatter, then takes
// up to tailLines lines of output, stopping at the command's start. The
// candidate's context after is the chatter it walked over and the verdict.
func (a *Analyzer) failedOutput(verdict *lineView, r *rule) {
	if r.name == buildExitRule || bytes.HasPrefix(verdict.trim, jenkinsFinished) {
		return // a verdict on the whole build, after its post steps: no command's output
	}
	c := &a.context
	look := min(c.filled, tailLookback)
	end := a.tailEnd(a.tailFrom(verdict, look), look)
	if end == 0 {
		return
	}
	start := a.tailStart(end, look)
	first := a.line - start
	if start == 0 || !a.owns(first) || a.output.lastSpecific >= first {
		return
	}
	b := &block{r: &failedOutputRule, spec: &noBlock, score: scoreFailedOutput, start: first, beforeCopied: true}
	for k := start; k >= end; k-- {
		text, _ := c.back(k)
		b.lines = append(b.lines, bytes.Clone(text))
	}
	for k := start + min(c.before, look-start); k > start; k-- {
		text, _ := c.back(k)
		b.before = append(b.before, bytes.Clone(text))
	}
	for k := end - 1; k >= 1 && len(b.after) < c.after; k-- {
		text, _ := c.back(k)
		b.after = append(b.after, bytes.Clone(text))
	}
	if len(b.after) < c.after {
		b.after = append(b.after, bytes.Clone(verdict.text))
	}
	b.afterKnown = true
	a.record(b, bytes.TrimSpace(tailMessage(b.lines)), 0)
}

// tailFrom returns where in the ring (k lines back) the walk from the
// verdict starts: the line before it, the line before the runner's
// after-failure steps when it ran some, or the line before the start of a
// verdict that spans lines.
func (a *Analyzer) tailFrom(verdict *lineView, look int) int {
	c := &a.context
	if o := a.output.afterFrom; o > 0 && c.pushes-o+1 <= look {
		return c.pushes - o + 1
	}
	if !bytes.HasPrefix(verdict.trim, verdictStart) {
		for k := 1; k <= look; k++ {
			if text, _ := c.back(k); bytes.HasPrefix(text, verdictStart) {
				return k + 1
			}
		}
	}
	return 1
}

// tailEnd walks back from k=from over closing chatter, shell traces and
// group ends to the failed command's last output line, and returns how
// far back it is; 0 when the command printed nothing of its own.
func (a *Analyzer) tailEnd(from, look int) int {
	for k := from; k <= look; k++ {
		text, flag := a.context.back(k)
		if flag == flagBoundary {
			return 0
		}
		if flag == flagTrace || flag == flagGroupEnd || a.chatter(text) {
			continue
		}
		return k
	}
	return 0
}

// tailStart takes up to tailLines lines of output back from end, stopping
// at the command's start or at closing chatter, and returns how far back
// the first of them is; 0 when the output goes on past a tool's closing
// count (then it is a wrapper's line, not the cause).
func (a *Analyzer) tailStart(end, look int) int {
	start, content := end, 1
	for k := end + 1; k <= look && content < tailLines && k-end+1 <= tailSpan; k++ {
		text, flag := a.context.back(k)
		if flag != flagContent {
			break
		}
		if !hasAlnum(text) {
			continue // blank lines, rulers and progress dots inside the output
		}
		if a.chatter(text) {
			if a.summarizes(text) {
				return 0
			}
			break
		}
		start = k
		content++
	}
	return start
}

// chatter reports whether a line is a runner's or build tool's closing
// chatter rather than the failed command's own output: a follow-on ("make:
// *** [all] Error 2", "npm ERR! ..."), a verdict, known boilerplate, or a
// make directory change.
func (a *Analyzer) chatter(text []byte) bool {
	t := bytes.TrimSpace(text)
	if len(t) == 0 {
		return true
	}
	if !hasAlnum(t) {
		return true // progress dots, rulers
	}
	if bytes.HasPrefix(t, verdictStart) {
		return true // Travis CI's notes on a command: "failed. Retrying, 2 of 3.", "failed 3 times."
	}
	if bytes.HasPrefix(t, []byte("make")) && (bytes.Contains(t, []byte(": Leaving directory")) || bytes.Contains(t, []byte(": Entering directory"))) ||
		bytes.Contains(t, []byte(": recipe for target '")) {
		return true
	}
	l := lineView{text: text}
	l.scan = a.triggers.scan(text)
	l.trim, l.indent = leadingSpace(text)
	if l.scan&scanTrigger == 0 && !hasLeadMarker(l.trim) {
		return false
	}
	c := a.classes.lookup(&l, false)
	return c.r != nil && (c.r.trailer == followOn || c.r.trailer == jobFailure || c.r.severity == SeverityInfo)
}

// tailMessage picks the headline of a tail: its first line with text.
func tailMessage(lines [][]byte) []byte {
	for _, l := range lines {
		if hasAlnum(l) {
			return l
		}
	}
	return lines[0]
}

// summarizes reports whether a line is a tool's closing count or a
// follow-on of a failure printed above it ("[error] four errors found",
// "make: *** [all] Error 2"), as opposed to a runner's or package
// manager's boilerplate.
func (a *Analyzer) summarizes(text []byte) bool {
	l := lineView{text: text}
	l.scan = a.triggers.scan(text)
	l.trim, l.indent = leadingSpace(text)
	c := a.classes.lookup(&l, false)
	return c.r != nil && c.r.trailer == followOn && c.r.severity != SeverityInfo
}

// hasAlnum reports whether b holds an ASCII letter or digit, or any
// non-ASCII byte.
func hasAlnum(b []byte) bool {
	for _, c := range b {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80 {
			return true
		}
	}
	return false
}

// absorbIntoTails makes each failed command's last output take in the
// lines inside it that only the generic vocabulary recognized, once each
// ("Error: billing has model changes without a migration"): they are its
// lines, and the strongest of them is its headline rather than its first
// line. jobs is not changed; the jobs that change are copies.
func absorbIntoTails(jobs []JobResult) []JobResult {
	out := jobs
	for ji := range jobs {
		if jobs[ji].packed != nil {
			continue // ShownBudget.Keep absorbed its candidates before packing some
		}
		kept, _, ok := absorbJob(jobs[ji].Candidates)
		if !ok {
			continue
		}
		if &out[0] == &jobs[0] {
			out = append([]JobResult(nil), jobs...)
		}
		out[ji].Candidates = kept
	}
	return out
}

// absorbJob does absorbIntoTails for one job's candidates: ok is false
// when no tail takes in anything (cands is then not copied); else kept is
// a new slice and from[i] is the index in cands of kept[i]. Absorbing the
// candidates it returns again changes nothing.
func absorbJob(cands []Candidate) (kept []Candidate, from []int, ok bool) {
	absorbed, tails := tailsTakeIn(cands)
	if absorbed == nil {
		return nil, nil, false
	}
	kept = make([]Candidate, 0, len(cands)-len(absorbed))
	from = make([]int, 0, len(cands)-len(absorbed))
	for ci, c := range cands {
		if absorbed[ci] {
			continue
		}
		if h, ok := tails[ci]; ok {
			c.Message = cands[h].Message
			c.Fingerprint = Fingerprint(c.Category, c.Message)
		}
		kept = append(kept, c)
		from = append(from, ci)
	}
	return kept, from, true
}

// tailsTakeIn finds the candidates the tails of cands take in (absorbed;
// nil when none) and each tail's new headline, the strongest of them, the
// first in cands of equals (tails: tail index → headline index). A tail
// takes in the generic candidates seen once, not noise, whose lines lie
// inside its own; it looks only among those, sorted by first line, by
// binary search: a long job keeps thousands of candidates and dozens of
// tails.
func tailsTakeIn(cands []Candidate) (absorbed map[int]bool, tails map[int]int) {
	var inner []int
	tail := false
	for ci := range cands {
		c := &cands[ci]
		tail = tail || isTail(c)
		if isGeneric(c) && c.Occurrences == 1 && !c.Noise {
			inner = append(inner, ci)
		}
	}
	if !tail || len(inner) == 0 {
		return nil, nil
	}
	slices.SortStableFunc(inner, func(a, b int) int { return cmp.Compare(cands[a].LineStart, cands[b].LineStart) })
	for ti := range cands {
		t := &cands[ti]
		if !isTail(t) {
			continue
		}
		best := -1
		i, _ := slices.BinarySearchFunc(inner, t.LineStart, func(ci, line int) int { return cmp.Compare(cands[ci].LineStart, line) })
		for ; i < len(inner) && cands[inner[i]].LineStart <= t.LineEnd; i++ {
			ci := inner[i] // (never ti: a tail is not generic)
			c := &cands[ci]
			if c.LineEnd > t.LineEnd {
				continue
			}
			if absorbed == nil {
				absorbed, tails = map[int]bool{}, map[int]int{}
			}
			absorbed[ci] = true
			if best < 0 || c.Score > cands[best].Score || c.Score == cands[best].Score && ci < best {
				best = ci
			}
		}
		if best >= 0 {
			tails[ti] = best
		}
	}
	return absorbed, tails
}

// noBlock is the block spec of a tail candidate: its lines are known.
var noBlock blockSpec
