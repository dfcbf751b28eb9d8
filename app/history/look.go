package history

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/cache"
	"github.com/destill-dev/destill/app/pipeline"
	"github.com/destill-dev/destill/backend"
	"github.com/destill-dev/destill/providers"
)

// DefaultBuilds is how many earlier builds history looks at by default.
const DefaultBuilds = 10

// Query is what history is looked up for.
type Query struct {
	// Pipeline is the pipeline's Key ("": Key of Kind and the first build
	// listed); Branch the branch its builds ran on.
	Pipeline string `json:"pipeline"`
	Kind     string `json:"kind,omitempty"`
	Branch   string `json:"branch"`
	// Before is the number of the build asked about: the window holds the
	// builds before it. 0: the window is the newest builds.
	Before int64 `json:"before"`
	// Jobs names the jobs whose passing logs are read too (to tell noise):
	// the failed jobs of the build asked about. Nil: every job that failed
	// in a build of the window.
	Jobs []string `json:"jobs"`
	// Fingerprints are those asked about (nil: all), so that a database
	// reads only their rows.
	Fingerprints []string `json:"-"`
}

// Options tune Look.
type Options struct {
	// Builds is how many finished builds the window holds at most
	// (default DefaultBuilds).
	Builds int
	// Concurrency caps the requests and logs read at once
	// (default pipeline.DefaultConcurrency).
	Concurrency int
	// Analysis are the options logs are analyzed with: those of the
	// analysis the history is for, so that cached results serve both.
	Analysis analysis.Options
	// Folder is the log cache (nil: logs are downloaded every time), Scope
	// names the provider's API in it, AnalyzerVersion the analysis code
	// whose cached results are reused, and Refresh ignores what it holds.
	Folder          *cache.Folder
	Scope           string
	AnalyzerVersion string
	Refresh         bool
	// Records keeps the builds' records between runs (nil: none kept).
	// KeepWindow has them remember which builds the window held, for
	// Recall: when the build asked about has finished.
	Records    Records
	KeepWindow bool
	// Progress, when not nil, receives the progress; never concurrently.
	Progress func(Progress)
	// Warn receives one-line messages about the cache (nil: silent).
	Warn func(string)
}

// Progress says how far Look got.
type Progress struct {
	// Builds is how many builds the window holds; JobLists how many of
	// them had their jobs listed (or came with them).
	Builds   int
	JobLists int
	// Logs is how many job logs need reading, LogsDone how many were read
	// (or given up on), Bytes how much of them.
	Logs     int
	LogsDone int
	Bytes    int64
}

// Result is what Look found.
type Result struct {
	// Pipeline names the pipeline as its builds do ("acme/api/CI"), when
	// any was listed.
	Pipeline string
	// Builds are the window's records, newest first.
	Builds []analysis.BuildRecord
	// Notes say what is missing: job lists or logs that could not be read.
	Notes []string
}

// build is one build of the window as Look works on it.
type build struct {
	b      providers.Build
	jobs   []providers.Job
	rec    analysis.BuildRecord // what is known: kept, merged with the list
	kept   bool                 // rec was kept before
	fresh  analysis.BuildRecord // what to keep: the list, and the logs read now
	tasks  []providers.Job
	failed string // why its jobs could not be listed
	dirty  bool   // fresh holds what rec was not kept with
}

