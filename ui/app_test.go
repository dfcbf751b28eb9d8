package ui

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// TestMain fails the package when any test leaves a goroutine behind: the
// pump, tview's event loop, background work started by keys.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// running is an App running its real event loop on a SimulationScreen.
type running struct {
	app    *App
	sim    tcell.SimulationScreen
	feed   *Feed
	cancel context.CancelFunc
	done   chan error

	mu     sync.Mutex
	screen string // what the last draw showed
}

// start runs an App at w×h with a Feed the test sends on.
func start(t *testing.T, w, h int, cfg Config) *running {
	t.Helper()
	r := &running{feed: NewFeed(), done: make(chan error, 1)}
	if cfg.Feed == nil {
		cfg.Feed = r.feed
	}
	if cfg.NowFunc == nil {
		cfg.NowFunc = fixedNow
	}
	r.app = newApp(cfg)
	r.sim = tcell.NewSimulationScreen("UTF-8")
	// What the screen shows is read on the event loop, after each draw:
	// reading the simulation screen from the test goroutine would race.
	r.app.tv.SetAfterDrawFunc(func(scr tcell.Screen) {
		text := screenText(scr)
		r.mu.Lock()
		r.screen = text
		r.mu.Unlock()
	})
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() { r.done <- r.app.start(ctx, r.sim) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(10 * time.Second):
			t.Error("Run did not return after its context was cancelled")
		}
	})
	r.waitFor(t, "the first draw", func(s string) bool { return s != "" })
	if w != 80 || h != 25 {
		r.resize(w, h)
	}
	return r
}

func (r *running) resize(w, h int) {
	r.sim.SetSize(w, h)
	_ = r.sim.PostEvent(tcell.NewEventResize(w, h))
}

func (r *running) text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.screen
}

// waitFor polls the screen until ok accepts it, or fails the test.
func (r *running) waitFor(t *testing.T, what string, ok func(screen string) bool) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if s := r.text(); ok(s) {
			return s
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s; the screen shows:\n%s", what, r.text())
	return ""
}

func (r *running) waitForText(t *testing.T, text string) string {
	t.Helper()
	return r.waitFor(t, "screen to show "+text, func(s string) bool { return strings.Contains(s, text) })
}

func (r *running) send(t *testing.T, ev Event) {
	t.Helper()
	switch e := ev.(type) {
	case Snapshot:
		r.feed.Snapshot(e)
	case Notice:
		r.feed.Notice(e.Message)
	case Finished:
		r.feed.Finish(e)
	default:
		t.Fatalf("cannot send %T", ev)
	}
}

func (r *running) key(k tcell.Key, ch rune) { r.sim.InjectKey(k, ch, tcell.ModNone) }

func (r *running) waitDone(t *testing.T) error {
	t.Helper()
	select {
	case err := <-r.done:
		r.done <- err // for Cleanup
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("Run did not return; the screen shows:\n%s", r.text())
		return nil
	}
}

// selectedRow returns the list row marked as selected.
func selectedRow(screen string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.HasPrefix(l, "▸") {
			return l
		}
	}
	return ""
}

func TestRunStreamsFindingsAndKeepsTheSelection(t *testing.T) {
	r := start(t, 80, 24, Config{Title: "build 42"})
	r.waitForText(t, "reading the build…")

	r.send(t, snapshotOf(pick("fp-lint"), 1))
	r.waitForText(t, "jobs 1/3 fetched, 1 analyzed")
	require.Contains(t, selectedRow(r.text()), "imported and not used")

	// A better finding arrives: it goes on top, the selection stays.
	r.send(t, snapshotOf(pick("fp-oom", "fp-lint"), 2))
	s := r.waitForText(t, "jobs 2/3 fetched")
	require.Contains(t, s, "out of memory")
	require.Contains(t, selectedRow(s), "imported and not used")
	require.Contains(t, s, "#2 · lint · lint:17", "the detail pane still shows the selected finding")

	// The user moves to the top finding; another arrives above it.
	r.key(tcell.KeyRune, 'k')
	r.waitFor(t, "selection on the OOM", func(s string) bool { return strings.Contains(selectedRow(s), "out of memory") })
	r.send(t, snapshotOf(pick("fp-timeout", "fp-oom", "fp-lint"), 3))
	s = r.waitForText(t, "jobs 3/3 fetched")
	require.Contains(t, selectedRow(s), "out of memory")

	r.send(t, Finished{At: testStart.Add(5 * time.Second)})
	r.waitForText(t, "done · 3 findings · 3 jobs analyzed")

	r.key(tcell.KeyRune, 'q')
	require.NoError(t, r.waitDone(t))
}

