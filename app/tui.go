package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/pipeline"
	"github.com/destill-dev/destill/app/sources"
	"github.com/destill-dev/destill/render"
	"github.com/destill-dev/destill/ui"
)

// summaryTop is how many findings stay printed when the interactive UI
// closes, unless --top says otherwise.
const summaryTop = 3

// startGrace is how long analyze waits, before it opens the interactive
// UI, for an analysis that fails at once (a missing file, a build that
// passed): such an error prints as one line, as in text mode, instead of
// flashing a screen. Errors that take longer show in the UI's status bar.
const startGrace = 200 * time.Millisecond

// runAnalyzeTUI runs the analysis behind the interactive UI: the UI shows
// the findings as jobs finish and, when the user quits, the top findings
// are printed to stdout so that they stay in the terminal's scrollback.
// Quitting early stops the analysis.
// feed is where the source's provider messages already go (nil: a new one).
// hist, when not nil, fills in the findings' history once they are found.
func runAnalyzeTUI(parent context.Context, streams *Streams, opts analyzeOptions, in sources.Input, popts pipeline.Options, feed *uiFeed, hist *analyzeHistory) error {
	if feed == nil {
		feed = newUIFeed()
	}
	// --timeout bounds the analysis, not the UI: what it found stays on
	// the screen, with the server it gave up on.
	runCtx, cancel := withRunTimeout(parent, opts.timeout)
	defer cancel()
	// Standard input is kept as it is read: to preview its findings while
	// it flows, and for the pager.
	var sp *spool
	if in.Describe.Kind == "stdin" {
		if s, err := newSpool(); err == nil {
			sp = s
			in.Source = spooled{in.Source, sp}
		}
	}
	raw := newRawLogs(streams, in.Source, in.Describe.Path, sp, popts.Analysis.Secrets)
	popts.JobResultFunc = raw.read
	popts.LiveFindings = true // the UI shows findings as jobs finish
	run := startRun(runCtx, in.Source, popts, feed, hist)
	previewDone := make(chan struct{})
	if sp != nil {
		go func() {
			defer close(previewDone)
			previewSpool(runCtx, sp, popts.Analysis, feed, run.done)
		}()
	} else {
		close(previewDone)
	}
	defer func() {
		run.stop()
		<-previewDone
		if sp != nil {
			sp.remove()
		}
	}()

	if err := run.failedAtOnce(feed); err != nil {
		return analyzeError(parent, err)
	}
	title := render.SourceName(analysis.Report{Source: in.Describe})
	cfg := tuiConfig(streams, title, feed.Feed, opts.output.color)
	cfg.ShowLogFunc = raw.show
	uiErr := ui.Run(parent, cfg)
	if errors.Is(uiErr, ui.ErrNoTerminal) && !opts.output.formatSet {
		// No terminal to take over after all: print text, as when stdout
		// is not a terminal.
		feed.divertNotices(newProgress(streams).message)
		rep, err := run.result()
		out := opts.output
		out.format = formatText
		return writeResult(parent, streams, rep, err, out)
	}
	quitEarly := !run.ended()
	rep, err := run.stop()
	if uiErr != nil {
		if errors.Is(uiErr, ui.ErrNoTerminal) {
			return fmt.Errorf("%w; use --format text", uiErr)
		}
		return uiErr
	}
	rep, err = shownReport(rep, err, quitEarly && parent.Err() == nil, feed)
	// A signal (SIGTERM, SIGINT from outside the terminal) stops without a
	// summary: what it would show is cut short, and nobody asked for it.
	if !opts.output.noSummary && len(rep.Jobs) > 0 && parent.Err() == nil {
		if werr := printSummary(streams, rep, opts.output); werr != nil {
			return werr
		}
	}
	if err != nil || parent.Err() != nil {
		return analyzeError(parent, err)
	}
	return nil
}