// Look returns the records of the last opts.Builds finished builds of
// q.Pipeline on q.Branch before q.Before, newest first: one list request,
// then each build's jobs (a request each where the list does not hold
// them and the records kept are not of the same revision), then the logs
// the records lack, several at once through the log cache: every failed
// job's, every attempt, and the passing ones of the jobs q names. What it
// reads it keeps in opts.Records. Only the list failing is an error; a
// build's jobs or a log that cannot be read is a note.
func Look(ctx context.Context, l Lister, q Query, opts Options) (Result, error) {
	n := opts.Builds
	if n <= 0 {
		n = DefaultBuilds
	}
	conc := opts.Concurrency
	if conc <= 0 {
		conc = pipeline.DefaultConcurrency
	}
	prefetched := make(chan struct{})
	go func() {
		defer close(prefetched)
		if opts.Records != nil && q.Pipeline != "" {
			opts.Records.Prefetch(ctx, q, n)
		}
	}()
	listed, err := l.RecentBuilds(ctx, q.Branch, q.Before, n)
	<-prefetched
	if err != nil {
		return Result{}, err
	}
	var res Result
	if len(listed) > 0 {
		res.Pipeline = listed[0].Pipeline
		if q.Pipeline == "" {
			q.Pipeline = Key(q.Kind, listed[0].URL, listed[0].Pipeline)
		}
	}
	p := &progress{fn: opts.Progress, runs: map[int]pipeline.Update{}}
	p.set(func(pr *Progress) { pr.Builds = len(listed) })

	kept := map[string]analysis.BuildRecord{}
	if opts.Records != nil && len(listed) > 0 {
		ids := make([]string, len(listed))
		for i, b := range listed {
			ids[i] = b.ID
		}
		if kept, err = opts.Records.Load(ctx, q, n, ids); err != nil {
			res.Notes = append(res.Notes, fmt.Sprintf("the builds' records could not be read (%v); they are read again", err))
			kept = map[string]analysis.BuildRecord{}
		}
	}
	builds := make([]*build, len(listed))
	for i, b := range listed {
		rec, ok := kept[b.ID]
		builds[i] = &build{b: b, rec: rec, kept: ok}
	}
	pipeline.ForEach(ctx, conc, builds, func(w *build) {
		w.listJobs(ctx, l)
		p.set(func(pr *Progress) { pr.JobLists++ })
	})
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	interest := jobsOfInterest(q.Jobs, builds)
	var work []*build
	for _, w := range builds {
		if w.failed != "" {
			res.Notes = append(res.Notes, w.failed)
			continue
		}
		for _, j := range w.jobs {
			if !recordable(j) || !(j.Failed() || interest[j.Name]) || jobAnalyzed(w.rec, j.ID) {
				continue
			}
			w.tasks = append(w.tasks, j)
		}
		if len(w.tasks) > 0 {
			work = append(work, w)
			p.set(func(pr *Progress) { pr.Logs += len(w.tasks) })
		}
	}
	var mu sync.Mutex
	pipeline.ForEach(ctx, conc, indexes(len(work)), func(i int) {
		notes := work[i].readLogs(ctx, l, opts, func(u pipeline.Update) { p.run(i, u) })
		mu.Lock()
		res.Notes = append(res.Notes, notes...)
		mu.Unlock()
	})
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	fresh := map[string]analysis.BuildRecord{}
	for _, w := range builds {
		if w.failed != "" {
			continue
		}
		if w.dirty {
			fresh[w.b.ID] = w.fresh
		}
		res.Builds = append(res.Builds, w.rec)
	}
	sort.SliceStable(res.Builds, func(a, b int) bool { return res.Builds[a].Number > res.Builds[b].Number })
	if opts.Records != nil && q.Pipeline != "" {
		if err := opts.Records.SaveWindow(ctx, q, n, res.Builds, fresh, opts.KeepWindow); err != nil && opts.Warn != nil {
			opts.Warn(fmt.Sprintf("history: the records of earlier builds were not kept: %v", err))
		}
	}
	return res, nil
}

// Recall returns what Look last returned for q, from opts.Records alone,
// without the provider (--offline): ok is false when they cannot tell.
func Recall(ctx context.Context, q Query, opts Options) (Result, bool, error) {
	if opts.Records == nil {
		return Result{}, false, nil
	}
	n := opts.Builds
	if n <= 0 {
		n = DefaultBuilds
	}
	recs, ok, err := opts.Records.Window(ctx, q, n)
	return Result{Builds: recs}, ok, err
}

