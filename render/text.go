package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/destill-dev/destill/analysis"
)

// TextOptions tune Text.
type TextOptions struct {
	// Top caps the findings shown (0: all).
	Top int
	// Color adds ANSI colours by severity.
	Color bool
	// Width caps line length (0: no cap).
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
// answers and saved files as much as log lines do.
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
		p.line(p.color(ansiYellow, "note: ") + n)
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

func (p *printer) fit(s string) string {
	if p.opts.Width > 0 {
		return Truncate(s, p.opts.Width)
	}
	return s
}

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
	p.line(p.color(ansiBold, "destill: "+SourceName(rep)) + p.dim(fmt.Sprintf(" — %s (%s, %d lines)", what, jobs, lines)))
	if b := rep.Baseline; b != nil {
		p.line(p.dim("baseline: " + BaselineText(b)))
		for _, l := range JobBaselines(rep, maxBaselineLines) {
			p.line(p.dim("  " + p.fit(l)))
		}
	}
	if w := rep.History; w != nil {
		line := "history: " + HistoryWindowText(w)
		if c := historyCounts(rep.Findings); c != "" {
			line += " — " + c
		}
		p.line(p.dim(p.fit(line)))
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
	p.line(p.color(ansiBold+severityColor(f.Severity), head) + p.dim("  "+strings.Join(f.Reasons, ", ")))
	if f.Step != "" {
		p.line(p.dim("    step: " + p.fit(f.Step)))
	}
	if f.Test != nil {
		p.line(p.dim("    test: " + p.fit(f.Test.Name+" ("+f.Test.Report+")")))
	}
	for i, l := range HistoryLines(f.History) {
		if i == 0 {
			p.line(p.color(historyColor(f.History.Verdict), "    history: "+p.fit(l)))
		} else {
			p.line(p.dim("             " + p.fit(l)))
		}
	}
	if fromReport {
		p.line(p.color(ansiBold, "    "+p.fit(f.Message)))
	}
	width := len(fmt.Sprint(f.LineEnd + len(f.ContextAfter)))
	num := func(n int, mark string, text string, hot bool) {
		s := fmt.Sprintf("  %s %*d │ %s", mark, width, n, p.fit(text))
		if fromReport {
			s = fmt.Sprintf("  %s %*s │ %s", mark, width, "", p.fit(text))
		}
		if hot {
			p.line(p.color(ansiBold, s))
		} else {
			p.line(p.dim(s))
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
