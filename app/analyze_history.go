package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/cache"
	"github.com/destill-dev/destill/app/history"
	"github.com/destill-dev/destill/app/pipeline"
	"github.com/destill-dev/destill/app/sources"
	"github.com/destill-dev/destill/backend/postgres"
	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/httpapi"
	"github.com/destill-dev/destill/render"
)

// maxHistoryBuilds bounds --history.
const maxHistoryBuilds = 200

func historyFlags() []cli.Flag {
	return []cli.Flag{
		&cli.IntFlag{Name: "history", Usage: fmt.Sprintf("look back at the last `N` finished builds of the pipeline and branch (1-%d) to tell new failures from recurring, flaky and noise", maxHistoryBuilds),
			Value: history.DefaultBuilds},
		&cli.BoolFlag{Name: "no-history", Usage: "do not look at earlier builds"},
	}
}

// parseHistoryFlags returns the window --history asks for; 0 with
// --no-history.
func parseHistoryFlags(cmd *cli.Command) (int, error) {
	n := int(cmd.Int("history"))
	if cmd.Bool("no-history") {
		if cmd.IsSet("history") {
			return 0, usageErrorf("--history and --no-history contradict each other; pick one")
		}
		return 0, nil
	}
	if n < 1 || n > maxHistoryBuilds {
		return 0, usageErrorf("--history takes 1 to %d builds, got %d (--no-history turns it off)", maxHistoryBuilds, n)
	}
	return n, nil
}

// analyzeHistory looks back at the earlier builds of the build analyze
// reads, and gives each finding its history. It starts as soon as the
// build is known (its first update), alongside the analysis of its logs,
// so that a warm history costs about nothing in time; its findings wait
// for it.
type analyzeHistory struct {
	lister  history.Lister
	builds  int
	offline bool
	opts    history.Options
	// store is the database's history (nil: the log cache's folder or
	// nothing keeps records); source names it in reports.
	store  *history.StoreRecords
	source string
	warn   func(string)
	// folder keeps, per build, where its look back starts (early), so
	// that a warm run starts it before the build is read; scope and build
	// name the build in it.
	folder       *history.FolderRecords
	scope, build string
	early        *history.Start

	mu sync.Mutex
	// seen holds the fingerprints of each analyzed job of the build, by
	// job ID (history.Seen), for its record.
	seen     map[string][]analysis.SeenFingerprint
	started  bool
	q        history.Query // what the look back started is for
	done     chan struct{} // closed when the look back ended
	res      history.Result
	err      error
	cancel   context.CancelFunc
	progress func(history.Progress) // where progress goes, once the findings are in
}

// newAnalyzeHistory prepares history for analyze, or returns nil: turned
// off, not a build URL, analyzed on the workers. With a database to keep
// the build's record, it takes the fingerprints of the build's jobs
// through popts.JobResultFunc. db opens the database,
// when one is configured; warn shows one-line messages. useFolder gives
// it the log cache.
func newAnalyzeHistory(ctx context.Context, opts analyzeOptions, in sources.Input, popts *pipeline.Options, db *analysisDB, warn func(string)) *analyzeHistory {
	l, ok := in.Source.(history.Lister)
	if !ok || opts.history == 0 {
		return nil
	}
	h := &analyzeHistory{lister: l, builds: opts.history, offline: opts.cache.offline, source: "api", warn: warn,
		scope: in.CacheScope, build: in.CacheBuild, seen: map[string][]analysis.SeenFingerprint{}, done: make(chan struct{})}
	h.opts = history.Options{Builds: opts.history, Concurrency: opts.concurrency, Analysis: popts.Analysis,
		Scope: in.CacheScope, AnalyzerVersion: cache.ExecutableVersion(Version), Refresh: opts.cache.noCache, Warn: warn}
	if st := db.get(ctx); st != nil {
		h.store = &history.StoreRecords{Store: st}
		h.opts.Records = *h.store
		h.source = "database"
	}
	h.opts.Progress = func(p history.Progress) {
		h.mu.Lock()
		show := h.progress
		h.mu.Unlock()
		if show != nil {
			show(p)
		}
	}
	if h.store == nil || h.offline {
		return h // no record of this build is kept: its fingerprints are not needed
	}
	prev := popts.JobResultFunc
	popts.JobResultFunc = func(job providers.Job, res analysis.JobResult) {
		fps := history.Seen(pipeline.JobSummary(job), res)
		h.mu.Lock()
		h.seen[job.ID] = fps
		h.mu.Unlock()
		if prev != nil {
			prev(job, res)
		}
	}
	return h
}

