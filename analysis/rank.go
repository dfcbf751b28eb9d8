package analysis

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Ranking weights. Each one that applies to a finding is named in its
// reasons. (Variables, not constants, so that a weight search can vary
// them; nothing in destill changes them.)
var (
	bonusInFailedStep = 0.12 // "in-failed-step": inside the step the runner says failed
	bonusFirstInStep  = 0.08 // "first-error-in-failed-step"
	bonusFirstGeneric = 0.08 // the same, for a line only the generic vocabulary recognized
	factorEarlierStep = 0.6  // "in-earlier-step": in a step that ended before the failed one
	factorGeneric     = 0.7  // the generic vocabulary, in the failed step
	// "after-specific-error": a failed command's last output, when a rule
	// recognized a specific failure earlier in its step (the output is
	// then most often the tool's closing summary).
	factorTailAfterSpecific = 0.55
	// "beside-test-failure": in a step where a test runner reported a
	// failed test (or a checker a failed check), an error of the
	// environment (a crash, a network error, a timeout) that the program
	// under test or check printed.
	factorBesideTestFailure = 0.8
	bonusBeforeVerdict      = 0.08 // "followed-by-exit-code": the last error before the verdict
	factorAfterVerdict      = 0.6  // "after-failure": cleanup and cascades after the verdict
	factorRepeated          = 0.85 // "repeated": printed more than repeatedAt times
	factorSummary           = 0.75 // "cascade:summary": a summary of an error printed before
	factorRecovered         = 0.75 // "recovered": a build tool reported success after it
	factorPassingTest       = 0.3  // "noise:in-passing-test": printed only by tests that passed
	factorInBaseline        = 0.4  // "also-in-baseline": a passing log of the job has it too
	bonusNew                = 0.1  // "new-vs-baseline": nothing like it in the passing logs
	bonusFirstFailure       = 0.05 // "first-failure": the build's first failure in time
	factorLaterJob          = 0.85 // "after-first-failure": a job that started after the first failure
	novelAbove              = 0.7  // novelty from which a line counts as new
	knownBelow              = 0.3  // novelty up to which a line counts as also in the baseline
	factorPassedJob         = 0.5  // "job-passed": from a job that passed
	factorAlsoPassing       = 0.6  // "also-in-passing-jobs"
)

const (
	repeatedAt    = 20
	minConfidence = 0.05
	strongError   = 0.3
)

// Rank scores the candidates of every job of a build, joins the adjacent
// candidates of one event, merges those with the same fingerprint across
// jobs, and returns the findings, best first: each failed job's best
// finding, then the others.
// Jobs earlier in the slice win ties.
func Rank(jobs []JobResult) []Finding { return rank(jobs, true) }

// rank is Rank; with skipUnshown, it leaves out the candidates that could
// change no finding (see unshownRuns), which changes nothing else.
func rank(jobs []JobResult, skipUnshown bool) []Finding {
	jobs = absorbIntoTails(jobs)
	byJob, keys, extras, joined := scoreCandidates(jobs, skipUnshown)
	groups := groupByFingerprint(byJob, len(keys), joined)
	findings := make([]Finding, 0, len(keys))
	for k, fp := range keys {
		g := groups.of(k)
		if len(g) == 0 {
			continue // joined into an event shown under another fingerprint
		}
		if f, ok := mergeGroup(fp, g, byJob, jobs, extras); ok {
			findings = append(findings, f)
		}
	}
	findings = bestFirst(findings, jobs)
	findings = dropContained(findings)
	findings = everyJobFirst(findings, jobs)
	for i := range findings {
		findings[i].Rank = i + 1
	}
	return findings
}

// bestFirst orders findings by confidence, then by their job's place in
// jobs, then by line; ties keep their order. It sorts small keys and moves
// each finding once: a finding is hundreds of bytes, and sort.SliceStable
// moved them through reflection, looking up both jobs in a map at each
// comparison (a quarter of ranking's time on 111 MB of corpus logs).
func bestFirst(findings []Finding, jobs []JobResult) []Finding {
	jobIndex := make(map[string]int, len(jobs))
	for i, j := range jobs {
		jobIndex[j.Job.ID] = i
	}
	type key struct {
		confidence float64
		job, line  int
		at         int // the finding's index in findings
	}
	keys := make([]key, len(findings))
	for i := range findings {
		f := &findings[i]
		keys[i] = key{f.Confidence, jobIndex[f.JobID], f.LineStart, i}
	}
	slices.SortStableFunc(keys, func(a, b key) int {
		switch {
		case a.confidence != b.confidence:
			return cmp.Compare(b.confidence, a.confidence) // the higher first
		case a.job != b.job:
			return cmp.Compare(a.job, b.job)
		default:
			return cmp.Compare(a.line, b.line)
		}
	})
	sorted := make([]Finding, len(findings))
	for i, k := range keys {
		sorted[i] = findings[k.at]
	}
	return sorted
}

