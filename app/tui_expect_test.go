package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/render"
	"github.com/destill-dev/destill/ui"
)

// sampleExpect is what the UI must show for the sample log. It is derived
// from destill's own JSON report of the log, so that these end-to-end
// tests check the terminal UI, not the ranking, and hold when scoring
// changes.
type sampleExpect struct {
	rep analysis.Report
	n   int
}

func expectSample(t *testing.T) sampleExpect {
	t.Helper()
	streams, out, errOut := TestStreams("")
	code := Main(context.Background(), []string{"destill", "analyze", "--json", sampleLog}, streams)
	require.Equal(t, exitOK, code, errOut.String())
	var rep analysis.Report
	require.NoError(t, json.Unmarshal(out.Bytes(), &rep))
	require.GreaterOrEqual(t, len(rep.Findings), 4, "the sample log must give enough findings to exercise the list and the summary")
	return sampleExpect{rep: rep, n: len(rep.Findings)}
}

// count is how the header counts shown findings of total.
func headerCount(shown, total int) string {
	if shown == total {
		if total == 1 {
			return "1 finding"
		}
		return fmt.Sprintf("%d findings", total)
	}
	return fmt.Sprintf("%d of %d findings", shown, total)
}

// done is the status bar once the analysis of the log has finished.
func (e sampleExpect) done() string {
	return "done · " + headerCount(e.n, e.n) + " · 1 job analyzed"
}

// view is the list after a search, filter presses and sort presses, as
// the UI's own State computes it.
func (e sampleExpect) view(search string, filters, sorts int) *ui.State {
	st := ui.NewState()
	st.Apply(ui.Snapshot{Report: e.rep})
	for range filters {
		st.CycleFilter()
	}
	for range sorts {
		st.CycleSort()
	}
	st.SetSearch(search)
	return st
}

func onScreen(s string) string {
	return strings.ReplaceAll(render.Sanitize(s), "\t", "    ")
}

func firstRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		r = r[:n]
	}
	return string(r)
}

// rowText is how the start of f's message reads in the list.
func rowText(f analysis.Finding) string {
	return firstRunes(onScreen(f.Message), 20)
}

// selectedRow is the list row the UI marks as selected.
func selectedRow(screen string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.HasPrefix(l, "▸") {
			return l
		}
	}
	return ""
}

// detailLine is how f's first line reads, highlighted, in the detail pane.
func detailLine(f analysis.Finding) string {
	return fmt.Sprintf("%d │ %s", f.LineStart, firstRunes(onScreen(f.Text[0]), 30))
}

// summaryHead is f's first line in the text summary, for job.
func summaryHead(f analysis.Finding, job string) string {
	where := fmt.Sprintf("%s:%d", job, f.LineStart)
	if f.LineEnd > f.LineStart {
		where += fmt.Sprintf("-%d", f.LineEnd)
	}
	return fmt.Sprintf("#%d  %.2f  %s  %s", f.Rank, f.Confidence, f.Category, where)
}

// topText is the copy key's clipboard for f.
func topText(f analysis.Finding) string {
	lines := make([]string, len(f.Text))
	for i, l := range f.Text {
		lines[i] = onScreen(l)
	}
	return strings.Join(lines, "\n")
}

func pluralOf(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