// useFolder has history read logs through the log cache's folder (nil: it
// is off) and, without a database, keep its records there.
func (h *analyzeHistory) useFolder(folder *cache.Folder) {
	if h == nil || folder == nil {
		return
	}
	h.opts.Folder = folder
	h.folder = history.NewFolderRecords(folder)
	if h.store == nil {
		h.opts.Records = h.folder
	}
}

// watch returns onUpdate, which also starts the look back on the first
// update (the build is known then). On nil, it is onUpdate itself.
func (h *analyzeHistory) watch(ctx context.Context, onUpdate func(pipeline.Update)) func(pipeline.Update) {
	if h == nil {
		return onUpdate
	}
	return func(u pipeline.Update) {
		h.start(ctx, u.Report)
		if onUpdate != nil {
			onUpdate(u)
		}
	}
}

// query is what to look back for, from a report of the build (its jobs
// known, their logs not read yet).
func (h *analyzeHistory) query(rep analysis.Report) history.Query {
	b := rep.Source.Build
	q := history.Query{Pipeline: history.KeyOf(rep.Source), Branch: b.Branch, Before: b.Number}
	for _, j := range rep.Jobs {
		if j.Failed && !j.Retried {
			q.Jobs = append(q.Jobs, j.Name)
		}
	}
	return q
}

// startEarly begins the look back before the build is read, from where
// the last run for the same (finished) build started it.
func (h *analyzeHistory) startEarly(ctx context.Context) {
	if h == nil || h.folder == nil {
		return
	}
	s, ok := h.folder.LoadStart(h.scope, h.build)
	if !ok {
		return
	}
	if hl, ok := h.lister.(history.Hinted); ok && s.Hint != "" {
		hl.UseHistoryHint(s.Hint)
	}
	h.early = &s
	h.mu.Lock()
	defer h.mu.Unlock()
	h.startLocked(ctx, s.Query, true)
}

// start begins the look back for the build rep is about, once.
func (h *analyzeHistory) start(ctx context.Context, rep analysis.Report) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.started || rep.Source.Build == nil {
		return
	}
	h.startLocked(ctx, h.query(rep), finished(rep))
}

// finished reports whether the build a report is about has finished.
func finished(rep analysis.Report) bool {
	for _, j := range rep.Jobs {
		switch providers.JobState(j.State) {
		case providers.JobRunning, providers.JobPending:
			return false
		}
	}
	return true
}

func (h *analyzeHistory) startLocked(ctx context.Context, q history.Query, finished bool) {
	h.started, h.q = true, q
	ctx, h.cancel = context.WithCancel(ctx)
	go func() {
		defer close(h.done)
		res, err := h.look(ctx, q, finished)
		h.mu.Lock()
		h.res, h.err = res, err
		h.mu.Unlock()
	}()
}

// look reads the window of q: from the provider, or --offline from the
// records kept.
func (h *analyzeHistory) look(ctx context.Context, q history.Query, finished bool) (history.Result, error) {
	if h.offline {
		res, ok, err := history.Recall(ctx, q, h.opts)
		if err == nil && !ok {
			err = errors.New("--offline: these earlier builds were never looked at; run once without --offline")
		}
		return res, err
	}
	opts := h.opts
	opts.KeepWindow = finished
	return history.Look(ctx, h.lister, q, opts)
}

// stop ends a look back still going (the analysis failed or was left).
func (h *analyzeHistory) stop() {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cancel != nil {
		h.cancel()
	}
}

