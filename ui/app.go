package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/destill-dev/destill/analysis"
)

// Config is what Run shows, and how.
type Config struct {
	// Title names what is analyzed: a build URL, a file.
	Title string
	// Feed brings the analysis: Snapshots and Notices, then its end (nil:
	// nothing ever arrives).
	Feed *Feed
	// Color enables colours; false draws with bold, dim and reverse video
	// only (NO_COLOR, --no-color).
	Color bool
	// Screen is where to draw (nil: the terminal).
	Screen tcell.Screen
	// NowFunc returns the current time (nil: time.Now).
	NowFunc func() time.Time
	// OpenURLFunc opens a web URL in a browser, returning when the browser
	// has taken it (nil: the o key only shows the URL).
	OpenURLFunc func(ctx context.Context, url string) error
	// ShowLogFunc shows the raw log of a finding's job at the finding's
	// first line, in a pager that has the terminal until it returns (nil:
	// the l key says there is no raw log to show).
	ShowLogFunc func(ctx context.Context, f *analysis.Finding) error
}

// ErrNoTerminal is returned by Run when it cannot take over the terminal.
var ErrNoTerminal = errors.New("cannot start the interactive UI on this terminal")

// maxCopyBytes caps what the copy key sends: terminals reject larger OSC 52
// sequences.
const maxCopyBytes = 64 << 10

// App is the running UI.
type App struct {
	cfg    Config
	tv     *tview.Application
	screen tcell.Screen // for the clipboard; nil until Run sets one
	state  *State
	view   *view
	now    func() time.Time

	// suspend hands the terminal over while f runs (tview's Suspend;
	// tests replace it).
	suspend func(f func()) bool

	quit     chan struct{} // closed by the quit key; the pump then stops tview
	quitOnce sync.Once
	local    chan Event // outcomes of background work started by keys
	failure  error      // why the terminal failed, set by the pump

	// ctx bounds background work started by keys (opening a URL); it is
	// cancelled when Run returns, and bg waits for that work to end.
	ctx    context.Context
	cancel context.CancelFunc
	bg     sync.WaitGroup
}

// Run shows the UI until the user quits or ctx ends, then restores the
// terminal. It returns ErrNoTerminal (wrapped) when the terminal cannot be
// used, and never leaves a goroutine behind.
func Run(ctx context.Context, cfg Config) error {
	scr := cfg.Screen
	if scr == nil {
		s, err := tcell.NewScreen()
		if err != nil {
			return fmt.Errorf("%w: %v", ErrNoTerminal, err)
		}
		scr = s
	}
	return newApp(cfg).start(ctx, scr)
}

// start takes over scr and runs until the user quits or ctx ends.
func (a *App) start(ctx context.Context, scr tcell.Screen) error {
	gs := &guardedScreen{Screen: scr, failed: make(chan error, 1)}
	a.tv.SetScreen(gs) // initializes gs
	if gs.initErr != nil {
		return fmt.Errorf("%w: %v", ErrNoTerminal, gs.initErr)
	}
	a.screen = gs
	return a.run(ctx, gs.failed)
}

func newApp(cfg Config) *App {
	now := cfg.NowFunc
	if now == nil {
		now = time.Now
	}
	st := NewState()
	a := &App{
		cfg:   cfg,
		tv:    tview.NewApplication(),
		state: st,
		now:   now,
		quit:  make(chan struct{}),
		local: make(chan Event),
	}
	a.suspend = a.tv.Suspend
	a.ctx, a.cancel = context.WithCancel(context.Background())
	a.view = newView(st, newTheme(cfg.Color), cfg.Title, now)
	a.view.search.SetChangedFunc(func(text string) {
		if a.view.searching {
			a.state.SetSearch(text)
		}
	})
	a.view.search.SetDoneFunc(func(k tcell.Key) {
		if k == tcell.KeyEscape {
			a.state.SetSearch("")
		}
		a.view.searching = false
		a.tv.SetFocus(a.view)
	})
	a.tv.SetRoot(a.view, true).SetInputCapture(a.handleKey)
	return a
}