// shownReport is the report to leave on the screen once the UI closed:
// the analysis's, or what the UI showed last when the analysis failed
// before reading a job, or when the user quit it (then not a failure).
func shownReport(rep analysis.Report, err error, userQuit bool, feed *uiFeed) (analysis.Report, error) {
	if userQuit && err != nil {
		rep = feed.lastReport()
		if len(rep.Jobs) > 0 {
			rep.Notes = append(rep.Notes, fmt.Sprintf("you quit before the analysis finished: %d of %d job(s) analyzed", rep.Summary.JobsAnalyzed, feed.jobsSelected()))
		}
		return rep, nil
	}
	if err != nil && len(rep.Jobs) == 0 {
		rep = feed.lastReport()
	}
	return rep, err
}

// writeResult prints what pipeline.Run returned: the report, even a
// partial one, then its error; an error alone when no job was read.
func writeResult(ctx context.Context, streams *Streams, rep analysis.Report, err error, out outputOptions) error {
	if err != nil && len(rep.Jobs) == 0 {
		return analyzeError(ctx, err)
	}
	if werr := writeReport(streams, rep, out); werr != nil {
		return werr
	}
	return err
}

// backgroundRun is pipeline.Run going on while the UI shows it.
type backgroundRun struct {
	cancel context.CancelFunc
	done   chan struct{} // closed once Run returned rep and err
	rep    analysis.Report
	err    error
}

// startRun starts pipeline.Run in the background, sending its updates and
// its end to feed; hist, when not nil, gives the findings their history
// before the end. Run stops when ctx ends or on stop; when ctx ends at
// --timeout, the error names the server it was waiting for.
func startRun(ctx context.Context, src pipeline.Source, popts pipeline.Options, feed *uiFeed, hist *analyzeHistory) *backgroundRun {
	ctx, cancel := context.WithCancel(ctx)
	r := &backgroundRun{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		defer hist.stop()
		hist.startEarly(ctx)
		r.rep, r.err = pipeline.Run(ctx, src, popts, hist.watch(ctx, feed.update))
		if r.err == nil && hist != nil {
			r.rep = hist.thenTUI(ctx, r.rep, feed)
		}
		r.err = feed.waits.timedOut(ctx, r.err)
		feed.Finish(ui.Finished{Err: r.err, At: time.Now()})
	}()
	return r
}

// failedAtOnce waits up to startGrace for the first update and returns the
// error of an analysis that failed before sending any: it is printed as
// one line, as in text mode, instead of flashing a screen.
func (r *backgroundRun) failedAtOnce(feed *uiFeed) error {
	grace := time.NewTimer(startGrace)
	defer grace.Stop()
	select {
	case <-feed.first:
	case <-grace.C:
	case <-r.done:
		if _, started := feed.Latest(); r.err != nil && !started {
			return r.err
		}
	}
	return nil
}

// ended reports whether Run has returned.
func (r *backgroundRun) ended() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// result waits for Run to return and returns what it returned.
func (r *backgroundRun) result() (analysis.Report, error) {
	<-r.done
	return r.rep, r.err
}

// stop stops Run if it still runs, and returns what it returned.
func (r *backgroundRun) stop() (analysis.Report, error) {
	r.cancel()
	return r.result()
}

// analyzeError is the error analyze returns for err.
func analyzeError(ctx context.Context, err error) error {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) {
		return errInterrupted
	}
	return err
}

// runReportTUI shows a finished report in the interactive UI, then prints
// its summary: `destill view` over stored findings.
func runReportTUI(ctx context.Context, streams *Streams, rep analysis.Report, out outputOptions) error {
	if err := ui.Run(ctx, tuiConfig(streams, render.SourceName(rep), ui.ReportFeed(rep), out.color)); err != nil {
		return err
	}
	if out.noSummary {
		return nil
	}
	return printSummary(streams, rep, out)
}

func tuiConfig(streams *Streams, title string, feed *ui.Feed, color bool) ui.Config {
	return ui.Config{
		Title:       title,
		Feed:        feed,
		Color:       color,
		Screen:      streams.TUIScreen,
		OpenURLFunc: browserOpener(streams.Getenv),
	}
}

// printSummary prints the top findings as text, on the normal screen once
// the UI has given it back.
func printSummary(streams *Streams, rep analysis.Report, out outputOptions) error {
	top := summaryTop
	if out.topSet {
		top = out.top
	}
	if err := render.Text(streams.Out, rep, render.TextOptions{Top: top, Color: out.color, Width: streams.textWidth()}); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	return nil
}
