package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/httpapi"
)

// Source is where a build and its job logs come from: a CI provider's API,
// a file, standard input.
type Source interface {
	// Build returns the build and its jobs.
	Build(ctx context.Context) (providers.Build, error)
	// OpenLog streams one job's raw log.
	OpenLog(ctx context.Context, job providers.Job) (io.ReadCloser, error)
}

// ResultCache is a Source that can keep what analyzing a job's log found,
// so that a log it holds unchanged is neither read nor analyzed again.
type ResultCache interface {
	// CachedResult returns the result of analyzing job's log with opts,
	// if one was saved for the log as it is now.
	CachedResult(ctx context.Context, job providers.Job, opts analysis.Options) (analysis.JobResult, bool)
	// SaveResult saves res, the analysis with opts of the log of job that
	// OpenLog served (and that has been closed).
	SaveResult(job providers.Job, opts analysis.Options, res analysis.JobResult)
}

// DefaultConcurrency is how many job logs are fetched at once.
const DefaultConcurrency = 8

// ErrNothingToAnalyze is returned when a build has no failed job to explain.
var ErrNothingToAnalyze = errors.New("build passed: nothing to analyze (use --all-jobs to analyze passed jobs anyway)")

// Options tune Run.
type Options struct {
	Analysis analysis.Options
	// Concurrency caps the logs fetched at once (0: DefaultConcurrency).
	Concurrency int
	// AllJobs analyzes passed jobs too, not only failed ones.
	AllJobs bool
	// JobIDs restricts the analysis to these jobs.
	JobIDs []string
	// Tool and Source name the report's producer and input.
	Tool   analysis.Tool
	Source analysis.Origin
	// ProgressEvery is how often byte progress is reported while logs
	// stream (0: every 512 KiB per job).
	ProgressEvery int64
	// JobResultFunc, when not nil, receives each job's full analysis result
	// (sections included) once its log is read. It is called from the
	// goroutine that read the job, possibly concurrently for other jobs.
	JobResultFunc func(job providers.Job, res analysis.JobResult)
	// Baselines, when not nil, gives each analyzed job a model of passing
	// logs to compare its findings with.
	Baselines Baselines
	// LiveFindings ranks the findings for the updates while jobs finish,
	// for a reader who watches them come (the interactive UI); otherwise
	// only the final report's are ranked, once.
	LiveFindings bool
	// TempDir is where a large build's lower-ranked candidates and its
	// finished jobs' step headers are written while it is analyzed
	// (analysis.ShownBudget.SpillTo), in a file removed at once ("":
	// os.TempDir()).
	TempDir string
	// spill, when not nil, replaces that file (for tests).
	spill analysis.Spill
}

// Baselines finds passing logs to compare a failed job with.
type Baselines interface {
	// Baseline returns the model for job, with a description of where it
	// came from, or nil and a description of why there is none. An error
	// is reported as a note; the job is still analyzed without a baseline.
	Baseline(ctx context.Context, build providers.Build, job providers.Job) (*analysis.Baseline, *analysis.BaselineInfo, error)
}

// Update is a snapshot of a running analysis.
type Update struct {
	// Report holds the build, the jobs with their status so far, and the
	// findings ranked over the jobs analyzed so far.
	Report analysis.Report
	// JobsSelected is how many jobs will be analyzed; JobsFetched how many
	// logs have been fully read; JobsAnalyzed how many have findings.
	JobsSelected int
	JobsFetched  int
	JobsAnalyzed int
	Bytes        int64
	Started      time.Time
	Done         bool
}