// run runs the event loop and the pump until the user quits or ctx ends.
func (a *App) run(ctx context.Context, screenFailed <-chan error) error {
	defer a.cancel()
	pumpDone := make(chan struct{})
	go func() {
		defer close(pumpDone)
		a.pump(ctx, screenFailed)
	}()
	err := a.tv.Run()
	a.cancel()
	<-pumpDone
	a.bg.Wait()
	if err == nil {
		err = a.failure
	}
	return err
}

// pump is the one goroutine that posts to the event loop. It applies each
// Event with QueueUpdateDraw, redraws every second while the analysis runs
// (the elapsed time), and is the only caller of Stop: QueueUpdateDraw
// waits for the event loop, so a post after the loop stopped would block
// forever. Stopping from here, between posts, rules that out.
func (a *App) pump(ctx context.Context, screenFailed <-chan error) {
	// Wait for the event loop: Stop before Run would make tview open a
	// terminal of its own.
	a.tv.QueueUpdateDraw(func() {})
	defer a.tv.Stop()

	var ready <-chan struct{}
	if a.cfg.Feed != nil {
		ready = a.cfg.Feed.ready
	}
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	tick := ticker.C
	for {
		var events []Event
		select {
		case <-ctx.Done():
			return
		case <-a.quit:
			return
		case err := <-screenFailed:
			a.failure = fmt.Errorf("terminal failed: %w", err)
			return
		case <-ready:
			var ended bool
			events, ended = a.cfg.Feed.take()
			if ended {
				ready, tick = nil, nil // nothing follows; the clock stops
			}
		case ev := <-a.local:
			events = []Event{ev}
		case <-tick:
		}
		for i, ev := range events {
			if e, ok := ev.(Finished); ok && e.At.IsZero() {
				e.At = a.now()
				events[i] = e
			}
		}
		a.tv.QueueUpdateDraw(func() {
			for _, ev := range events {
				a.state.Apply(ev)
			}
		})
	}
}

// handleKey is the input capture: it runs on the event loop, changes the
// state through the binding table and returns nil, so tview draws and does
// nothing else. While a search is typed, keys go on to the search field.
func (a *App) handleKey(ev *tcell.EventKey) *tcell.EventKey {
	if ev.Key() == tcell.KeyCtrlC {
		a.requestQuit()
		return nil
	}
	if a.view.searching {
		return ev
	}
	b := lookup(ev)
	if a.view.showHelp {
		if b != nil && (b.hint == "help" || b.hint == "quit" || ev.Key() == tcell.KeyEscape) {
			a.view.showHelp = false
		}
		return nil
	}
	a.state.SetMessage("")
	if b != nil {
		b.run(a)
	}
	return nil
}

func (a *App) up() {
	if a.state.Focus() == PaneDetail {
		a.view.detail.scroll(-1)
		return
	}
	a.state.Move(-1)
}

func (a *App) down() {
	if a.state.Focus() == PaneDetail {
		a.view.detail.scroll(1)
		return
	}
	a.state.Move(1)
}

func (a *App) pageUp() {
	if a.state.Focus() == PaneDetail {
		a.view.detail.scroll(-max(1, a.view.detail.rows-1))
		return
	}
	a.state.Move(-max(1, a.view.list.rows))
}

func (a *App) pageDown() {
	if a.state.Focus() == PaneDetail {
		a.view.detail.scroll(max(1, a.view.detail.rows-1))
		return
	}
	a.state.Move(max(1, a.view.list.rows))
}

func (a *App) first() {
	if a.state.Focus() == PaneDetail {
		a.view.detail.scrollTo(false)
		return
	}
	a.state.First()
}

func (a *App) last() {
	if a.state.Focus() == PaneDetail {
		a.view.detail.scrollTo(true)
		return
	}
	a.state.Last()
}

func (a *App) focusDetail() { a.state.SetFocus(PaneDetail) }

func (a *App) switchPane() {
	if a.state.Focus() == PaneList {
		a.state.SetFocus(PaneDetail)
		return
	}
	a.state.SetFocus(PaneList)
}

func (a *App) startSearch() {
	a.view.searching = true
	a.view.search.SetText(a.state.Search())
	a.tv.SetFocus(a.view) // the view hands the focus to the search field
}

func (a *App) cycleFilter() {
	a.state.CycleFilter()
	a.state.SetMessage(fmt.Sprintf("filter: %s (%s)", a.state.Filter(), fmtCount(a.state.VisibleCount(), len(a.state.Report().Findings))))
}

