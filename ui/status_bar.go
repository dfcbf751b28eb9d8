package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/destill-dev/destill/render"
)

// statusBar draws the analysis's progress (jobs fetched, analyzed and
// total, a progress bar while logs are fetched, elapsed time), "done" with
// counts, or the error.
type statusBar struct{}

const progressBarWidth = 20

func (statusBar) draw(scr tcell.Screen, x, y, w int, st *State, th theme, now time.Time) {
	fill(scr, x, y, w, th.base)
	elapsed := elapsedText(st, now)
	right := 0
	if elapsed != "" {
		right = width(elapsed) + 1
		drawText(scr, x+w-right, y, right, elapsed, th.dim)
	}
	drawLine(scr, x, y, max(0, w-right-1), statusLine(st, th))
}

// statusLine says where the analysis is.
func statusLine(st *State, th theme) line {
	p := st.Progress()
	rep := st.Report()
	switch st.Phase() {
	case PhaseStarting:
		return append(line{{" reading the build…", th.base}}, waitingSpans(st, th)...)
	case PhaseFetching:
		l := line{{fmt.Sprintf(" jobs %d/%d fetched, %d analyzed ", p.JobsFetched, p.JobsTotal, p.JobsAnalyzed), th.base}}
		l = append(l, progressBar(p, th)...)
		l = append(l, span{" " + render.Size(p.Bytes), th.dim})
		l = append(l, waitingSpans(st, th)...)
		return append(l, jobErrorSpans(st, th)...)
	case PhaseFailed:
		return line{{" error: ", th.errorText}, {clean(oneLine(st.Err().Error())), th.errorText}}
	}
	n := len(rep.Findings)
	what := fmt.Sprintf("%d finding", n)
	if n != 1 {
		what += "s"
	}
	if n == 0 {
		what = "no failure found"
	}
	jobs := fmt.Sprintf("%d job analyzed", p.JobsAnalyzed)
	if p.JobsAnalyzed != 1 {
		jobs = fmt.Sprintf("%d jobs analyzed", p.JobsAnalyzed)
	}
	if p.JobsTotal != p.JobsAnalyzed {
		jobs = fmt.Sprintf("%d of %d jobs analyzed", p.JobsAnalyzed, p.JobsTotal)
	}
	l := line{{" done", th.done}, {fmt.Sprintf(" · %s · %s", what, jobs), th.base}}
	return append(l, jobErrorSpans(st, th)...)
}

// waitingSpans say what the analysis waits for, if anything.
func waitingSpans(st *State, th theme) []span {
	if w := st.Waiting(); w != "" {
		return []span{{" · " + w, th.warnText}}
	}
	return nil
}

// jobErrorSpans names the job logs that could not be read.
func jobErrorSpans(st *State, th theme) []span {
	errs := st.JobErrors()
	if len(errs) == 0 {
		return nil
	}
	msg := fmt.Sprintf(" · job %s: %s", errs[0].Name, oneLine(errs[0].Error))
	if len(errs) > 1 {
		msg = fmt.Sprintf(" · %d job logs not read; %s: %s", len(errs), errs[0].Name, oneLine(errs[0].Error))
	}
	return []span{{msg, th.warnText}}
}

func progressBar(p Progress, th theme) []span {
	full := 0
	if p.JobsTotal > 0 {
		full = progressBarWidth * p.JobsFetched / p.JobsTotal
	}
	return []span{
		{strings.Repeat("█", full), th.barFull},
		{strings.Repeat("░", progressBarWidth-full), th.barEmpty},
	}
}

// elapsedText is the time since the analysis started, frozen when it ends
// ("" when the start is unknown).
func elapsedText(st *State, now time.Time) string {
	start := st.Progress().Started
	if start.IsZero() {
		return ""
	}
	end := now
	if t := st.FinishedAt(); !t.IsZero() {
		end = t
	}
	d := max(0, end.Sub(start)).Round(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%d:%02d", m, s)
}

// oneLine keeps a message on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
