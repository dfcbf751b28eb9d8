package app

import (
	"context"
	"fmt"
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

// analyzeHistory looks back, once analyze has its findings, at the earlier
// builds of the build it read, and gives each finding its history.
type analyzeHistory struct {
	lister  history.Lister
	builds  int
	offline bool
	opts    history.Options
	// records is the database's history (nil: the log cache's folder or
	// nothing keeps records).
	store  *history.StoreRecords
	source string

	mu      sync.Mutex
	results map[string]analysis.JobResult // of the build analyzed, by job ID
}

// newAnalyzeHistory prepares history for analyze, or returns nil: turned
// off, not a build URL, analyzed on the workers. It takes the results of
// the build's jobs through popts.JobResultFunc. db opens the database,
// when one is configured.
func newAnalyzeHistory(ctx context.Context, streams *Streams, opts analyzeOptions, in sources.Input, popts *pipeline.Options, db *analysisDB) *analyzeHistory {
	l, ok := in.Source.(history.Lister)
	if !ok || opts.history == 0 {
		return nil
	}
	h := &analyzeHistory{lister: l, builds: opts.history, offline: opts.cache.offline, source: "api",
		results: map[string]analysis.JobResult{}}
	h.opts = history.Options{Builds: opts.history, Concurrency: opts.concurrency, Analysis: popts.Analysis,
		Scope: in.CacheScope, AnalyzerVersion: cache.ExecutableVersion(Version), Refresh: opts.cache.noCache}
	if folder, _ := openCacheFolder(streams, cacheFlags{size: opts.cache.size}, func(string) {}); folder != nil {
		h.opts.Folder = folder
		h.opts.Records = history.FolderRecords{Folder: folder}
	}
	if st := db.get(ctx); st != nil {
		h.store = &history.StoreRecords{Store: st}
		h.opts.Records = *h.store
		h.source = "database"
	}
	prev := popts.JobResultFunc
	popts.JobResultFunc = func(job providers.Job, res analysis.JobResult) {
		h.mu.Lock()
		h.results[job.ID] = res
		h.mu.Unlock()
		if prev != nil {
			prev(job, res)
		}
	}
	return h
}

// apply gives rep's findings their history. Nothing here fails the
// analysis: what could not be looked up is a note.
func (h *analyzeHistory) apply(ctx context.Context, rep analysis.Report, warn func(string), onProgress func(history.Progress)) analysis.Report {
	b := rep.Source.Build
	if b == nil {
		return rep
	}
	h.mu.Lock()
	current, recordable := history.ReportRecord(rep, h.results)
	h.mu.Unlock()
	q := history.Query{Pipeline: history.KeyOf(rep.Source), Branch: b.Branch, Before: b.Number}
	var fps []string
	for _, f := range rep.Findings {
		fps = append(fps, f.Fingerprint)
	}
	for _, j := range rep.Jobs {
		if j.Failed && j.Analyzed {
			q.Jobs = append(q.Jobs, j.Name)
		}
	}
	if h.store != nil {
		q.Fingerprints = fps
	}
	window := analysis.HistoryWindow{Source: h.source, Pipeline: b.Pipeline, Branch: b.Branch}
	var builds []analysis.BuildRecord
	if h.offline {
		res, ok, err := history.Recall(ctx, q, h.opts)
		switch {
		case err != nil:
			window.Note = "the history kept could not be read: " + err.Error()
		case !ok:
			window.Note = "--offline: these earlier builds were never looked at; run once without --offline"
		}
		builds = res.Builds
	} else {
		h.opts.Progress = onProgress
		h.opts.Warn = warn
		h.opts.KeepWindow = recordable
		res, err := history.Look(ctx, h.lister, q, h.opts)
		switch {
		case ctx.Err() != nil:
			return rep
		case err != nil:
			window.Note = "earlier builds could not be listed: " + err.Error()
		}
		builds = res.Builds
		if len(res.Notes) > 0 {
			window.Note = joinNotes(res.Notes)
		}
	}
	// The database keeps this build's record for later builds' history
	// (workers do the same); the log cache keeps what it analyzed.
	if recordable && !h.offline && h.store != nil {
		if err := h.store.Save(ctx, q.Pipeline, current); err != nil && warn != nil {
			warn(fmt.Sprintf("history: this build's record was not kept: %v", err))
		}
	}
	if window.Note != "" && len(builds) == 0 {
		rep.History = &window
		rep.Notes = append(rep.Notes, "history: "+window.Note)
		return rep
	}
	history.Apply(&rep, &current, builds, window)
	return rep
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

// then is what the interactive UI runs once the findings are in: history,
// its progress and then the findings with their history shown as they
// come. Nil when there is no history to look up.
func (h *analyzeHistory) then(feed *uiFeed) func(context.Context, analysis.Report) analysis.Report {
	if h == nil {
		return nil
	}
	return func(ctx context.Context, rep analysis.Report) analysis.Report {
		last, _ := feed.Latest()
		show := func(r analysis.Report, status string) {
			s := last
			s.Report = r
			s.Progress.History = status
			feed.Snapshot(s)
		}
		show(rep, "history: listing earlier builds…")
		out := h.apply(ctx, rep, feed.notify, func(hp history.Progress) {
			show(rep, strings.TrimPrefix(historyProgressText(hp), "destill: "))
		})
		show(out, "")
		return out
	}
}
