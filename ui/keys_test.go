package ui

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"
	"github.com/stretchr/testify/require"
)

func TestBindingsBindNoKeyTwice(t *testing.T) {
	t.Parallel()
	seen := map[key]string{}
	for _, b := range bindings {
		require.NotEmpty(t, b.keys, "binding %q has no key", b.name)
		require.NotNil(t, b.run, "binding %q does nothing", b.name)
		require.NotEmpty(t, b.help, "binding %q has no help", b.name)
		for _, k := range b.keys {
			prev, dup := seen[k]
			require.False(t, dup, "key %v bound twice: %q and %q", k, prev, b.name)
			seen[k] = b.name
		}
	}
}

func TestHelpMatchesBindings(t *testing.T) {
	t.Parallel()
	help := helpText()
	require.Len(t, help, len(bindings), "one help line per binding")
	for i, b := range bindings {
		require.True(t, strings.HasPrefix(help[i], b.name+" "), "help line %d %q starts with the keys %q", i, help[i], b.name)
		require.True(t, strings.HasSuffix(help[i], "  "+b.help), "help line %d %q ends with %q", i, help[i], b.help)
	}
	// Each key the table binds is named in the help: a key named "↑ k"
	// must be bound to up and k, and nothing else.
	names := map[string]tcell.Key{"↑": tcell.KeyUp, "↓": tcell.KeyDown, "PgUp": tcell.KeyPgUp, "PgDn": tcell.KeyPgDn,
		"Home": tcell.KeyHome, "End": tcell.KeyEnd, "Enter": tcell.KeyEnter, "Tab": tcell.KeyTab, "Esc": tcell.KeyEscape, "^C": tcell.KeyCtrlC}
	for _, b := range bindings {
		var named []key
		for _, word := range strings.Fields(b.name) {
			if k, ok := names[word]; ok {
				named = append(named, special(k))
			} else {
				require.Len(t, []rune(word), 1, "unknown key name %q in %q", word, b.name)
				named = append(named, char([]rune(word)[0]))
			}
		}
		for _, k := range named {
			require.Contains(t, b.keys, k, "help names %v for %q but the table does not bind it", k, b.name)
		}
		for _, k := range b.keys {
			if k == special(tcell.KeyBacktab) {
				continue // Shift-Tab: the reverse of Tab, named with it
			}
			require.Contains(t, named, k, "%q binds %v but the help does not name it", b.name, k)
		}
	}
}

func TestHintsComeFromBindingsAndFit(t *testing.T) {
	t.Parallel()
	th := newTheme(false)
	for _, w := range []int{20, 40, 80, 200} {
		hints := hintSpans(w, th)
		text := ""
		for _, sp := range hints {
			text += sp.text
		}
		require.LessOrEqual(t, width(text), w, "hints fit %d cells", w)
		if w >= 20 {
			require.Contains(t, text, "? help")
			require.Contains(t, text, "q quit")
		}
	}
	wide := ""
	for _, sp := range hintSpans(500, th) {
		wide += sp.text
	}
	for _, b := range bindings {
		if b.hint != "" {
			require.Contains(t, wide, " "+b.hint+" ", "hint %q shown when there is room", b.hint)
		}
	}
}

// loadedApp returns a test app holding the finished fixture analysis,
// drawn once at w×h so that page sizes are known.
func loadedApp(t *testing.T, w, h int) (*App, tcell.SimulationScreen) {
	t.Helper()
	a, sim := newTestApp(t, true)
	a.state.Apply(snapshotOf(testFindings(), 3))
	a.state.Apply(Finished{At: testStart})
	drawApp(a, sim, w, h)
	return a, sim
}

func TestKeysMoveTheSelection(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		keys []*tcell.EventKey
		want string
	}{
		{name: "j", keys: runes("j"), want: "fp-lint"},
		{name: "down", keys: []*tcell.EventKey{keyEv(tcell.KeyDown)}, want: "fp-lint"},
		{name: "j j k", keys: runes("jjk"), want: "fp-lint"},
		{name: "up at the top", keys: []*tcell.EventKey{keyEv(tcell.KeyUp)}, want: "fp-oom"},
		{name: "G", keys: runes("G"), want: "fp-long"},
		{name: "End", keys: []*tcell.EventKey{keyEv(tcell.KeyEnd)}, want: "fp-long"},
		{name: "G g", keys: runes("Gg"), want: "fp-oom"},
		{name: "G Home", keys: append(runes("G"), keyEv(tcell.KeyHome)), want: "fp-oom"},
		{name: "PgDn moves a page (the list shows 6 rows at 80x24)", keys: []*tcell.EventKey{keyEv(tcell.KeyPgDn)}, want: "fp-long"},
		{name: "PgDn PgUp", keys: []*tcell.EventKey{keyEv(tcell.KeyPgDn), keyEv(tcell.KeyPgUp)}, want: "fp-oom"},
		{name: "unbound keys do nothing", keys: runes("xyz1"), want: "fp-oom"},
		{name: "in the detail pane j scrolls instead", keys: append([]*tcell.EventKey{keyEv(tcell.KeyEnter)}, runes("jjG")...), want: "fp-oom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, _ := loadedApp(t, 80, 24)
			press(a, tt.keys...)
			require.Equal(t, tt.want, a.state.Selected().Fingerprint)
		})
	}
}

