package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/rivo/uniseg"

	"github.com/destill-dev/destill/analysis"
)

// TextOptions tune Text.
type TextOptions struct {
	// Top caps the findings shown (0: all).
	Top int
	// Color adds ANSI colours by severity.
	Color bool
	// Width is the terminal's width: longer lines wrap, log lines with a
	// hanging indent under the line-number gutter (0: no wrapping).
	Width int
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

// Text writes the report for a person to read in a terminal or a pager:
// a header, then each finding with its lines in context. Every string of
// the report is sanitized first: names, reasons and notes come from API
// answers and saved files as much as log lines do. A line cut at the
// analyzer's cap ends with CutMarker (the analyzer puts it there).
func Text(w io.Writer, rep analysis.Report, opts TextOptions) error {
	rep = SanitizeReport(rep, Sanitize)
	p := &printer{w: w, opts: opts}
	p.header(rep)
	shown := Top(rep, opts.Top).Findings
	for i := range shown {
		p.finding(&shown[i], rep)
	}
	if len(shown) < len(rep.Findings) {
		p.line(p.dim(fmt.Sprintf("… %d more finding(s); --top %d shows them, --format json lists all", len(rep.Findings)-len(shown), len(rep.Findings))))
	}
	for _, n := range rep.Notes {
		for i, row := range p.wrap(n, len("note: ")) {
			if i == 0 {
				p.line(p.color(ansiYellow, "note: ") + row)
			} else {
				p.line("      " + row)
			}
		}
	}
	return p.err
}

type printer struct {
	w    io.Writer
	opts TextOptions
	err  error
}

func (p *printer) line(s string) {
	if p.err != nil {
		return
	}
	_, p.err = io.WriteString(p.w, s+"\n")
}

func (p *printer) color(code, s string) string {
	if !p.opts.Color {
		return s
	}
	return code + s + ansiReset
}

func (p *printer) dim(s string) string { return p.color(ansiDim, s) }

// wrap splits prose that follows indent cells into rows that fit the
// width, breaking between words.
func (p *printer) wrap(s string, indent int) []string {
	if p.opts.Width <= 0 {
		return []string{s}
	}
	return Wrap(s, max(p.opts.Width-indent, minWrap), true)
}

// dimmed prints prose after prefix, wrapped under its first character.
func (p *printer) dimmed(prefix, s string) {
	pad := strings.Repeat(" ", len(prefix))
	for i, row := range p.wrap(s, len(prefix)) {
		if i == 0 {
			p.line(p.dim(prefix + row))
		} else {
			p.line(p.dim(pad + row))
		}
	}
}

// twoTone prints first in colour code and rest dimmed on one line, or,
// when they do not fit the width, wrapped between words with rows after
// the first indented: the first row in code, the rest dimmed.
func (p *printer) twoTone(code, first, rest string, indent int) {
	if p.opts.Width <= 0 || uniseg.StringWidth(first+rest) <= p.opts.Width {
		p.line(p.color(code, first) + p.dim(rest))
		return
	}
	pad := strings.Repeat(" ", indent)
	rows := Wrap(first+rest, max(p.opts.Width, minWrap), true)
	p.line(p.color(code, rows[0]))
	for _, row := range rows[1:] {
		for _, r := range Wrap(row, max(p.opts.Width-indent, minWrap), true) {
			p.line(p.dim(pad + r))
		}
	}
}

// minWrap is the narrowest a wrapped column gets, however narrow the
// terminal: below it, rows are left to the terminal.
const minWrap = 20

// SourceName is how a report's input is named in one line.
func SourceName(rep analysis.Report) string {
	switch {
	case rep.Source.URL != "":
		return rep.Source.URL
	case rep.Source.Path != "":
		return rep.Source.Path
	case rep.Source.Kind == "stdin":
		return "standard input"
	}
	return rep.Source.Kind
}

func (p *printer) header(rep analysis.Report) {
	lines := 0
	for _, j := range rep.Jobs {
		lines += j.LogLines
	}
	what := fmt.Sprintf("%d finding(s)", len(rep.Findings))
	if len(rep.Findings) == 0 {
		what = "no failure found"
	}
	jobs := fmt.Sprintf("%d job(s) analyzed", rep.Summary.JobsAnalyzed)
	if rep.Summary.JobsTotal > 1 || rep.Source.Build != nil {
		jobs = fmt.Sprintf("%d of %d job(s) analyzed, %d failed", rep.Summary.JobsAnalyzed, rep.Summary.JobsTotal, rep.Summary.JobsFailed)
	}
	p.twoTone(ansiBold, "destill: "+SourceName(rep), fmt.Sprintf(" — %s (%s, %d lines)", what, jobs, lines), 2)
	if b := rep.Baseline; b != nil {
		p.dimmed("baseline: ", BaselineText(b))
		for _, l := range JobBaselines(rep, maxBaselineLines) {
			p.dimmed("  ", l)
		}
	}
}

func severityColor(s analysis.Severity) string {
	switch s {
	case analysis.SeverityError:
		return ansiRed
	case analysis.SeverityWarning:
		return ansiYellow
	}
	return ansiCyan
}

func (p *printer) finding(f *analysis.Finding, rep analysis.Report) {
	p.line("")
	where := fmt.Sprintf("%s:%d", f.JobName, f.LineStart)
	if f.LineEnd > f.LineStart {
		where += fmt.Sprintf("-%d", f.LineEnd)
	}
	fromReport := f.LineStart == 0 && f.Test != nil // a failed test from a test report, not a log line
	if fromReport {
		where = f.JobName + " (test report)"
	}
	head := fmt.Sprintf("#%d  %.2f  %s  %s", f.Rank, f.Confidence, f.Category, where)
	p.twoTone(ansiBold+severityColor(f.Severity), head, "  "+strings.Join(f.Reasons, ", "), 4)
	if f.Step != "" {
		p.dimmed("    step: ", f.Step)
	}
	if f.Test != nil {
		p.dimmed("    test: ", f.Test.Name+" ("+f.Test.Report+")")
	}
	if fromReport {
		for _, row := range p.wrap(f.Message, 4) {
			p.line(p.color(ansiBold, "    "+row))
		}
	}
	width := len(fmt.Sprint(f.LineEnd + len(f.ContextAfter)))
	// A log line longer than the terminal wraps under the gutter, its
	// rows after the first with a blank gutter: the text is shown exactly.
	gutter := 2 + 1 + 1 + width + 3 // "  > 123 │ "
	num := func(n int, mark string, text string, hot bool) {
		rows := []string{text}
		if p.opts.Width > 0 {
			rows = Wrap(text, max(p.opts.Width-gutter, minWrap), false)
		}
		for i, row := range rows {
			s := fmt.Sprintf("  %s %*d │ %s", mark, width, n, row)
			if fromReport || i > 0 {
				s = fmt.Sprintf("  %s %*s │ %s", " ", width, "", row)
				if i == 0 {
					s = fmt.Sprintf("  %s %*s │ %s", mark, width, "", row)
				}
			}
			if hot {
				p.line(p.color(ansiBold, s))
			} else {
				p.line(p.dim(s))
			}
		}
	}
	for i, t := range f.ContextBefore {
		num(f.LineStart-len(f.ContextBefore)+i, " ", t, false)
	}
	for i, t := range f.Text {
		num(f.LineStart+i, ">", t, true)
	}
	for i, t := range f.ContextAfter {
		num(f.LineStart+len(f.Text)+i, " ", t, false)
	}
	if f.Occurrences > 1 {
		more := fmt.Sprintf("    %d occurrences", f.Occurrences)
		if len(f.Jobs) > 1 {
			more += fmt.Sprintf(" in %d jobs", len(f.Jobs))
		} else if len(f.Lines) > 1 {
			more += ", also at line " + LineList(f.Lines[1:], 8)
		}
		p.line(p.dim(more))
	}
	if f.URL != "" {
		p.line(p.dim("    " + f.URL))
	}
}