// scored is one candidate of one job with the score ranking gave it.
type scored struct {
	// c is the candidate, or the event it joined (joinEvents); nil once
	// ranking has joined the job's events, when it lost its lines (it
	// makes no finding: a large build ranks hundreds of thousands).
	c     *Candidate
	score float64
	job   int32
	key   int32 // the index of its fingerprint in the order first seen
	idx   int32 // its index in the job's candidates
	line  int32 // its first line, whose step a finding names (an event's candidate has the event's)
	// What a finding lists of it among its jobs (findingJob), kept when c
	// goes: its first line, its count and its lines (c.Lines while it has
	// c; else where they are in its job's packed data, linesAt, when it
	// was packed, or in its extra).
	start       int // c.LineStart
	occurrences int
	linesAt     int32
	// extra is its entry in the ranking's list of extras, or 0: a
	// candidate that keeps its lines has one, and one that lost them has
	// one only for lines. (Most of a large build's scored candidates lost
	// them, and slices in each took a third of ranking's memory.)
	extra int32
}

// scoredExtra is what a scored candidate has that most have not: the
// reasons and step of one that keeps its lines (which a finding shows),
// or the lines of one that lost them and was not packed.
type scoredExtra struct {
	reasons []string
	step    string
	lines   []int
}

// scoreCandidates scores every candidate in its job and across the build
// and joins each job's events: byJob holds each job's, sorted by line,
// keys lists the fingerprints in the order first seen, extras the scored
// candidates' extras (from 1: 0 is none), and joined says whether any
// event was joined. (One list per job, not one per fingerprint and then
// one per job: a large build ranks hundreds of thousands of candidates,
// and each copy of the lists was megabytes.)
func scoreCandidates(jobs []JobResult, skipUnshown bool) (byJob [][]scored, keys []string, extras []scoredExtra, joined bool) {
	keyOf := map[string]int32{}
	var shown map[string]bool // the fingerprints of candidates that keep their lines
	if skipUnshown {
		shown = shownFingerprints(jobs)
	}
	// Which job failed first needs every job's cause; a job with packed
	// candidates is unpacked for it, and again to be scored, so that no
	// two jobs' unpacked lists are held at once.
	u := &unpacker{}
	ctxs := make([]*jobContext, len(jobs))
	hasCause := make([]bool, len(jobs))
	for ji := range jobs {
		ctx := newJobContext(u.job(&jobs[ji]))
		hasCause[ji] = ctx.cause() != nil
		if jobs[ji].packed == nil && jobs[ji].sections == nil {
			ctxs[ji] = ctx // its own lists, not u's
		}
	}
	first, firstEnd := firstFailure(jobs, hasCause)
	extras = make([]scoredExtra, 1)
	byJob = make([][]scored, len(jobs))
	for ji := range jobs {
		j := &jobs[ji]
		ctx := ctxs[ji]
		if ctx == nil {
			ctx = newJobContext(u.job(j))
		}
		all := ctx.job
		var skip []bool
		if shown != nil {
			skip = unshownRuns(all.Candidates, shown)
		}
		n := len(all.Candidates)
		for _, s := range skip {
			if s {
				n--
			}
		}
		list := make([]scored, 0, n)
		for ci := range all.Candidates {
			if skip != nil && skip[ci] {
				continue
			}
			c := &all.Candidates[ci]
			// A candidate whose lines a ShownBudget took makes no finding,
			// so nothing reads its reasons.
			s, list0 := ctx.score(ci, !c.shownDropped)
			reasons := reasonList{want: !c.shownDropped, list: list0}
			switch {
			case ji == first && c == ctx.cause():
				s += bonusFirstFailure
				reasons.add("first-failure")
			case !firstEnd.IsZero() && ji != first && j.Job.Failed && startedAfter(j.Job, firstEnd) && ctx.strong(ci):
				s *= factorLaterJob
				reasons.add("after-first-failure")
			}
			if !j.Job.Failed {
				s *= factorPassedJob
				reasons.add("job-passed")
			}
			k, ok := keyOf[c.Fingerprint]
			if !ok {
				k = int32(len(keys))
				keyOf[c.Fingerprint] = k
				keys = append(keys, c.Fingerprint)
			}
			extra := int32(0)
			if !c.shownDropped {
				extras = append(extras, scoredExtra{reasons: reasons.list})
				extra = int32(len(extras) - 1)
			}
			list = append(list, scored{c: c, score: s, job: int32(ji), key: k, idx: int32(ci), line: int32(c.LineStart),
				extra: extra})
		}
		list, ok := joinEvents(list)
		joined = joined || ok
		var linesAt []int32 // where the packed candidates' lines are, when all is a list unpacked for ranking
		if j.packed != nil {
			linesAt = u.linesAt // j's: unpacked just above (nil when unpack gave back j's own list)
		}
		byJob[ji], extras = keepScored(list, all.Candidates, linesAt, ctx.sections, extras)
	}
	return byJob, keys, extras, joined
}