func TestKeysScrollTheDetailPane(t *testing.T) {
	t.Parallel()
	a, sim := loadedApp(t, 80, 24)
	press(a, keyEv(tcell.KeyEnter))
	require.Equal(t, PaneDetail, a.state.Focus())
	press(a, runes("jj")...)
	require.Equal(t, 2, a.view.detail.offset)
	press(a, runes("G")...)
	drawApp(a, sim, 80, 24)
	require.Equal(t, a.view.detail.total-a.view.detail.rows, a.view.detail.offset, "G scrolls to the bottom")
	press(a, runes("jjj")...)
	require.Equal(t, a.view.detail.total-a.view.detail.rows, a.view.detail.offset, "no scrolling past the end")
	press(a, runes("g")...)
	require.Equal(t, 0, a.view.detail.offset)
	press(a, keyEv(tcell.KeyPgDn))
	require.Positive(t, a.view.detail.offset)

	press(a, keyEv(tcell.KeyTab))
	require.Equal(t, PaneList, a.state.Focus())
	press(a, runes("j")...)
	drawApp(a, sim, 80, 24)
	require.Equal(t, 0, a.view.detail.offset, "another finding starts at its top")
	press(a, keyEv(tcell.KeyBacktab))
	require.Equal(t, PaneDetail, a.state.Focus())
}

func TestKeysFilterSortSearch(t *testing.T) {
	t.Parallel()
	a, _ := loadedApp(t, 80, 24)
	press(a, runes("f")...)
	require.Equal(t, FilterFailedJobs, a.state.Filter())
	require.Contains(t, a.state.Message(), "filter: failed jobs")
	press(a, runes("ff")...)
	require.Equal(t, FilterAll, a.state.Filter())
	press(a, runes("s")...)
	require.Equal(t, SortLogOrder, a.state.Sort())
	require.Equal(t, "sorted by log order", a.state.Message())
	press(a, runes("j")...)
	require.Empty(t, a.state.Message(), "a key clears the last message")
	press(a, runes("ss")...)
	require.Equal(t, SortConfidence, a.state.Sort())

	// Typing a search filters as it goes; keys are text, not commands.
	press(a, runes("/lint q")...)
	require.True(t, a.view.searching)
	require.Equal(t, "lint q", a.state.Search())
	require.Equal(t, 0, a.state.VisibleCount())
	press(a, keyEv(tcell.KeyBackspace), keyEv(tcell.KeyBackspace))
	require.Equal(t, "lint", a.state.Search())
	require.Equal(t, 2, a.state.VisibleCount())
	press(a, keyEv(tcell.KeyEnter))
	require.False(t, a.view.searching)
	require.Equal(t, "lint", a.state.Search(), "Enter keeps the search")
	// '/' again edits the same search; Esc clears it.
	press(a, runes("/")...)
	require.Equal(t, "lint", a.view.search.GetText())
	press(a, keyEv(tcell.KeyEscape))
	require.False(t, a.view.searching)
	require.Empty(t, a.state.Search())
	require.Equal(t, 6, a.state.VisibleCount())
	select {
	case <-a.quit:
		t.Fatal("Esc in the search field must not quit")
	default:
	}
}

