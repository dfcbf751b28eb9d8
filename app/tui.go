package app

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/pipeline"
	"github.com/destill-dev/destill/app/render"
	"github.com/destill-dev/destill/app/sources"
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
func runAnalyzeTUI(parent context.Context, streams *Streams, opts analyzeOptions, in sources.Input, popts pipeline.Options, feed *uiFeed) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()

	if feed == nil {
		feed = newUIFeed()
	}
	var (
		rep      analysis.Report
		err      error
		ran      = make(chan struct{}) // closed when pipeline.Run has returned rep and err
		finished = make(chan struct{}) // closed when the goroutine has ended
	)
	go func() {
		defer close(finished)
		forwarded := make(chan struct{})
		go func() {
			defer close(forwarded)
			feed.forward(ctx)
		}()
		rep, err = pipeline.Run(ctx, in.Source, popts, feed.update)
		close(ran)
		feed.finish(err)
		<-forwarded // the UI took the end, or ctx ended
	}()
	stop := func() {
		cancel()
		<-finished
	}

	grace := time.NewTimer(startGrace)
	defer grace.Stop()
	select {
	case <-feed.first:
	case <-grace.C:
	case <-ran:
		if err != nil && !feed.started() {
			stop()
			return analyzeError(parent, err)
		}
	}

	title := render.SourceName(analysis.Report{Source: in.Describe})
	uiErr := ui.Run(ctx, tuiConfig(streams, title, feed.events, opts.color))
	if errors.Is(uiErr, ui.ErrNoTerminal) && !opts.formatSet {
		// No terminal to take over after all: print text, as when stdout
		// is not a terminal.
		feed.divertNotices(newProgress(streams).message)
		<-ran
		stop()
		if err != nil && len(rep.Jobs) == 0 {
			return analyzeError(parent, err)
		}
		opts.format = formatText
		if werr := writeReport(streams, rep, opts); werr != nil {
			return werr
		}
		return err
	}
	ended := false
	select {
	case <-ran:
		ended = true
	default:
	}
	stop()
	if uiErr != nil {
		if errors.Is(uiErr, ui.ErrNoTerminal) {
			return fmt.Errorf("%w; use --format text", uiErr)
		}
		return uiErr
	}

	if !ended && parent.Err() == nil && err != nil {
		// The user quit while the analysis ran: not a failure. The summary
		// is what the UI showed.
		rep, err = feed.lastReport(), nil
		if len(rep.Jobs) > 0 {
			rep.Notes = append(rep.Notes, fmt.Sprintf("you quit before the analysis finished: %d of %d job(s) analyzed", rep.Summary.JobsAnalyzed, feed.jobsSelected()))
		}
	}
	if err != nil && len(rep.Jobs) == 0 {
		rep = feed.lastReport()
	}
	// A signal (SIGTERM, SIGINT from outside the terminal) stops without a
	// summary: what it would show is cut short, and nobody asked for it.
	if !opts.noSummary && len(rep.Jobs) > 0 && parent.Err() == nil {
		if werr := printSummary(streams, rep, opts); werr != nil {
			return werr
		}
	}
	if err != nil || parent.Err() != nil {
		return analyzeError(parent, err)
	}
	return nil
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
func runReportTUI(ctx context.Context, streams *Streams, rep analysis.Report, opts analyzeOptions) error {
	if err := ui.Run(ctx, tuiConfig(streams, render.SourceName(rep), ui.ReportEvents(rep), opts.color)); err != nil {
		return err
	}
	if opts.noSummary {
		return nil
	}
	return printSummary(streams, rep, opts)
}

func tuiConfig(streams *Streams, title string, events <-chan ui.Event, color bool) ui.Config {
	return ui.Config{
		Title:       title,
		Events:      events,
		Color:       color,
		Screen:      streams.TUIScreen,
		OpenURLFunc: browserOpener(streams.Getenv),
	}
}

// printSummary prints the top findings as text, on the normal screen once
// the UI has given it back.
func printSummary(streams *Streams, rep analysis.Report, opts analyzeOptions) error {
	top := summaryTop
	if opts.topSet {
		top = opts.top
	}
	if err := render.Text(streams.Out, rep, render.TextOptions{Top: top, Color: opts.color}); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	return nil
}