func indexes(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// listJobs finds the build's jobs: in the list, in the record kept of the
// same revision, or from the provider; and merges them into its record.
func (w *build) listJobs(ctx context.Context, l Lister) {
	switch {
	case w.b.Jobs != nil:
		w.jobs = w.b.Jobs
	case w.kept && w.b.Revision != "" && w.rec.Revision == w.b.Revision:
		w.jobs = recordedJobs(w.rec)
	default:
		jobs, err := l.BuildJobs(ctx, w.b)
		if err != nil {
			if ctx.Err() == nil {
				w.failed = fmt.Sprintf("build #%d is left out of the history: %v", w.b.Number, err)
			}
			return
		}
		w.jobs = jobs
	}
	w.b.Jobs = w.jobs
	w.fresh = buildRecord(w.b)
	w.dirty = !w.kept || w.rec.Revision != w.fresh.Revision
	for _, j := range w.jobs {
		if recordable(j) {
			w.fresh.Jobs = append(w.fresh.Jobs, jobRecord(j))
			w.dirty = w.dirty || !hasJob(w.rec, j.ID)
		}
	}
	w.rec = backend.MergeBuildRecord(w.rec, w.fresh)
}

func hasJob(rec analysis.BuildRecord, id string) bool {
	for _, j := range rec.Jobs {
		if j.ID == id {
			return true
		}
	}
	return false
}

// setJob returns rec with job j replaced by jr (or added).
func setJob(rec analysis.BuildRecord, jr analysis.JobRecord) analysis.BuildRecord {
	rec.Jobs = append([]analysis.JobRecord(nil), rec.Jobs...)
	for i := range rec.Jobs {
		if rec.Jobs[i].ID == jr.ID {
			rec.Jobs[i] = jr
			return rec
		}
	}
	rec.Jobs = append(rec.Jobs, jr)
	return rec
}

// recordedJobs are a record's jobs as a provider lists them: enough to
// read their logs by ID.
func recordedJobs(rec analysis.BuildRecord) []providers.Job {
	out := make([]providers.Job, 0, len(rec.Jobs))
	for _, j := range rec.Jobs {
		out = append(out, providers.Job{ID: j.ID, Name: j.Name, StepKey: j.Name, State: providers.JobState(j.State),
			Attempt: j.Attempt, Retried: j.Retried, HasLog: true})
	}
	return out
}

func jobAnalyzed(rec analysis.BuildRecord, id string) bool {
	for _, j := range rec.Jobs {
		if j.ID == id {
			return j.Analyzed()
		}
	}
	return false
}

// jobsOfInterest are the names of the jobs whose passing logs are read:
// those named, or every job that failed in a build of the window.
func jobsOfInterest(named []string, builds []*build) map[string]bool {
	out := map[string]bool{}
	if named != nil {
		for _, n := range named {
			out[n] = true
		}
		return out
	}
	for _, w := range builds {
		for _, j := range w.jobs {
			if j.Failed() {
				out[j.Name] = true
			}
		}
	}
	return out
}

// readLogs analyzes the logs of the build's tasks with pipeline.Run,
// through the log cache, one at a time (builds are read side by side), and
// adds what they held to the build's records. It returns notes on the logs
// that could not be read.
func (w *build) readLogs(ctx context.Context, l Lister, opts Options, onUpdate func(pipeline.Update)) []string {
	var src pipeline.Source = pastBuild{b: w.b, l: l}
	if opts.Folder != nil {
		src = cache.Wrap(src, cache.Config{Folder: opts.Folder, Scope: opts.Scope, BuildKey: w.b.URL, Refresh: opts.Refresh,
			AnalyzerVersion: opts.AnalyzerVersion, Secrets: opts.Analysis.Secrets, WarnFunc: opts.Warn})
	}
	var mu sync.Mutex
	seen := map[string][]analysis.SeenFingerprint{}
	ids := make([]string, len(w.tasks))
	for i, j := range w.tasks {
		ids[i] = j.ID
	}
	rep, _ := pipeline.Run(ctx, src, pipeline.Options{Analysis: opts.Analysis, Concurrency: 1, JobIDs: ids,
		JobResultFunc: func(job providers.Job, res analysis.JobResult) {
			fps := Seen(pipeline.JobSummary(job), res)
			mu.Lock()
			seen[job.ID] = fps
			mu.Unlock()
		}}, onUpdate)
	var notes []string
	for _, j := range rep.Jobs {
		if j.Error != "" {
			notes = append(notes, fmt.Sprintf("build #%d, job %q: log not read: %s", w.b.Number, j.Name, j.Error))
		}
	}
	for _, j := range w.tasks {
		fps, ok := seen[j.ID]
		if !ok {
			continue
		}
		jr := analyzed(jobRecord(j), fps)
		w.fresh = setJob(w.fresh, jr)
		w.rec = setJob(w.rec, jr)
		w.dirty = true
	}
	return notes
}

// progress adds up the progress of the builds read side by side.
type progress struct {
	fn   func(Progress)
	mu   sync.Mutex
	p    Progress
	runs map[int]pipeline.Update
}

func (p *progress) set(edit func(*Progress)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	edit(&p.p)
	if p.fn != nil {
		p.fn(p.p)
	}
}

// run takes an update of the pipeline.Run reading build i's logs.
func (p *progress) run(i int, u pipeline.Update) {
	p.set(func(pr *Progress) {
		prev := p.runs[i]
		p.runs[i] = u
		pr.LogsDone += u.JobsFetched - prev.JobsFetched
		pr.Bytes += u.Bytes - prev.Bytes
	})
}