func TestRunShowsTheErrorAndNeverSpins(t *testing.T) {
	r := start(t, 80, 24, Config{})
	r.send(t, snapshotOf(nil, 0))
	r.send(t, Finished{Err: errors.New("fetch build: 404 Not Found; check the URL")})
	s := r.waitForText(t, "error: fetch build: 404 Not Found; check the URL")
	require.NotContains(t, s, "jobs 0/3 fetched", "no progress bar once the analysis ended")
	r.key(tcell.KeyRune, 'q')
	require.NoError(t, r.waitDone(t))
}

func TestRunShowsNoticesAndTheNewestSnapshot(t *testing.T) {
	r := start(t, 80, 24, Config{})
	r.waitForText(t, "reading the build…")
	r.send(t, snapshotOf(pick("fp-oom"), 1))
	r.send(t, Notice{Message: "waiting 30s for the rate limit"})
	r.send(t, snapshotOf(pick("fp-oom", "fp-lint"), 2))
	s := r.waitForText(t, "jobs 2/3 fetched")
	require.Contains(t, s, "imported and not used")
	require.Contains(t, s, "waiting 30s for the rate limit")
	r.send(t, Finished{})
	r.waitForText(t, "done · 2 findings")
	r.key(tcell.KeyRune, 'q')
	require.NoError(t, r.waitDone(t))
}

func TestRunShowsStoredFindings(t *testing.T) {
	r := start(t, 80, 24, Config{Feed: ReportFeed(testReport())})
	s := r.waitForText(t, "done · 6 findings · 3 jobs analyzed")
	require.Contains(t, s, "out of memory")
	r.key(tcell.KeyRune, 'q')
	require.NoError(t, r.waitDone(t))
}

func TestRunResizesCleanly(t *testing.T) {
	r := start(t, 80, 24, Config{Feed: ReportFeed(testReport())})
	r.waitForText(t, "done · 6 findings")
	r.resize(260, 48)
	s := r.waitFor(t, "the wide layout", func(s string) bool { return strings.Count(s, "\n") == 48 && strings.Contains(s, "│ #1 · oom") })
	for i, l := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		require.LessOrEqual(t, width(l), 260, "line %d fits", i)
	}
	r.resize(160, 48)
	r.waitFor(t, "the list above the detail, both the whole width", func(s string) bool {
		return strings.Count(s, "\n") == 48 && !strings.Contains(s, "│ #1 · oom") && strings.Contains(s, "\n #1 · oom")
	})
	r.resize(60, 16)
	r.waitFor(t, "the narrow layout", func(s string) bool { return strings.Count(s, "\n") == 16 && !strings.Contains(s, "│ #1 · oom") })
	r.resize(10, 3)
	r.waitForText(t, "too small")
	r.resize(80, 24)
	r.waitFor(t, "the normal layout", func(s string) bool { return strings.Count(s, "\n") == 24 && strings.Contains(s, "done · 6 findings") })
	r.key(tcell.KeyRune, 'q')
	require.NoError(t, r.waitDone(t))
}