func (a *App) cycleSort() {
	a.state.CycleSort()
	a.state.SetMessage("sorted by " + a.state.Sort().String())
}

func (a *App) toggleHelp() { a.view.showHelp = !a.view.showHelp }

// escape undoes one thing, as Esc does in k9s and lazygit: the search, else
// the filter, else the focus on the detail pane. It never quits.
func (a *App) escape() {
	switch {
	case a.state.Search() != "":
		a.state.SetSearch("")
		a.state.SetMessage("search cleared")
	case a.state.Filter() != FilterAll:
		a.state.SetFilter(FilterAll)
		a.state.SetMessage("filter cleared: all findings")
	case a.state.Focus() == PaneDetail:
		a.state.SetFocus(PaneList)
	default:
		a.state.SetMessage("nothing to clear; q quits")
	}
}

func (a *App) requestQuit() { a.quitOnce.Do(func() { close(a.quit) }) }

// copyFinding puts the selected finding's lines on the clipboard with
// OSC 52, which works over SSH and in tmux (with set-clipboard on).
func (a *App) copyFinding() {
	f := a.state.Selected()
	if f == nil {
		a.state.SetMessage("nothing to copy: no finding selected")
		return
	}
	text := strings.Join(f.Text, "\n")
	if len(text) > maxCopyBytes {
		text = text[:maxCopyBytes]
	}
	if a.screen == nil {
		a.state.SetMessage("cannot copy: no terminal")
		return
	}
	a.screen.SetClipboard([]byte(text))
	a.state.SetMessage(fmt.Sprintf("copied #%d (%s) to the clipboard with OSC 52, if the terminal allows it", f.Rank, plural(len(f.Text), "line")))
}

// openURL shows the selected finding's job URL and, when a browser is set
// up, opens it in the background.
func (a *App) openURL() {
	f := a.state.Selected()
	if f == nil {
		a.state.SetMessage("no finding selected")
		return
	}
	u := a.state.JobURL(f)
	if u == "" {
		a.state.SetMessage("no web URL: this finding comes from a local log")
		return
	}
	if a.cfg.OpenURLFunc == nil || !(strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) {
		a.state.SetMessage("job URL: " + u)
		return
	}
	a.state.SetMessage("opening " + u)
	a.bg.Add(1)
	go func() {
		defer a.bg.Done()
		msg := "opened " + u
		if err := a.cfg.OpenURLFunc(a.ctx, u); err != nil {
			msg = fmt.Sprintf("could not open a browser (%v); job URL: %s", err, u)
		}
		select {
		case a.local <- Notice{Message: msg}:
		case <-a.ctx.Done():
		}
	}()
}

// openLog hands the terminal to a pager showing the selected finding's raw
// log at its first line, and takes it back when the pager ends.
func (a *App) openLog() {
	f := a.state.Selected()
	switch {
	case f == nil:
		a.state.SetMessage("no finding selected")
		return
	case a.cfg.ShowLogFunc == nil:
		a.state.SetMessage("no raw log to show for this analysis")
		return
	case f.LineStart == 0:
		a.state.SetMessage("this finding comes from a test report, not from a log line")
		return
	}
	var err error
	if !a.suspend(func() { err = a.cfg.ShowLogFunc(a.ctx, f) }) {
		err = errors.New("the terminal cannot be handed over")
	}
	if err != nil {
		a.state.SetMessage(fmt.Sprintf("could not show the log: %v", err))
	}
}

// guardedScreen is the screen tview draws on. It keeps Init's error, and
// turns a terminal read error into a message to the pump: tview would stop
// the event loop on it by itself, which the pump could not know about.
type guardedScreen struct {
	tcell.Screen
	initErr error
	failed  chan error
}

func (s *guardedScreen) Init() error {
	s.initErr = s.Screen.Init()
	return s.initErr
}

func (s *guardedScreen) PollEvent() tcell.Event {
	ev := s.Screen.PollEvent()
	if e, ok := ev.(*tcell.EventError); ok {
		select {
		case s.failed <- e:
		default:
		}
		return tcell.NewEventInterrupt(nil)
	}
	return ev
}

// plural says "1 line", "3 lines".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
