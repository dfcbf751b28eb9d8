package ui

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/analysis"
)

// TestHistoryShows: while history is read the status bar says how far it
// got, and the selected finding's detail shows its verdict, evidence and
// where it was first and last seen.
func TestHistoryShows(t *testing.T) {
	a, sim := newTestApp(t, false)
	snap := snapshotOf(testFindings(), 3)
	snap.Progress.History = "history: 4/10 earlier builds listed, 3/12 logs read, 1.2 MB"
	a.state.Apply(snap)
	screen := drawApp(a, sim, 160, 48)
	require.Contains(t, screen, "history: 4/10 earlier builds listed")

	findings := testFindings()
	findings[0].History = &analysis.History{Verdict: analysis.VerdictRecurring, Evidence: "failing main since #12: 8 of the last 10 builds",
		Builds: 10, FailedBuilds: 8, FirstSeen: &analysis.HistoryBuild{Number: 12, Time: "2026-03-01T20:00:00Z"},
		LastSeen: &analysis.HistoryBuild{Number: 19}}
	snap = snapshotOf(findings, 3)
	a.state.Apply(snap)
	a.state.Apply(Finished{})
	screen = drawApp(a, sim, 160, 48)
	require.NotContains(t, screen, "earlier builds listed")
	var past []string
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, "past") || strings.Contains(l, "first seen #12") {
			past = append(past, l)
		}
	}
	require.NotEmpty(t, past, screen)
	require.Contains(t, screen, "recurring: failing main since #12: 8 of the last 10 builds")
	require.Contains(t, screen, "first seen #12")
	require.Contains(t, screen, "(2026-03-01 20:00:00 UTC), last seen #19", "wrapped under the label")
}