func TestRunSearchAndFilterKeys(t *testing.T) {
	r := start(t, 80, 24, Config{Feed: ReportFeed(testReport())})
	r.waitForText(t, "done · 6 findings")
	for _, ch := range "/memory" {
		r.key(tcell.KeyRune, ch)
	}
	r.waitForText(t, "1 of 6 findings")
	r.key(tcell.KeyEnter, 0)
	r.waitForText(t, "? help")
	r.key(tcell.KeyRune, '/')
	r.key(tcell.KeyEscape, 0)
	r.waitForText(t, "6 findings · all")
	r.key(tcell.KeyRune, 'f')
	r.key(tcell.KeyRune, 'f')
	r.waitForText(t, "4 of 6 findings · errors")
	r.key(tcell.KeyCtrlC, 0)
	require.NoError(t, r.waitDone(t))
}

// TestRunQuitsWhileUpdatesPour checks that quitting never deadlocks with the
// pump posting updates, and that the sender is never held up.
func TestRunQuitsWhileUpdatesPour(t *testing.T) {
	for i := 0; i < 20; i++ {
		r := start(t, 80, 24, Config{})
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
					r.feed.Snapshot(snapshotOf(pick("fp-oom", "fp-lint")[:1+n%2], n%3))
				}
			}
		}()
		r.waitForText(t, "fetched")
		r.key(tcell.KeyRune, 'q')
		require.NoError(t, r.waitDone(t))
		close(stop)
		wg.Wait()
	}
}

func TestRunStopsWhenTheContextEnds(t *testing.T) {
	r := start(t, 80, 24, Config{})
	r.waitForText(t, "reading the build…")
	r.cancel()
	require.NoError(t, r.waitDone(t))
}

func TestRunQuitCancelsBackgroundWork(t *testing.T) {
	opening := make(chan struct{})
	r := start(t, 80, 24, Config{
		Feed: ReportFeed(testReport()),
		OpenURLFunc: func(ctx context.Context, url string) error {
			close(opening)
			<-ctx.Done() // a browser that never returns
			return ctx.Err()
		},
	})
	r.waitForText(t, "done · 6 findings")
	r.key(tcell.KeyRune, 'o')
	<-opening
	r.waitForText(t, "opening https://ci.example.com/builds/42#j1/L1204")
	r.key(tcell.KeyRune, 'q')
	require.NoError(t, r.waitDone(t))
}

func TestRunReportsATerminalFailure(t *testing.T) {
	r := start(t, 80, 24, Config{Feed: ReportFeed(testReport())})
	r.waitForText(t, "done · 6 findings")
	_ = r.sim.PostEvent(tcell.NewEventError(errors.New("read /dev/tty: input/output error")))
	err := r.waitDone(t)
	require.ErrorContains(t, err, "terminal failed: read /dev/tty: input/output error")
}

func TestRunWithoutATerminal(t *testing.T) {
	t.Setenv("TERM", "no-such-terminal-xyz")
	err := Run(context.Background(), Config{})
	require.ErrorIs(t, err, ErrNoTerminal)
}

// TestColours checks colour by severity, and that with colour off no cell
// has a colour at all (NO_COLOR).
func TestColours(t *testing.T) {
	t.Parallel()
	for _, color := range []bool{true, false} {
		a, sim := newTestApp(t, color)
		a.state.Apply(snapshotOf(testFindings(), 3))
		drawApp(a, sim, 80, 24)
		w, h := sim.Size()
		colours := 0
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				_, st, _ := sim.Get(x, y)
				if fg, bg, _ := st.Decompose(); fg != tcell.ColorDefault || bg != tcell.ColorDefault {
					colours++
				}
			}
		}
		if !color {
			require.Zero(t, colours, "no colour anywhere with colour off")
			continue
		}
		require.Positive(t, colours)
		// Row 3 is finding #2, an error; row 5 finding #4, a warning; the
		// severity column starts at column 10.
		_, errStyle, _ := sim.Get(10, 3)
		_, warnStyle, _ := sim.Get(10, 5)
		errFg, _, _ := errStyle.Decompose()
		warnFg, _, _ := warnStyle.Decompose()
		require.Equal(t, tcell.ColorRed, errFg)
		require.Equal(t, tcell.ColorYellow, warnFg)
	}
}
