package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/render/rendertest"
)

// TestHostileTextNeverReachesTheScreen shows a report whose every string
// holds escapes, C1 controls, BEL, bidi overrides and tview tags, in the
// list, the detail pane, the header, a notice and the error of a failed
// analysis: no cell of the screen holds a control character, and tview
// tags show as the text they are.
func TestHostileTextNeverReachesTheScreen(t *testing.T) {
	t.Parallel()
	a := newApp(Config{Title: rendertest.Hostile, Color: true, NowFunc: fixedNow})
	sim := tcell.NewSimulationScreen("UTF-8")
	require.NoError(t, sim.Init())
	t.Cleanup(sim.Fini)
	a.screen = sim
	rep := rendertest.HostileReport()
	a.state.Apply(Snapshot{Report: rep, Progress: Progress{JobsTotal: 1, JobsFetched: 1, JobsAnalyzed: 1}})
	check := func(what string) {
		t.Helper()
		screen := drawApp(a, sim, 220, 60)
		cells := cellText(sim)
		if bad := rendertest.FindForbidden(cells); len(bad) > 0 {
			t.Fatalf("%s: control characters drawn: %v\n%s", what, bad, screen)
		}
		require.Contains(t, screen, "[red]tag[-]", "%s: a tview tag is text, shown as it is", what)
	}
	check("the list")
	press(a, keyEv(tcell.KeyEnter))
	check("the detail pane")
	screen := drawApp(a, sim, 220, 60)
	for _, field := range []string{"Category:", "JobName:", "Step:", "Reasons[0]:", "Test.Name:", "Text[0]:", "ContextBefore[0]:"} {
		require.Contains(t, screen, field, "the detail pane shows %s", field)
	}
	a.state.Apply(Notice{Message: rendertest.Hostile})
	check("a notice")
	a.state.Apply(Finished{Err: errors.New("fetch build: " + rendertest.Hostile), At: testStart.Add(time.Second)})
	a.state.SetMessage("")
	check("a failure")
	require.Equal(t, rendertest.HostileReport(), rep, "the UI changed the report it was given")
}

// cellText is every cell's content, nothing trimmed or replaced.
func cellText(scr tcell.Screen) string {
	w, h := scr.Size()
	var b strings.Builder
	for y := range h {
		for x := range w {
			s, _, _ := scr.Get(x, y)
			b.WriteString(s)
		}
	}
	return b.String()
}