// Run analyzes the build src describes and returns the report. onUpdate,
// when not nil, receives snapshots: after the build is read, while logs
// stream, after each job, and at the end (Done). It is never called
// concurrently. A job whose log cannot be read is reported in the report's
// notes and its job summary; the other jobs are still analyzed.
func Run(ctx context.Context, src Source, opts Options, onUpdate func(Update)) (analysis.Report, error) {
	started := time.Now()
	build, err := src.Build(ctx)
	if err != nil {
		return analysis.Report{}, err
	}
	r := newRun(build, opts, started, onUpdate)
	if err := (Selection{Jobs: r.selected}).Err(build); err != nil {
		return analysis.Report{}, err
	}
	spill := opts.spill
	if spill == nil {
		f := &spillFile{dir: opts.TempDir}
		defer f.Close()
		spill = f
	}
	r.shown.SpillTo(spill)
	r.send(false)
	waitReports := r.startTestReports(ctx, src)

	stopTicks := r.tickWhileReading()
	ForEach(ctx, opts.Concurrency, r.selected, func(i int) { r.analyzeJob(ctx, src, i) })
	stopTicks()
	waitReports()
	if err := ctx.Err(); err != nil {
		// One last update ranks what did finish: a user who quit the UI
		// is shown it, not findings ranked before the last jobs came in.
		r.mu.Lock()
		r.rankLocked(true)
		r.sendLocked(false)
		r.mu.Unlock()
		return analysis.Report{}, fmt.Errorf("analysis interrupted: %w", err)
	}
	rep := r.report()
	if err := r.shown.Err(); err != nil {
		return analysis.Report{}, fmt.Errorf("rank the build's findings: %w; set TMPDIR to a directory with free space and run again", err)
	}
	r.mu.Lock()
	r.done = true
	r.mu.Unlock()
	r.send(true)
	if r.failedLogs == len(r.selected) {
		return rep, fmt.Errorf("no job log could be read: %w", r.firstErr)
	}
	return rep, nil
}

type run struct {
	opts     Options
	build    providers.Build
	jobs     []analysis.JobSummary
	results  []*analysis.JobResult
	selected []int
	started  time.Time
	notes    []string
	onUpdate func(Update)

	bytes atomic.Int64

	mu         sync.Mutex // guards the fields below and calls to onUpdate
	fetched    int
	analyzed   int
	failedLogs int
	firstErr   error
	findings   []analysis.Finding
	done       bool
	// shown bounds the lines the results keep to those a report can show,
	// so that memory does not grow with the build's logs.
	shown analysis.ShownBudget
	// titles holds one copy of each title the results' sections keep.
	titles titles
	// ranked tells whether findings rank every finished result; rankedAt
	// is when they were ranked, rankTook how long it took.
	ranked   bool
	rankedAt time.Time
	rankTook time.Duration
	// snapshot is the report updates show until a job finishes or a note
	// is added (nil: build it again).
	snapshot *analysis.Report
}

// rankSpacing is how long a running analysis waits, after ranking its
// findings, before ranking them again for an update, in multiples of how
// long ranking took: ranking every result of a large build after each of
// its jobs would cost more than analyzing them, while a small build ranks
// after each job. The report at the end is always ranked.
const rankSpacing = 4