// keepScored keeps of each scored candidate of a job, its events joined,
// what merging groups reads: all of a candidate that keeps its lines, and
// what a finding lists of one that lost them. cands is the job's list of
// all candidates; linesAt, when not nil, says it is a list unpacked for
// ranking, which then goes (so what is kept of it is copied), and where
// the lines of its packed candidates are. steps are the job's steps, for
// the step of each candidate that keeps its lines, which it sets in
// extras.
func keepScored(list []scored, cands []Candidate, linesAt []int32, steps *sectionIndex, extras []scoredExtra) ([]scored, []scoredExtra) {
	clear(list[len(list):cap(list)]) // the candidates events took in, which point into the unpacked list
	unpacked := linesAt != nil
	n := 0
	for i := range list {
		if !list[i].c.shownDropped {
			n++
		}
	}
	var shown []Candidate
	if unpacked {
		shown = make([]Candidate, 0, n)
	}
	for i := range list {
		sc := &list[i]
		c := sc.c
		sc.start, sc.occurrences = c.LineStart, c.Occurrences
		switch {
		case !c.shownDropped:
			extras[sc.extra].step = steps.stepAt(int(sc.line))
			if unpacked {
				shown = append(shown, *c)
				sc.c = &shown[len(shown)-1]
				sc.c.Lines = slices.Clone(c.Lines) // an event's are its first line's, maybe in the unpacked array
			}
		case unpacked && linesAt[sc.idx] != 0 && c == &cands[sc.idx]:
			// A packed candidate, not an event: its lines are in the packed data.
			sc.c, sc.linesAt = nil, linesAt[sc.idx]
		default:
			lines := c.Lines
			if unpacked {
				lines = slices.Clone(lines) // its own: the unpacked list's are one array for all
			}
			extras = append(extras, scoredExtra{lines: lines})
			sc.c, sc.extra = nil, int32(len(extras)-1)
		}
	}
	return list, extras
}

// shownFingerprints returns the fingerprints of the candidates that keep
// their lines, or nil when every candidate does (no ShownBudget dropped
// any).
func shownFingerprints(jobs []JobResult) map[string]bool {
	dropped := false
	shown := map[string]bool{}
	for ji := range jobs {
		if p := jobs[ji].packed; p != nil && p.count > 0 {
			dropped = true // every packed candidate lost its lines
		}
		for ci := range jobs[ji].Candidates {
			if c := &jobs[ji].Candidates[ci]; c.shownDropped {
				dropped = true
			} else {
				shown[c.Fingerprint] = true
			}
		}
	}
	if !dropped {
		return nil
	}
	return shown
}

// unshownRuns marks the candidates of a job that ranking need not score:
// runs of adjacent candidates (adjacentRuns: the groups a ShownBudget
// keeps or drops together) that all lost their lines and whose
// fingerprints no candidate that kept its lines has. Such a run joins no event outside it, and its candidates (or the event
// they make, under one of their fingerprints) would only join groups with
// no candidate that can make a finding. A large build's ranking then
// scores thousands of candidates, not hundreds of thousands. It returns
// nil when there are none.
func unshownRuns(cands []Candidate, shown map[string]bool) []bool {
	var skip []bool
	for _, run := range adjacentRuns(cands) {
		unshown := true
		for _, i := range run {
			if c := &cands[i]; !c.shownDropped || shown[c.Fingerprint] {
				unshown = false
				break
			}
		}
		if unshown {
			if skip == nil {
				skip = make([]bool, len(cands))
			}
			for _, i := range run {
				skip[i] = true
			}
		}
	}
	return skip
}

