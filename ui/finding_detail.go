package ui

import (
	"fmt"
	"strings"

	"github.com/gdamore/tcell/v2"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/render"
)

// findingDetail draws the selected finding: where it is, why it ranks
// where it does, its lines highlighted inside their context, every
// occurrence and job, and the job's web URL. It scrolls.
type findingDetail struct {
	key    string // fingerprint the offset belongs to
	offset int    // first content row on screen
	rows   int    // content rows that fit, as of the last draw (the page size)
	total  int    // content rows, as of the last draw
}

// para is one logical line of the detail pane; rows after the first of a
// wrapped para start indent cells in.
type para struct {
	l      line
	indent int
	words  bool // wrap at spaces where there are some
}

// scroll moves the view by n rows (negative: up), within the content.
func (d *findingDetail) scroll(n int) {
	d.offset = max(0, min(d.offset+n, d.total-d.rows))
}

// scrollTo moves to the top (or the bottom, when end is set).
func (d *findingDetail) scrollTo(end bool) {
	d.offset = 0
	if end {
		d.offset = max(0, d.total-d.rows)
	}
}

// draw draws the pane in (x, y, w, h): a title row, then the content.
func (d *findingDetail) draw(scr tcell.Screen, x, y, w, h int, st *State, th theme) {
	if w <= 0 || h <= 0 {
		return
	}
	f := st.Selected()
	title := th.bar
	if st.Focus() == PaneDetail {
		title = th.barFocus
	}
	fill(scr, x, y, w, title)
	if f == nil {
		drawLine(scr, x, y, w, line{{" detail", title}})
		d.key, d.offset, d.total, d.rows = "", 0, 0, h-1
		return
	}
	head := fmt.Sprintf(" #%d · %s · %s", f.Rank, f.Category, where(f))
	drawLine(scr, x, y, w, line{{head, title}})

	if f.Fingerprint != d.key {
		d.key, d.offset = f.Fingerprint, 0
	}
	var rows []line
	for _, p := range detailParas(f, st, th) {
		rows = append(rows, wrap(highlight(p.l, st.Search(), th.match), w-1, p.indent, p.words)...)
	}
	d.rows, d.total = h-1, len(rows)
	d.offset = max(0, min(d.offset, d.total-d.rows))
	for r := 0; r < d.rows && d.offset+r < len(rows); r++ {
		drawLine(scr, x+1, y+1+r, w-1, rows[d.offset+r])
	}
	if d.offset+d.rows < d.total && d.rows > 0 { // say there is more below
		more := fmt.Sprintf(" ↓ %d more ", d.total-d.offset-d.rows)
		drawText(scr, x+w-width(more), y+h-1, width(more), more, th.bar)
	}
}

// where names a finding's place: job and lines.
func where(f *analysis.Finding) string {
	s := fmt.Sprintf("%s:%d", f.JobName, f.LineStart)
	if f.LineEnd > f.LineStart {
		s += fmt.Sprintf("-%d", f.LineEnd)
	}
	return s
}

const labelWidth = 7

// detailParas builds the pane's content for f.
func detailParas(f *analysis.Finding, st *State, th theme) []para {
	field := func(label string, value string, st tcell.Style) para {
		return para{line{{padRight(label, labelWidth), th.dim}, {value, st}}, labelWidth, true}
	}
	var ps []para
	ps = append(ps, para{line{
		{fmt.Sprintf("#%d", f.Rank), th.bold},
		{fmt.Sprintf("  confidence %.2f  ", f.Confidence), th.base},
		{severityLabel(f.Severity), th.forSeverity(f.Severity)},
		{"  " + f.Category, th.base},
	}, 0, true})
	ps = append(ps, field("job", f.JobName, th.base))
	if f.Step != "" {
		ps = append(ps, field("step", f.Step, th.base))
	}
	if len(f.Reasons) > 0 {
		ps = append(ps, field("why", strings.Join(f.Reasons, ", "), th.base))
	}
	if f.Test != nil {
		name := f.Test.Name
		if f.Test.Classname != "" {
			name = f.Test.Classname + "." + name
		}
		ps = append(ps, field("test", name, th.base))
	}
	if u := st.JobURL(f); u != "" {
		ps = append(ps, field("url", u, th.base))
	}
	ps = append(ps, para{})

	// The finding's lines inside their context, with line numbers.
	last := f.LineStart + len(f.Text) + len(f.ContextAfter) - 1
	numWidth := len(fmt.Sprint(max(last, f.LineEnd)))
	gutter := 2 + numWidth + 3 // "> " + number + " │ "
	logLine := func(n int, text string, hot bool) para {
		mark, style, num := "  ", th.base, th.dim
		if hot {
			mark, style, num = "> ", th.hot, th.hot
		}
		return para{line{
			{mark + padLeft(fmt.Sprint(n), numWidth), num},
			{" │ ", th.dim},
			{text, style},
		}, gutter, true}
	}
	for i, t := range f.ContextBefore {
		ps = append(ps, logLine(f.LineStart-len(f.ContextBefore)+i, t, false))
	}
	for i, t := range f.Text {
		ps = append(ps, logLine(f.LineStart+i, t, true))
	}
	for i, t := range f.ContextAfter {
		ps = append(ps, logLine(f.LineStart+len(f.Text)+i, t, false))
	}
	ps = append(ps, para{})

	// Where else it occurred.
	occ := fmt.Sprintf("%d occurrence", f.Occurrences)
	if f.Occurrences != 1 {
		occ += "s"
	}
	if len(f.Jobs) > 1 {
		occ += fmt.Sprintf(" in %d jobs", len(f.Jobs))
	} else if len(f.Lines) == 1 {
		occ += ", line " + render.LineList(f.Lines, 12)
	} else if len(f.Lines) > 1 {
		occ += ", lines " + render.LineList(f.Lines, 12)
	}
	ps = append(ps, para{line{{padRight("seen", labelWidth), th.dim}, {occ, th.base}}, labelWidth, true})
	for _, j := range f.Jobs {
		outcome, style := "passed", th.dim
		if j.Failed {
			outcome, style = "failed", th.warnText
		}
		text := fmt.Sprintf(" ×%d", j.Occurrences)
		if len(j.Lines) > 0 {
			text += ", line " + render.LineList(j.Lines, 8)
		}
		ps = append(ps, para{line{
			{strings.Repeat(" ", labelWidth) + j.JobName + " ", th.base},
			{"(" + outcome + ")", style},
			{text, th.dim},
		}, labelWidth + 2, true})
	}
	if f.AlsoInPassingJobs {
		ps = append(ps, para{line{{strings.Repeat(" ", labelWidth) + "also printed by a job that passed: likely noise", th.warnText}}, labelWidth, true})
	}
	return ps
}