func newRun(build providers.Build, opts Options, started time.Time, onUpdate func(Update)) *run {
	r := &run{opts: opts, build: build, started: started, onUpdate: onUpdate, titles: titles{}}
	for _, j := range build.Jobs {
		r.jobs = append(r.jobs, JobSummary(j))
		r.results = append(r.results, nil)
	}
	sel := SelectJobs(build, opts.AllJobs, opts.JobIDs)
	r.selected = sel.Jobs
	r.notes = sel.Notes
	return r
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// countingReader adds the bytes it reads to a count and reports progress
// every `every` bytes (Run also reports a count that moved every
// quarter second, for bytes that trickle in from a command piped into
// destill). It stops at the first read after ctx ends, whatever the source.
type countingReader struct {
	ctx   context.Context
	r     io.Reader
	count *atomic.Int64
	n     int64
	every int64
	next  int64
	tick  func()
}

// tickEvery is how often Run reports bytes read that no tick reported.
const tickEvery = 250 * time.Millisecond

func (c *countingReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	c.count.Add(int64(n))
	if c.n >= c.next {
		c.tick()
		c.next = c.n + c.every
	}
	return n, err
}

func (r *run) analyzeJob(ctx context.Context, src Source, i int) {
	job := r.build.Jobs[i]
	// The baseline (its search, its passing log) is fetched while the
	// job's own log streams.
	var base *analysis.Baseline
	var baseInfo *analysis.BaselineInfo
	var baseErr error
	baseDone := make(chan struct{})
	if r.opts.Baselines != nil {
		go func() {
			defer close(baseDone)
			base, baseInfo, baseErr = r.opts.Baselines.Baseline(ctx, r.build, job)
		}()
	} else {
		close(baseDone)
	}
	res, err := r.readLog(ctx, src, job)
	if err == nil && r.opts.JobResultFunc != nil {
		r.opts.JobResultFunc(job, *res)
	}
	<-baseDone
	r.mu.Lock()
	defer r.mu.Unlock()
	r.changedLocked()
	if baseErr != nil && err == nil && ctx.Err() == nil {
		r.notes = append(r.notes, fmt.Sprintf("job %q was analyzed without a baseline: %s", job.Name, httpapi.Brief(baseErr)))
	}
	if err != nil {
		if ctx.Err() != nil {
			return
		}
		r.failedLogs++
		if r.firstErr == nil {
			r.firstErr = err
		}
		r.jobs[i].Error = LogError(err)
		r.notes = append(r.notes, LogNote(job.Name, r.jobs[i].Error))
		r.fetched++
	} else {
		r.fetched++
		r.analyzed++
		res.Job = r.jobs[i]
		res.Job.Analyzed = true
		res.Job.LogLines = res.Lines
		res.Job.LogBytes = res.Bytes
		res.Job.Baseline = baseInfo
		res.Baseline = base
		r.jobs[i] = res.Job
		r.shown.Keep(res)
		res.Sections = r.titles.intern(analysis.RankedSections(res), res.Sections) // all a finished job needs of its thousands
		r.shown.PackSections(res)                                                  // and those to the spill
		r.results[i] = res
	}
	r.sendLocked(false)
}

// changedLocked says the jobs, results or notes changed: the findings are
// stale, and so is the report updates show.
func (r *run) changedLocked() {
	r.ranked = false
	r.snapshot = nil
}

// rankLocked ranks the finished results again when the findings are
// stale: at once when final is set, else, for live findings, once
// rankSpacing times what ranking took last has passed.
func (r *run) rankLocked(final bool) {
	if r.ranked || !final && (!r.opts.LiveFindings || time.Since(r.rankedAt) < rankSpacing*r.rankTook) {
		return
	}
	start := time.Now()
	r.findings = FixReportURLs(analysis.Rank(r.finishedResults()), r.jobs)
	r.ranked, r.rankedAt, r.rankTook, r.snapshot = true, time.Now(), time.Since(start), nil
}

func (r *run) readLog(ctx context.Context, src Source, job providers.Job) (*analysis.JobResult, error) {
	rcache, _ := src.(ResultCache)
	if rcache != nil {
		if res, ok := rcache.CachedResult(ctx, job, r.opts.Analysis); ok {
			return &res, nil
		}
	}
	rc, err := src.OpenLog(ctx, job)
	if err != nil {
		return nil, err
	}
	closed := false
	defer func() {
		if !closed {
			rc.Close()
		}
	}()
	a := r.newAnalyzer()
	every := r.opts.ProgressEvery
	if every <= 0 {
		every = 512 << 10
	}
	cr := &countingReader{ctx: ctx, r: rc, count: &r.bytes, every: every, next: every, tick: func() {
		if r.mu.TryLock() {
			r.sendLocked(false)
			r.mu.Unlock()
		}
	}}
	if _, err := io.Copy(a, cr); err != nil {
		return nil, fmt.Errorf("its log broke off: %w", err)
	}
	res := a.Result()
	if rcache != nil {
		closed = true
		rc.Close() // a cache commits the log it kept on Close
		rcache.SaveResult(job, r.opts.Analysis, res)
	}
	return &res, nil
}

// logAnalyzer is what reads one job's log: an analysis.Analyzer or an
// analysis.ParallelAnalyzer.
type logAnalyzer interface {
	io.Writer
	Result() analysis.JobResult
}

// newAnalyzer returns the analyzer for a job's log. A run of one job (a
// file, standard input, a one-job build) spreads its log over every core;
// the jobs of a larger build already keep the cores busy, one each.
func (r *run) newAnalyzer() logAnalyzer {
	if len(r.selected) == 1 {
		return analysis.NewParallelAnalyzer(r.opts.Analysis, runtime.GOMAXPROCS(0))
	}
	return analysis.NewAnalyzer(r.opts.Analysis)
}

// LogError is what a job's summary says about a log that could not be
// read: the provider's answer in a few words, not the chain of calls.
func LogError(err error) string { return httpapi.Brief(err) }

// LogNote is the report's note for a job whose log could not be read;
// errText is its LogError.
func LogNote(job, errText string) string {
	return fmt.Sprintf("job %q was not analyzed: %s", job, errText)
}

func (r *run) finishedResults() []analysis.JobResult {
	var out []analysis.JobResult
	for _, res := range r.results {
		if res != nil {
			out = append(out, *res)
		}
	}
	return out
}

// tickWhileReading reports the bytes read every tickEvery while they move,
// until the returned stop is called: bytes that trickle in (a command
// piped into destill) show as they come, not at the next 512 KiB.
func (r *run) tickWhileReading() (stop func()) {
	done, ended := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(ended)
		t := time.NewTicker(tickEvery)
		defer t.Stop()
		sent := int64(0)
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if n := r.bytes.Load(); n != sent && r.mu.TryLock() {
					sent = n
					r.sendLocked(false)
					r.mu.Unlock()
				}
			}
		}
	}()
	return func() {
		close(done)
		<-ended
	}
}