// scoredRef points at a scored candidate: byJob[job][at].
type scoredRef struct{ job, at int32 }

// fingerprintGroups lists the scored candidates of each fingerprint key:
// those of key k are refs[start[k]:start[k+1]].
type fingerprintGroups struct {
	refs  []scoredRef
	start []int32
}

func (g *fingerprintGroups) of(k int) []scoredRef { return g.refs[g.start[k]:g.start[k+1]] }

// groupByFingerprint lists, by fingerprint key, the scored candidates
// with that fingerprint, in the order of their jobs, and within a job in
// the order of its candidates, or of its events when joined is set. (In
// one array, counted first: a large build has tens of thousands of
// fingerprints.)
func groupByFingerprint(byJob [][]scored, keys int, joined bool) fingerprintGroups {
	g := fingerprintGroups{start: make([]int32, keys+1)}
	n := 0
	for _, list := range byJob {
		for i := range list {
			g.start[list[i].key+1]++
		}
		n += len(list)
	}
	for k := range keys {
		g.start[k+1] += g.start[k]
	}
	g.refs = make([]scoredRef, n)
	next := slices.Clone(g.start[:keys])
	for ji, list := range byJob {
		order := make([]int32, len(list))
		for i := range order {
			order[i] = int32(i)
		}
		if !joined {
			slices.SortFunc(order, func(a, b int32) int { return int(list[a].idx - list[b].idx) })
		}
		for _, i := range order {
			k := list[i].key
			g.refs[next[k]] = scoredRef{int32(ji), i}
			next[k]++
		}
	}
	return g
}

// mergeGroup makes one finding of the candidates of fingerprint fp, shown
// from the best of them; ok is false when its confidence is too low.
func mergeGroup(fp string, refs []scoredRef, byJob [][]scored, jobs []JobResult, extras []scoredExtra) (Finding, bool) {
	g := make([]*scored, len(refs))
	for i, r := range refs {
		g[i] = &byJob[r.job][r.at]
	}
	best := 0
	for i := range g {
		if better(g[i].score, jobs[g[i].job].Job.Failed, g[best].score, jobs[g[best].job].Job.Failed) {
			best = i
		}
	}
	rep := g[best]
	if rep.c == nil {
		return Finding{}, false // beyond what a build's report shows (ShownBudget)
	}
	job := jobs[rep.job].Job
	f := Finding{
		Fingerprint:   fp,
		Severity:      rep.c.Severity,
		Category:      rep.c.Category,
		Reasons:       extras[rep.extra].reasons,
		JobID:         job.ID,
		JobName:       job.Name,
		Step:          extras[rep.extra].step,
		URL:           lineURL(job, rep.c.LineStart),
		LineStart:     rep.c.LineStart,
		LineEnd:       rep.c.LineEnd,
		Message:       rep.c.Message,
		Text:          rep.c.Text,
		ContextBefore: rep.c.ContextBefore,
		ContextAfter:  rep.c.ContextAfter,
		Lines:         rep.c.Lines,
		Test:          rep.c.Test,
	}
	score := rep.score
	passing := false
	f.Jobs = append(f.Jobs, findingJob(job, rep, nil, extras))
	f.Occurrences = rep.c.Occurrences
	for i, o := range g {
		if i == best {
			continue
		}
		oj := jobs[o.job].Job
		f.Occurrences += o.occurrences
		f.Jobs = append(f.Jobs, findingJob(oj, o, jobs[o.job].packed, extras))
		if !oj.Failed {
			passing = true
		}
	}
	if passing && job.Failed {
		f.AlsoInPassingJobs = true
		score *= factorAlsoPassing
		f.Reasons = append(f.Reasons, "also-in-passing-jobs")
	}
	sort.SliceStable(f.Jobs[1:], func(a, b int) bool {
		return f.Jobs[1+a].Failed && !f.Jobs[1+b].Failed
	})
	if len(f.Jobs) == 1 {
		f.Jobs = nil
	}
	f.Confidence = confidence(score)
	return f, f.Confidence >= minConfidence
}

