package ui

import (
	"fmt"

	"github.com/gdamore/tcell/v2"

	"github.com/destill-dev/destill/analysis"
)

// findingsList draws the findings as rows: rank, confidence, severity, job,
// occurrences and message. It scrolls to keep the selected row in view.
type findingsList struct {
	offset int // first finding row on screen
	rows   int // finding rows that fit, as of the last draw (the page size)
}

// severityLabel is the short form of a severity that the list shows.
func severityLabel(s analysis.Severity) string {
	switch s {
	case analysis.SeverityError:
		return "error"
	case analysis.SeverityWarning:
		return "warn"
	case analysis.SeverityInfo:
		return "info"
	}
	return string(s)
}

// listColumns are the widths of the list's columns for a width w.
type listColumns struct {
	rank, job, occ, message int
}

const (
	confWidth = 4 // "0.95"
	sevWidth  = 5 // "error"
)

func columnsFor(w int, st *State) listColumns {
	c := listColumns{rank: 3, occ: 3} // "occ"
	for i := 0; i < st.VisibleCount(); i++ {
		f := st.VisibleAt(i)
		c.rank = max(c.rank, len(fmt.Sprint(f.Rank)))
		c.job = max(c.job, width(f.JobName))
		c.occ = max(c.occ, width(occText(f))) // never cut: ×24 is not ×2…
	}
	// What is left after the fixed columns and their separators goes to
	// the job name (at most a quarter) and the message.
	fixed := 1 + c.rank + 1 + confWidth + 1 + sevWidth + 1 + c.occ + 1
	rest := w - fixed
	c.job = min(c.job, max(8, rest/4))
	if rest-c.job-1 < 12 { // too narrow for the job column: drop it
		c.job = 0
	}
	c.message = rest
	if c.job > 0 {
		c.message -= c.job + 1
	}
	return c
}

// draw draws the list in the rectangle (x, y, w, h): a header row, then
// one row per finding.
func (l *findingsList) draw(scr tcell.Screen, x, y, w, h int, st *State, th theme) {
	if w <= 0 || h <= 0 {
		return
	}
	cols := columnsFor(w, st)
	head := th.bar
	if st.Focus() == PaneList {
		head = th.barFocus
	}
	fill(scr, x, y, w, head)
	drawLine(scr, x, y, w, line{{l.headerText(cols), head}})

	l.rows = h - 1
	n := st.VisibleCount()
	if n == 0 {
		if l.rows > 0 {
			drawLine(scr, x+1, y+1, w-1, line{{emptyListText(st), th.dim}})
		}
		l.offset = 0
		return
	}
	cur := st.Cursor()
	if cur < l.offset {
		l.offset = cur
	}
	if l.rows > 0 && cur >= l.offset+l.rows {
		l.offset = cur - l.rows + 1
	}
	l.offset = max(0, min(l.offset, n-l.rows))
	for r := 0; r < l.rows && l.offset+r < n; r++ {
		i := l.offset + r
		f := st.VisibleAt(i)
		row := l.rowLine(f, cols, th, i == cur)
		if i == cur {
			sel := th.selected
			if st.Focus() != PaneList {
				sel = th.selectedBg
			}
			fill(scr, x, y+1+r, w, sel)
			for k := range row {
				row[k].style = sel
			}
		}
		drawLine(scr, x, y+1+r, w, markSearch(row, cols, st.Search(), th))
	}
}

func (l *findingsList) headerText(c listColumns) string {
	s := " " + padLeft("#", c.rank) + " " + padRight("conf", confWidth) + " " + padRight("sev", sevWidth) + " "
	if c.job > 0 {
		s += padRight("job", c.job) + " "
	}
	return s + padLeft("occ", c.occ) + " message"
}

func (l *findingsList) rowLine(f *analysis.Finding, c listColumns, th theme, selected bool) line {
	sev := th.forSeverity(f.Severity)
	mark := " "
	if selected {
		mark = "▸" // visible without colour and in screen dumps
	}
	row := line{
		{mark + padLeft(fmt.Sprint(f.Rank), c.rank) + " ", th.base},
		{fmt.Sprintf("%.2f", f.Confidence), th.base},
		{" ", th.base},
		{padRight(severityLabel(f.Severity), sevWidth), sev},
		{" ", th.base},
	}
	if c.job > 0 {
		row = append(row, span{padRight(truncateMiddle(f.JobName, c.job), c.job) + " ", th.dim})
	}
	row = append(row,
		span{padLeft(occText(f), c.occ) + " ", th.dim},
		span{truncate(f.Message, max(0, c.message)), th.base},
	)
	return row
}

// markSearch highlights what the search matches in a row's job and message
// columns (the last spans of rowLine's row; the others are numbers).
func markSearch(row line, c listColumns, needle string, th theme) line {
	if needle == "" {
		return row
	}
	n := len(row)
	out := append(line(nil), row[:n-1]...)
	if c.job > 0 {
		out = append(append(row[:n-3:n-3], highlight(row[n-3:n-2], needle, th.match)...), row[n-2])
	}
	return append(out, highlight(row[n-1:], needle, th.match)...)
}

// occText is the occurrences column of f: "×24", or "" for one.
func occText(f *analysis.Finding) string {
	if f.Occurrences > 1 {
		return fmt.Sprintf("×%d", f.Occurrences)
	}
	return ""
}

// emptyListText says why the list is empty.
func emptyListText(st *State) string {
	if len(st.Report().Findings) > 0 {
		what := "no finding matches"
		if st.Search() != "" {
			what += fmt.Sprintf(" %q", clean(st.Search()))
		}
		if st.Filter() != FilterAll {
			what += " with filter " + st.Filter().String()
		}
		return what + " — / changes the search, f the filter"
	}
	switch st.Phase() {
	case PhaseStarting:
		return "reading the build…"
	case PhaseFetching:
		return "no finding yet: waiting for job logs…"
	case PhaseFailed:
		return "no findings: the analysis failed (see below)"
	}
	return "no failure found in the logs analyzed"
}
