package ui

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/screens/*.golden")

// fixedNow is the clock of render tests: 75 seconds into the analysis.
func fixedNow() time.Time { return testStart.Add(75 * time.Second) }

// newTestApp returns an App that is not running, for render and key tests:
// they draw it on a SimulationScreen and call its key handler directly.
func newTestApp(t *testing.T, color bool) (*App, tcell.SimulationScreen) {
	t.Helper()
	a := newApp(Config{Title: "https://buildkite.com/acme/app/builds/42", Color: color, NowFunc: fixedNow})
	sim := tcell.NewSimulationScreen("UTF-8")
	require.NoError(t, sim.Init())
	t.Cleanup(sim.Fini)
	a.screen = sim
	return a, sim
}

// press sends keys the way tview's event loop does: through the input
// capture, then to the root's input handler when the capture passes it on.
func press(a *App, keys ...*tcell.EventKey) {
	for _, ev := range keys {
		if ev = a.handleKey(ev); ev != nil {
			a.view.InputHandler()(ev, func(p tview.Primitive) {})
		}
	}
}

func runes(s string) []*tcell.EventKey {
	var out []*tcell.EventKey
	for _, r := range s {
		out = append(out, tcell.NewEventKey(tcell.KeyRune, r, tcell.ModNone))
	}
	return out
}

func keyEv(k tcell.Key) *tcell.EventKey { return tcell.NewEventKey(k, 0, tcell.ModNone) }

// render draws the app at w×h and returns the screen as text.
func drawApp(a *App, sim tcell.SimulationScreen, w, h int) string {
	sim.SetSize(w, h)
	a.view.SetRect(0, 0, w, h)
	sim.Clear()
	a.view.Draw(sim)
	sim.Show()
	return screenText(sim)
}

// screenText returns what scr shows as lines of text, with trailing blanks
// trimmed.
func screenText(scr tcell.Screen) string {
	w, h := scr.Size()
	var b strings.Builder
	for y := 0; y < h; y++ {
		var row strings.Builder
		for x := 0; x < w; x++ {
			s, _, cw := scr.Get(x, y)
			if s == "" || s == "\x00" {
				s = " "
			}
			row.WriteString(s)
			if cw > 1 {
				x += cw - 1
			}
		}
		b.WriteString(strings.TrimRight(row.String(), " "))
		b.WriteByte('\n')
	}
	return b.String()
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "screens", name+".golden")
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file: run go test ./ui -update")
	require.Equal(t, string(want), got, "screen differs from %s (go test ./ui -update rewrites it)", path)
}

func TestScreens(t *testing.T) {
	t.Parallel()
	boom := errors.New("fetch build: GET https://api.buildkite.com/v2/organizations/acme/pipelines/app/builds/42: 401 Unauthorized; check BUILDKITE_TOKEN")
	withJobError := func() Snapshot {
		s := snapshotOf(pick("fp-oom", "fp-timeout"), 2)
		s.Report.Jobs[1].Error = "download log: 404 Not Found (the log expired)"
		return s
	}
	tests := []struct {
		name   string
		events []Event
		keys   []*tcell.EventKey
	}{
		{name: "starting"},
		{name: "waiting", events: []Event{Waiting{Message: "waiting for api.buildkite.com: no answer for 20 s (try 2 of 5)…"}}},
		{name: "streaming", events: []Event{snapshotOf(pick("fp-timeout", "fp-lint"), 1), snapshotOf(pick("fp-oom", "fp-timeout", "fp-lint"), 2)}},
		{name: "done", events: []Event{snapshotOf(testFindings(), 3), Finished{At: testStart.Add(42 * time.Second)}}},
		{name: "done-nothing-found", events: []Event{snapshotOf(nil, 3), Finished{At: testStart.Add(2 * time.Second)}}},
		{name: "failed", events: []Event{Finished{Err: boom, At: testStart.Add(time.Second)}}},
		{name: "job-log-error", events: []Event{withJobError(), Finished{At: testStart.Add(9 * time.Second)}}},
		{name: "detail-focused", events: []Event{snapshotOf(testFindings(), 3)}, keys: []*tcell.EventKey{runes("j")[0], runes("j")[0], keyEv(tcell.KeyEnter)}},
		{name: "detail-scrolled", events: []Event{snapshotOf(testFindings(), 3)}, keys: []*tcell.EventKey{keyEv(tcell.KeyTab), runes("j")[0], runes("j")[0], runes("j")[0], runes("j")[0]}},
		{name: "search-typing", events: []Event{snapshotOf(testFindings(), 3)}, keys: runes("/lint")},
		{name: "search-kept", events: []Event{snapshotOf(testFindings(), 3)}, keys: append(runes("/memory"), keyEv(tcell.KeyEnter))},
		{name: "search-no-match", events: []Event{snapshotOf(testFindings(), 3)}, keys: append(runes("/zzz"), keyEv(tcell.KeyEnter))},
		{name: "filter-errors", events: []Event{snapshotOf(testFindings(), 3)}, keys: runes("ff")},
		{name: "sort-log-order", events: []Event{snapshotOf(testFindings(), 3)}, keys: runes("s")},
		{name: "last-finding", events: []Event{snapshotOf(testFindings(), 3)}, keys: runes("G")},
		{name: "help", events: []Event{snapshotOf(testFindings(), 3)}, keys: runes("?")},
		{name: "url", events: []Event{snapshotOf(testFindings(), 3)}, keys: runes("o")},
	}
	sizes := []struct{ w, h int }{{80, 24}, {160, 48}}
	for _, tt := range tests {
		for _, size := range sizes {
			name := tt.name + "-" + itoaSize(size.w, size.h)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				a, sim := newTestApp(t, false)
				for _, ev := range tt.events {
					a.state.Apply(ev)
				}
				drawApp(a, sim, size.w, size.h) // lay out once, as the event loop would before keys
				press(a, tt.keys...)
				checkGolden(t, name, drawApp(a, sim, size.w, size.h))
			})
		}
	}
}

func itoaSize(w, h int) string {
	return strconv.Itoa(w) + "x" + strconv.Itoa(h)
}

// TestSearchMatchesAreHighlighted: what a search matches is drawn in the
// match style in the list (the message and job columns) and in the detail
// pane (its fields and log lines), and nothing around it is.
func TestSearchMatchesAreHighlighted(t *testing.T) {
	t.Parallel()
	for _, color := range []bool{true, false} {
		a, sim := newTestApp(t, color)
		a.state.Apply(snapshotOf(testFindings(), 3))
		drawApp(a, sim, 160, 48)
		press(a, runes("/MEMORY")...)
		press(a, keyEv(tcell.KeyEnter))
		screen := drawApp(a, sim, 160, 48)
		th := newTheme(color)
		marked := func(x, y int) bool {
			_, st, _ := sim.Get(x, y)
			if color {
				return st == th.match(tcell.StyleDefault)
			}
			_, _, attrs := st.Decompose()
			return st.GetUnderlineStyle() != tcell.UnderlineStyleNone && attrs&tcell.AttrBold != 0
		}
		rows := strings.Split(strings.TrimSuffix(screen, "\n"), "\n")
		found := 0
		for y, row := range rows[1 : len(rows)-2] { // not the header, the status bar, the hints
			y++
			rs := []rune(row)
			for x := 0; x+6 <= len(rs); x++ {
				if strings.ToLower(string(rs[x:x+6])) != "memory" {
					continue
				}
				found++
				for i := 0; i < 6; i++ {
					require.True(t, marked(x+i, y), "color %v: cell %d,%d of %q is not highlighted", color, x+i, y, row)
				}
				require.False(t, marked(x+6, y), "color %v: the highlight goes past the match in %q", color, row)
				require.False(t, x > 0 && marked(x-1, y), "color %v: the highlight starts before the match in %q", color, row)
			}
		}
		require.GreaterOrEqual(t, found, 2, "color %v: the list row and the detail's log line:\n%s", color, screen)
	}
}

// TestListColumns: the list uses the terminal's width (at 160 columns a
// long message shows 100 characters and more), the job column keeps the
// end of names that differ only there, and a count is never cut.
func TestListColumns(t *testing.T) {
	t.Parallel()
	fs := testFindings()
	for i, name := range []string{":hammer: build the whole monorepo 0", ":hammer: build the whole monorepo 1"} {
		fs[i].JobName = name
	}
	fs[2].Occurrences = 1024
	for _, size := range []struct{ w, h, message int }{{80, 24, 40}, {160, 48, 100}, {260, 48, 80}} {
		a, sim := newTestApp(t, false)
		rep := testReport()
		rep.Findings = fs
		a.state.Apply(Snapshot{Report: rep})
		screen := drawApp(a, sim, size.w, size.h)
		name := "list-columns-" + itoaSize(size.w, size.h)
		checkGolden(t, name, screen)
		rows := strings.Split(screen, "\n")
		require.Contains(t, rows[2], "repo 0", "%s: the job column keeps the end of the name:\n%s", name, screen)
		require.Contains(t, rows[3], "repo 1", "%s", name)
		require.Contains(t, screen, "×1024", "%s: the count is whole", name)
		long := fs[5].Message
		require.Contains(t, screen, long[:size.message], "%s: the message column is wide", name)
	}
}