// dropContained removes findings of one job whose every occurrence lies
// inside a better finding of the same job: they would show the same lines
// twice. findings must be sorted best first.
func dropContained(findings []Finding) []Finding {
	shown := map[string]*lineSet{}
	out := findings[:0]
	for _, f := range findings {
		set := shown[f.JobID]
		if set == nil {
			set = &lineSet{}
			shown[f.JobID] = set
		}
		if len(f.Jobs) <= 1 && len(f.Lines) > 0 && set.hasAll(f.Lines) {
			continue
		}
		set.add(f.LineStart, f.LineEnd)
		out = append(out, f)
	}
	return out
}

// lineSet is a set of line numbers kept as sorted, disjoint ranges, so
// that a job of thousands of findings costs a binary search per line
// rather than a pass over every range shown before.
type lineSet struct{ ranges []lineRange }

// lineRange is the lines from and to, both included.
type lineRange struct{ from, to int }

// hasAll reports whether every line of lines is in the set.
func (s *lineSet) hasAll(lines []int) bool {
	for _, l := range lines {
		i := sort.Search(len(s.ranges), func(i int) bool { return s.ranges[i].from > l })
		if i == 0 || s.ranges[i-1].to < l {
			return false
		}
	}
	return true
}

// add puts the lines from to to in the set, merging the ranges they
// overlap or touch.
func (s *lineSet) add(from, to int) {
	r := s.ranges
	i := sort.Search(len(r), func(i int) bool { return r[i].to+1 >= from })
	j := sort.Search(len(r), func(j int) bool { return r[j].from > to+1 })
	if i < j {
		from, to = min(from, r[i].from), max(to, r[j-1].to)
	}
	s.ranges = slices.Replace(r, i, j, lineRange{from, to})
}

// firstFailure returns the index of the failed job whose failure came first
// in time (the earliest to finish; build order when times are unknown) and
// when it finished. It is -1 when fewer than two jobs failed: with one
// failed job, first-error-in-failed-step already says it.
func firstFailure(jobs []JobResult, hasCause []bool) (int, time.Time) {
	first, failed := -1, 0
	var firstEnd time.Time
	for i := range jobs {
		if !jobs[i].Job.Failed || !hasCause[i] {
			continue
		}
		failed++
		end, _ := time.Parse(time.RFC3339, jobs[i].Job.FinishedAt)
		if first < 0 || (!end.IsZero() && (firstEnd.IsZero() || end.Before(firstEnd))) {
			first, firstEnd = i, end
		}
	}
	if failed < 2 {
		return -1, time.Time{}
	}
	return first, firstEnd
}

// startedAfter reports whether job j started after t.
func startedAfter(j JobSummary, t time.Time) bool {
	start, err := time.Parse(time.RFC3339, j.StartedAt)
	return err == nil && start.After(t)
}

func better(s float64, failed bool, than float64, thanFailed bool) bool {
	if failed != thanFailed {
		return failed
	}
	return s > than
}

// findingJob is what a finding lists of s, a candidate of job j, whose
// packed candidates are p.
func findingJob(j JobSummary, s *scored, p *packedCandidates, extras []scoredExtra) FindingJob {
	var lines []int
	switch {
	case s.c != nil:
		lines = s.c.Lines
	case s.linesAt != 0:
		lines = p.linesAt(int(s.linesAt), s.start)
	default:
		lines = extras[s.extra].lines
	}
	return FindingJob{JobID: j.ID, JobName: j.Name, Failed: j.Failed, Occurrences: s.occurrences, Lines: lines,
		URL: lineURL(j, s.start)}
}

func lineURL(j JobSummary, line int) string {
	if j.LineURL != "" {
		return strings.ReplaceAll(j.LineURL, "{line}", strconv.Itoa(line))
	}
	return j.URL
}

func confidence(s float64) float64 {
	if s > 0.99 {
		s = 0.99
	}
	if s < 0 {
		s = 0
	}
	return math.Round(s*1000) / 1000
}