func TestKeysHelpAndQuit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		keys     []*tcell.EventKey
		wantQuit bool
		wantHelp bool
	}{
		{name: "q quits", keys: runes("q"), wantQuit: true},
		{name: "Esc never quits", keys: []*tcell.EventKey{keyEv(tcell.KeyEscape), keyEv(tcell.KeyEscape)}},
		{name: "Ctrl-C quits", keys: []*tcell.EventKey{tcell.NewEventKey(tcell.KeyCtrlC, 'c', tcell.ModCtrl)}, wantQuit: true},
		{name: "Ctrl-C quits while searching", keys: append(runes("/ab"), tcell.NewEventKey(tcell.KeyCtrlC, 'c', tcell.ModCtrl)), wantQuit: true},
		{name: "q while searching is text", keys: runes("/q")},
		{name: "? shows help", keys: runes("?"), wantHelp: true},
		{name: "other keys leave help open", keys: runes("?jfs"), wantHelp: true},
		{name: "? closes help", keys: runes("??")},
		{name: "q closes help without quitting", keys: runes("?q")},
		{name: "Esc closes help without quitting", keys: append(runes("?"), keyEv(tcell.KeyEscape))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, _ := loadedApp(t, 80, 24)
			press(a, tt.keys...)
			quit := false
			select {
			case <-a.quit:
				quit = true
			default:
			}
			require.Equal(t, tt.wantQuit, quit)
			require.Equal(t, tt.wantHelp, a.view.showHelp)
		})
	}
}

func TestKeyCopySendsOSC52(t *testing.T) {
	t.Parallel()
	a, sim := loadedApp(t, 80, 24)
	press(a, runes("c")...)
	require.Equal(t, "fatal error: runtime: out of memory\nruntime stack:\nruntime.throw({0x1a2b3c, 0x16})", string(sim.GetClipboardData()))
	require.Contains(t, a.state.Message(), "copied #1 (3 lines)")

	press(a, runes("jj")...) // the finding with escape sequences: copied clean
	press(a, runes("c")...)
	require.NotContains(t, string(sim.GetClipboardData()), "\x1b")
}

func TestKeyOpenURL(t *testing.T) {
	t.Parallel()
	t.Run("shows the URL without a browser", func(t *testing.T) {
		t.Parallel()
		a, _ := loadedApp(t, 80, 24)
		press(a, runes("o")...)
		require.Equal(t, "job URL: https://ci.example.com/builds/42#j1/L1204", a.state.Message())
	})
	t.Run("says when there is no URL", func(t *testing.T) {
		t.Parallel()
		a, _ := newTestApp(t, false)
		rep := testReport()
		for i := range rep.Findings {
			rep.Findings[i].URL = ""
		}
		rep.Jobs = nil
		a.state.Apply(Snapshot{Report: rep})
		press(a, runes("o")...)
		require.Contains(t, a.state.Message(), "no web URL")
	})
	t.Run("opens it in the background and reports back", func(t *testing.T) {
		t.Parallel()
		a, _ := loadedApp(t, 80, 24)
		opened := make(chan string, 1)
		a.cfg.OpenURLFunc = func(ctx context.Context, url string) error {
			opened <- url
			return errors.New("no browser")
		}
		press(a, runes("o")...)
		require.Equal(t, "https://ci.example.com/builds/42#j1/L1204", <-opened)
		ev := <-a.local // what the pump would apply
		a.state.Apply(ev)
		require.Contains(t, a.state.Message(), "could not open a browser (no browser); job URL: https://ci.example.com/builds/42#j1/L1204")
		a.cancel()
		a.bg.Wait()
	})
}

// TestEscClearsOneThingAtATime: Esc clears the search, then the filter,
// then leaves the detail pane, and never quits (q does), as in k9s and
// lazygit.
func TestEscClearsOneThingAtATime(t *testing.T) {
	t.Parallel()
	a, _ := loadedApp(t, 80, 24)
	press(a, runes("/lint")...)
	press(a, keyEv(tcell.KeyEnter))
	press(a, runes("ff")...)
	press(a, keyEv(tcell.KeyEnter))
	require.Equal(t, "lint", a.state.Search())
	require.Equal(t, FilterErrors, a.state.Filter())
	require.Equal(t, PaneDetail, a.state.Focus())

	press(a, keyEv(tcell.KeyEscape))
	require.Empty(t, a.state.Search(), "the search goes first")
	require.Equal(t, FilterErrors, a.state.Filter())
	require.Equal(t, "search cleared", a.state.Message())
	press(a, keyEv(tcell.KeyEscape))
	require.Equal(t, FilterAll, a.state.Filter(), "then the filter")
	require.Equal(t, 6, a.state.VisibleCount())
	press(a, keyEv(tcell.KeyEscape))
	require.Equal(t, PaneList, a.state.Focus(), "then the detail pane's focus")
	press(a, keyEv(tcell.KeyEscape))
	require.Equal(t, "nothing to clear; q quits", a.state.Message())
	select {
	case <-a.quit:
		t.Fatal("Esc quit")
	default:
	}
	press(a, runes("q")...)
	select {
	case <-a.quit:
	default:
		t.Fatal("q did not quit")
	}
}