// uiFeed adapts the analysis into ui events. Its producers (pipeline.Run's
// onUpdate, provider messages, the end) never block: they leave what they
// have in a mailbox, where a newer snapshot replaces one the UI has not
// taken yet, and one forwarder goroutine hands it to the UI in order.
type uiFeed struct {
	events chan ui.Event
	kick   chan struct{} // cap 1: the mailbox has something
	first  chan struct{} // closed by the first update

	mu       sync.Mutex
	last     *pipeline.Update // the latest update
	unsent   bool             // last has not been forwarded yet
	notices  []string
	finished *ui.Finished
	divert   func(string) // when set, notices go here instead (no UI)
}

func newUIFeed() *uiFeed {
	return &uiFeed{events: make(chan ui.Event), kick: make(chan struct{}, 1), first: make(chan struct{})}
}

func (f *uiFeed) poke() {
	select {
	case f.kick <- struct{}{}:
	default:
	}
}

// update is pipeline.Run's onUpdate.
func (f *uiFeed) update(u pipeline.Update) {
	f.mu.Lock()
	firstOne := f.last == nil
	f.last, f.unsent = &u, true
	f.mu.Unlock()
	if firstOne {
		close(f.first)
	}
	f.poke()
}

// notify takes a message for the user from a provider (a rate-limit wait).
func (f *uiFeed) notify(msg string) {
	f.mu.Lock()
	if d := f.divert; d != nil {
		f.mu.Unlock()
		d(msg)
		return
	}
	f.notices = append(f.notices, msg)
	f.mu.Unlock()
	f.poke()
}

// finish records the end of the analysis.
func (f *uiFeed) finish(err error) {
	f.mu.Lock()
	f.finished = &ui.Finished{Err: err, At: time.Now()}
	f.mu.Unlock()
	f.poke()
}

// divertNotices sends notices to d from now on, with those still waiting:
// when there is no UI to show them.
func (f *uiFeed) divertNotices(d func(string)) {
	f.mu.Lock()
	waiting := f.notices
	f.notices, f.divert = nil, d
	f.mu.Unlock()
	for _, m := range waiting {
		d(m)
	}
}

// forward hands the mailbox to the UI until the end is sent or ctx ends,
// then closes the events.
func (f *uiFeed) forward(ctx context.Context) {
	defer close(f.events)
	for {
		select {
		case <-f.kick:
		case <-ctx.Done():
			return
		}
		f.mu.Lock()
		var out []ui.Event
		for _, m := range f.notices {
			out = append(out, ui.Notice{Message: m})
		}
		f.notices = nil
		if f.unsent {
			out = append(out, snapshotEvent(*f.last))
			f.unsent = false
		}
		end := f.finished != nil
		if end {
			out = append(out, *f.finished)
		}
		f.mu.Unlock()
		for _, ev := range out {
			select {
			case f.events <- ev:
			case <-ctx.Done():
				return
			}
		}
		if end {
			return
		}
	}
}

func (f *uiFeed) started() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last != nil
}

// lastReport is the report of the last update (empty before any).
func (f *uiFeed) lastReport() analysis.Report {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.last == nil {
		return analysis.Report{}
	}
	return f.last.Report
}

func (f *uiFeed) jobsSelected() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.last == nil {
		return 0
	}
	return f.last.JobsSelected
}

func snapshotEvent(u pipeline.Update) ui.Snapshot {
	return ui.Snapshot{
		Report: u.Report,
		Progress: ui.Progress{
			JobsTotal:    u.JobsSelected,
			JobsFetched:  u.JobsFetched,
			JobsAnalyzed: u.JobsAnalyzed,
			Bytes:        u.Bytes,
			Started:      u.Started,
		},
	}
}

// browserOpener returns how the UI's o key opens a URL: with $BROWSER, or
// the desktop's opener when there is a graphical session. It returns nil
// when there is none (over SSH, in CI): the UI then only shows the URL.
func browserOpener(getenv func(string) string) func(ctx context.Context, url string) error {
	var argv []string
	switch {
	case getenv("BROWSER") != "":
		argv = strings.Fields(getenv("BROWSER"))
	case runtime.GOOS == "darwin":
		argv = []string{"open"}
	case getenv("DISPLAY") != "" || getenv("WAYLAND_DISPLAY") != "":
		argv = []string{"xdg-open"}
	default:
		return nil
	}
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return nil
	}
	return func(ctx context.Context, url string) error {
		// No stdin, stdout or stderr: nothing may write over the UI.
		cmd := exec.CommandContext(ctx, path, append(argv[1:], url)...)
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s: %w", argv[0], err)
		}
		return nil
	}
}