// jobContext holds what ranking needs to know about one job's log: where
// the runner declared the failure and which step that was.
type jobContext struct {
	job         *JobResult
	sections    *sectionIndex
	verdict     int // first line of a job-failure verdict; 0 when none
	regionStart int // the failed step: [regionStart, regionEnd]
	regionEnd   int
	firstInStep *Candidate
	lastBefore  *Candidate
	// firstSpecific is the line of the first strong error that is not a
	// summary; summaries after it are cascades.
	firstSpecific int
	// novelty of each candidate's message against the job's baseline
	// (nil without one).
	novelty []float64
	// lastSuccess is the last line where a build tool reported success
	// before the verdict; 0 when none.
	lastSuccess int
	// firstTail is the first tail candidate in the failed step.
	firstTail *Candidate
	// checkFailed: a test runner reported a failed test, or a checker (a
	// linter, a link checker) a failed check, in the failed step.
	checkFailed bool
}

func newJobContext(j *JobResult) *jobContext {
	ctx := &jobContext{job: j, sections: newSectionIndex(j.Sections), regionStart: 1, regionEnd: j.Lines}
	if j.Baseline != nil {
		ctx.novelty = make([]float64, len(j.Candidates))
		for i := range j.Candidates {
			c := &j.Candidates[i]
			if c.novelty != noveltyUnknown {
				ctx.novelty[i] = c.novelty.value() // its message is gone (ShownBudget.ForgetMessages)
				continue
			}
			ctx.novelty[i] = j.Baseline.Novelty(c.Message)
		}
	}
	ctx.findFailedStep()
	for _, s := range j.Sections {
		if s.Kind == "success" && (ctx.verdict == 0 || s.Line < ctx.verdict) {
			ctx.lastSuccess = max(ctx.lastSuccess, s.Line)
		}
	}
	ctx.findPositions()
	return ctx
}

// findFailedStep finds the runner's verdict and the step it is on: the
// first verdict on a command, else Buildkite's "^^^ +++" reopening a
// group, else a verdict on the whole build (then no step is known), else
// the last step with a strong error.
func (ctx *jobContext) findFailedStep() {
	j := ctx.job
	buildExit := 0 // a verdict on the whole build, used when no other
	for i := range j.Candidates {
		c := &j.Candidates[i]
		if c.Trailer != jobFailure {
			continue
		}
		if c.Rule == buildExitRule {
			if buildExit == 0 || c.LineStart < buildExit {
				buildExit = c.LineStart
			}
			continue
		}
		if ctx.verdict == 0 || c.LineStart < ctx.verdict {
			ctx.verdict = c.LineStart
		}
	}
	reopen := 0
	for _, s := range j.Sections {
		if s.Kind == "reopen" {
			reopen = s.Line
			break
		}
	}
	end := ctx.verdict
	if end == 0 {
		end = reopen
	}
	switch {
	case end > 0:
		ctx.regionEnd = end
		ctx.regionStart = ctx.stepStart(end)
	case buildExit > 0:
		ctx.verdict, ctx.regionEnd = buildExit, buildExit // the failed step is not known
	default:
		for i := range j.Candidates {
			c := &j.Candidates[i]
			if ctx.strong(i) && ctx.stepStart(c.LineStart) > ctx.regionStart {
				ctx.regionStart = ctx.stepStart(c.LineStart)
			}
		}
	}
}

// findPositions finds the candidates that claim position bonuses: the
// first error of the failed step, the last before the verdict, the first
// tail, and what the step holds (a failed test or check, a specific
// error), which decide between them.
func (ctx *jobContext) findPositions() {
	j := ctx.job
	// explained: a specific rule recognized a strong error in the failed
	// step that is not a summary, and no build tool reported success
	// after it.
	explained := false
	for i := range j.Candidates {
		c := &j.Candidates[i]
		// A finding from a test report has no line: it is no first error
		// of the log, and taking its 0 for one would leave no summary a
		// cascade.
		if ctx.strong(i) && c.Trailer != summary && c.LineStart >= 1 && (ctx.firstSpecific == 0 || c.LineStart < ctx.firstSpecific) {
			ctx.firstSpecific = c.LineStart
		}
		if ctx.strong(i) && ctx.inRegion(c) && failedCheck(c) {
			ctx.checkFailed = true
		}
		if ctx.strong(i) && ctx.inRegion(c) && c.Trailer == notTrailer && !isTail(c) && !isGeneric(c) && !ctx.recovered(c.LineStart) {
			explained = true
		}
	}
	for i := range j.Candidates {
		c := &j.Candidates[i]
		if isTail(c) && ctx.inRegion(c) && (ctx.firstTail == nil || c.LineStart < ctx.firstTail.LineStart) {
			ctx.firstTail = c
		}
		if !ctx.strong(i) || !ctx.inRegion(c) || isTail(c) || ctx.checkFailed && environmentError(c.Category) ||
			explained && c.Trailer == summary {
			continue // a summary is the first or last error only where nothing more specific is
		}
		if ctx.firstBefore(c) {
			ctx.firstInStep = c
		}
		if ctx.verdict > 0 && (ctx.lastBefore == nil || c.LineStart > ctx.lastBefore.LineStart) {
			ctx.lastBefore = c
		}
	}
}