// apply waits for the look back (showing its progress from now on with
// onProgress) and gives rep's findings their history. Nothing here fails
// the analysis: what could not be looked up is a note.
func (h *analyzeHistory) apply(ctx context.Context, rep analysis.Report, onProgress func(history.Progress)) analysis.Report {
	b := rep.Source.Build
	if b == nil {
		return rep
	}
	h.start(ctx, rep)
	h.mu.Lock()
	h.progress = onProgress
	h.mu.Unlock()
	select {
	case <-h.done:
	case <-ctx.Done():
		h.stop()
		return rep
	}
	h.mu.Lock()
	res, err, started := h.res, h.err, h.q
	h.mu.Unlock()
	q := h.query(rep)
	if !sameQuery(started, q) && ctx.Err() == nil {
		res, err = h.look(ctx, q, finished(rep)) // the build changed since it was kept
	}
	if finished(rep) && h.folder != nil && err == nil {
		s := history.Start{Query: q}
		if hl, ok := h.lister.(history.Hinted); ok {
			s.Hint = hl.HistoryHint()
		}
		if h.early == nil || !sameQuery(h.early.Query, q) || h.early.Hint != s.Hint {
			_ = h.folder.SaveStart(h.scope, h.build, s)
		}
	}
	// The findings say what the build's record needs to tell flaky jobs;
	// the database keeps every fingerprint its logs held.
	current, recordable := history.FindingsRecord(rep)
	window := analysis.HistoryWindow{Source: h.source, Pipeline: b.Pipeline, Branch: b.Branch}
	switch {
	case err != nil && h.offline:
		window.Note = err.Error()
	case err != nil:
		window.Note = "the pipeline's earlier builds could not be listed (" + httpapi.Brief(err) +
			"): each finding's history is unknown"
	case len(res.Notes) > 0:
		window.Note = joinNotes(res.Notes)
	}
	// The database keeps this build's record for later builds' history
	// (workers do the same); the log cache keeps what it analyzed.
	if recordable && !h.offline && h.store != nil {
		h.mu.Lock()
		full, _ := history.ReportRecord(rep, h.seen)
		h.mu.Unlock()
		if err := h.store.Save(ctx, history.KeyOf(rep.Source), full); err != nil && h.warn != nil {
			h.warn(fmt.Sprintf("history: this build's record was not kept: %v", err))
		}
	}
	if window.Note != "" && len(res.Builds) == 0 {
		rep.History = &window
		rep.Notes = append(rep.Notes, "history: "+window.Note)
		return rep
	}
	history.Apply(&rep, &current, res.Builds, window)
	return rep
}

// sameQuery reports whether two look backs read the same.
func sameQuery(a, b history.Query) bool {
	return a.Pipeline == b.Pipeline && a.Branch == b.Branch && a.Before == b.Before && slices.Equal(a.Jobs, b.Jobs)
}

// joinNotes keeps a window's note short: the first two notes and a count.
func joinNotes(notes []string) string {
	if len(notes) <= 2 {
		return fmt.Sprint(notesList(notes))
	}
	return fmt.Sprintf("%s; and %d more", notesList(notes[:2]), len(notes)-2)
}

func notesList(notes []string) string {
	out := ""
	for i, n := range notes {
		if i > 0 {
			out += "; "
		}
		out += n
	}
	return out
}

// analysisDB opens, once and only when asked, the database analyze keeps
// baseline models and build history in.
type analysisDB struct {
	streams *Streams
	cfg     backendConfig
	once    sync.Once
	st      *postgres.Store
}

// get returns the store: nil when no database is configured, or when it
// cannot be reached (said once on stderr; the analysis goes on without).
func (d *analysisDB) get(ctx context.Context) *postgres.Store {
	d.once.Do(func() {
		if d.cfg.databaseURL == "" {
			return
		}
		err := d.cfg.needDatabase("keeping baselines and history")
		if err == nil {
			d.st, err = d.cfg.openStore(ctx, true, nil)
		}
		if err != nil {
			fmt.Fprintf(d.streams.ErrOut, "destill: baselines are not kept in the database, nor build history: %s\n", oneLine(err.Error()))
		}
	})
	return d.st
}

func (d *analysisDB) close() {
	if d.st != nil {
		_ = d.st.Close()
	}
}

// historyProgress shows history's progress on stderr, when it is a
// terminal, at most ten times a second.
func (p *progress) history(hp history.Progress) {
	if !p.enabled {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.last) < 100*time.Millisecond && hp.LogsDone < hp.Logs {
		return
	}
	p.last = time.Now()
	fmt.Fprintf(p.w, "\r\x1b[K%s", historyProgressText(hp))
	p.shown = true
}

// historyProgressText says how far history got, in one line.
func historyProgressText(hp history.Progress) string {
	s := fmt.Sprintf("destill: history: %d/%d earlier builds listed", hp.JobLists, hp.Builds)
	if hp.Logs > 0 {
		s += fmt.Sprintf(", %d/%d logs read, %s", hp.LogsDone, hp.Logs, render.Size(hp.Bytes))
	}
	return s
}

// thenTUI is what the interactive UI runs once the findings are in: it
// shows history's progress in the status bar, then the findings with
// their history.
func (h *analyzeHistory) thenTUI(ctx context.Context, rep analysis.Report, feed *uiFeed) analysis.Report {
	last, _ := feed.Latest()
	show := func(r analysis.Report, status string) {
		s := last
		s.Report = r
		s.Progress.History = status
		feed.Snapshot(s)
	}
	show(rep, "history: reading earlier builds…")
	out := h.apply(ctx, rep, func(hp history.Progress) {
		show(rep, strings.TrimPrefix(historyProgressText(hp), "destill: "))
	})
	show(out, "")
	return out
}