func (r *run) send(done bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sendLocked(done)
}

func (r *run) sendLocked(done bool) {
	if r.onUpdate == nil {
		return
	}
	r.rankLocked(done)
	r.onUpdate(Update{
		Report:       r.reportLocked(),
		JobsSelected: len(r.selected),
		JobsFetched:  r.fetched,
		JobsAnalyzed: r.analyzed,
		Bytes:        r.bytes.Load(),
		Started:      r.started,
		Done:         done,
	})
}

func (r *run) report() analysis.Report {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rankLocked(true)
	return r.reportLocked()
}

// reportLocked returns the report of the jobs and findings so far; it is
// built again only after they change, not for each update of the bytes
// read.
func (r *run) reportLocked() analysis.Report {
	if r.snapshot != nil {
		return *r.snapshot
	}
	notes := append(slices.Clip(r.notes), analysis.CapNotes(r.finishedResults())...)
	if n := r.shown.Dropped(); n > 0 {
		notes = append(notes, analysis.ShownBudgetNote(n))
	}
	if err := r.shown.SpillErr(); err != nil {
		notes = append(notes, SpillNote(err))
	}
	rep := NewReport(r.build, r.opts.Tool, r.opts.Source, r.jobs, r.findings, notes)
	if r.opts.Baselines != nil {
		rep.Baseline = summarizeBaselines(rep.Jobs)
	}
	r.snapshot = &rep
	return rep
}

// summarizeBaselines says, for the report, which baselines the analyzed jobs
// were compared with: the one they share, or how many jobs had one. Passed
// jobs (--all-jobs) that got no baseline are left out.
func summarizeBaselines(jobs []analysis.JobSummary) *analysis.BaselineInfo {
	var first *analysis.BaselineInfo
	same, sameNote, with, analyzed := true, true, 0, 0
	noneNotes := map[string]bool{}
	for _, j := range jobs {
		if !j.Analyzed || (j.Baseline == nil && !j.Failed) {
			continue
		}
		analyzed++
		if j.Baseline == nil || j.Baseline.Kind == "none" {
			if j.Baseline != nil {
				noneNotes[j.Baseline.Note] = true
			}
			continue
		}
		with++
		if first == nil {
			first = j.Baseline
		} else if j.Baseline.Kind != first.Kind || j.Baseline.URL != first.URL || j.Baseline.Build != first.Build ||
			strings.Join(j.Baseline.Paths, "\x00") != strings.Join(first.Paths, "\x00") {
			same = false
		} else if j.Baseline.Note != first.Note {
			sameNote = false
		}
	}
	switch {
	case analyzed == 0:
		return nil
	case with == 0:
		note := "no passing log of the same job was found"
		if len(noneNotes) == 1 {
			for n := range noneNotes {
				if n != "" {
					note = n
				}
			}
		} else if len(noneNotes) > 1 {
			note += "; see each job's baseline"
		}
		return &analysis.BaselineInfo{Kind: "none", Note: note}
	case same && with == analyzed:
		b := *first
		if !sameNote {
			b.Note = fmt.Sprintf("%d jobs, each compared with a passing job of that build; see each job's baseline", with)
		}
		return &b
	}
	return &analysis.BaselineInfo{Kind: "per-job", Note: fmt.Sprintf("%d of %d analyzed jobs compared with a passing log; see each job's baseline", with, analyzed)}
}