// firstBefore reports whether c is a better first error of the step than
// the one found so far: the first a specific rule recognized, else the
// first of the generic vocabulary; where a test or a check failed, the
// first failed test or check.
func (ctx *jobContext) firstBefore(c *Candidate) bool {
	if ctx.checkFailed && !failedCheck(c) {
		return false
	}
	first := ctx.firstInStep
	switch {
	case first == nil:
		return true
	case isGeneric(first):
		return !isGeneric(c) || c.LineStart < first.LineStart
	}
	return !isGeneric(c) && c.LineStart < first.LineStart
}

// cause is the candidate that most likely explains the job's failure: the
// first error of its failed step, or else the failed command's last output.
func (ctx *jobContext) cause() *Candidate {
	if ctx.firstInStep != nil {
		return ctx.firstInStep
	}
	return ctx.firstTail
}

// inRegion reports whether c starts in the failed step.
func (ctx *jobContext) inRegion(c *Candidate) bool {
	return c.LineStart >= ctx.regionStart && c.LineStart <= ctx.regionEnd
}

// specificBefore reports whether a rule recognized a specific failure
// (not only failure words) in the step of c before it.
func (ctx *jobContext) specificBefore(c *Candidate) bool {
	step := ctx.stepStart(c.LineStart)
	for i := range ctx.job.Candidates {
		o := &ctx.job.Candidates[i]
		if o.LineStart < c.LineStart && o.LineStart >= step && o != c && !isTail(o) && !isGeneric(o) && ctx.strong(i) && o.Trailer == notTrailer {
			return true
		}
	}
	return false
}

// failedCheck reports whether c is a test runner's failed test or a
// checker's failed check.
func failedCheck(c *Candidate) bool {
	return (c.Category == CategoryTestFailure || c.Category == CategoryLint) && !isGeneric(c) && c.Trailer == notTrailer
}

// environmentError reports whether a category is an error of the
// environment a program ran in, rather than of the code being built.
func environmentError(category string) bool {
	switch category {
	case CategoryCrash, CategoryTimeout, CategoryCancelled, CategoryNetwork, CategoryTLS, CategoryRateLimit,
		CategoryHTTPError, CategoryPermission, CategoryFileNotFound, CategoryCommandNotFound:
		return true
	}
	return false
}

// isGeneric reports whether only the generic failure vocabulary
// recognized c ("error: ...", a line with "failed" in it).
func isGeneric(c *Candidate) bool {
	return c.Rule == genericRule.name || c.Rule == "error-prefix"
}

// isTail reports whether c is a command's last output taken for want of
// anything a rule recognized (see output.go): it claims no position
// bonuses of its own.
func isTail(c *Candidate) bool {
	return c.Rule == failedOutputRule.name
}

// strong reports whether candidate i can claim position bonuses: a strong
// error that the job's passing logs do not also show.
func (ctx *jobContext) strong(i int) bool {
	if ctx.novelty != nil && ctx.novelty[i] <= knownBelow {
		return false
	}
	return isStrong(&ctx.job.Candidates[i])
}

func isStrong(c *Candidate) bool {
	return (c.Trailer == notTrailer || c.Trailer == summary) && !c.Noise && c.Severity == SeverityError && c.Score >= strongError &&
		!onlyInPassingTests(c)
}

// onlyInPassingTests reports whether every occurrence of c was printed by a
// test that then passed.
func onlyInPassingTests(c *Candidate) bool {
	return c.InPassingTests > 0 && c.InPassingTests >= c.Occurrences
}

// recovered reports whether a build tool reported success after line and
// before the job's verdict.
func (ctx *jobContext) recovered(line int) bool {
	return ctx.lastSuccess > line
}

// stepStart returns the first line of the step that holds line.
func (ctx *jobContext) stepStart(line int) int { return ctx.sections.stepStart(line) }

// stepAt returns the title of the step that holds line, or of the group
// when the log has no steps.
func (ctx *jobContext) stepAt(line int) string { return ctx.sections.stepAt(line) }

// score returns candidate i's score in its job and, with withReasons,
// the reasons for it (only a finding's shown candidate needs them, and a
// large build scores hundreds of thousands of candidates).
func (ctx *jobContext) score(i int, withReasons bool) (float64, []string) {
	c := &ctx.job.Candidates[i]
	s := c.Score
	reasons := reasonList{want: withReasons}
	if withReasons {
		reasons.list = append([]string(nil), c.Reasons...)
	}
	switch {
	case c.Trailer == summary && ctx.firstSpecific > 0 && ctx.firstSpecific < c.LineStart:
		s *= factorSummary
		reasons.add("cascade:summary")
	case (c.Trailer == followOn || c.Trailer == jobFailure) && c.Score < strongError:
		reasons.add("cascade")
	}
	if isTail(c) && ctx.specificBefore(c) {
		s *= factorTailAfterSpecific
		reasons.add("after-specific-error")
	}
	if ctx.verdict > 0 && ctx.regionStart > 1 && c.LineStart < ctx.regionStart && !isTail(c) {
		s *= factorEarlierStep
		reasons.add("in-earlier-step")
	}
	if ctx.checkFailed && environmentError(c.Category) && ctx.inRegion(c) {
		s *= factorBesideTestFailure
		reasons.add("beside-test-failure")
	}
	if ctx.strong(i) {
		if ctx.inRegion(c) {
			s += bonusInFailedStep
			if isGeneric(c) {
				s *= factorGeneric
			}
			reasons.add("in-failed-step")
		}
		if c == ctx.firstInStep {
			if isGeneric(c) {
				s += bonusFirstGeneric
			} else {
				s += bonusFirstInStep
			}
			reasons.add("first-error-in-failed-step")
		}
		if c == ctx.lastBefore {
			s += bonusBeforeVerdict
			reasons.add("followed-by-exit-code")
		}
	}
	if ctx.novelty != nil {
		switch n := ctx.novelty[i]; {
		case n <= knownBelow:
			s *= factorInBaseline
			reasons.add("also-in-baseline")
		case n >= novelAbove && (c.Trailer == notTrailer || c.Trailer == summary) && !c.Noise:
			s += bonusNew
			reasons.add("new-vs-baseline")
		}
	}
	if onlyInPassingTests(c) {
		s *= factorPassingTest
		reasons.add("noise:in-passing-test")
	}
	if c.Trailer == notTrailer && ctx.recovered(c.LineStart) {
		s *= factorRecovered
		reasons.add("recovered")
	}
	if ctx.verdict > 0 && c.LineStart > ctx.verdict && c.Trailer == notTrailer {
		s *= factorAfterVerdict
		reasons.add("after-failure")
	}
	if c.Occurrences > repeatedAt {
		s *= factorRepeated
		reasons.add("repeated")
	}
	return s, reasons.list
}

// noveltyClass is what ranking reads of a message's novelty against its
// job's baseline: which side of knownBelow and novelAbove it is on.
type noveltyClass uint8

const (
	noveltyUnknown noveltyClass = iota // not classified: read the message
	noveltyKnown                       // at most knownBelow: also in the baseline
	noveltyBetween
	noveltyNew // at least novelAbove
)

// classifyNovelty returns the class of novelty n.
func classifyNovelty(n float64) noveltyClass {
	switch {
	case n <= knownBelow:
		return noveltyKnown
	case n >= novelAbove:
		return noveltyNew
	}
	return noveltyBetween
}

// value returns a novelty of class v, which ranking reads as it read the
// novelty it was classified from.
func (v noveltyClass) value() float64 {
	switch v {
	case noveltyKnown:
		return 0
	case noveltyNew:
		return 1
	}
	return (knownBelow + novelAbove) / 2
}

// reasonList collects the reasons for a score, when they are wanted.
type reasonList struct {
	want bool
	list []string
}

func (r *reasonList) add(reason string) {
	if r.want {
		r.list = append(r.list, reason)
	}
}
