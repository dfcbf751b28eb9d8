package render

import (
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/destill-dev/destill/analysis"
)

// topFailures returns rep with at most n failures (n <= 0: all) and every
// string sanitized: messages come from logs, names from API answers.
func topFailures(rep analysis.HistoryReport, n int) analysis.HistoryReport {
	if n > 0 && len(rep.Failures) > n {
		rep.Failures = rep.Failures[:n]
	}
	if rep.Failures == nil {
		rep.Failures = []analysis.RecurringFailure{}
	}
	return rep
}

// HistoryJSON writes the destill.history/v1 document, indented; top > 0
// keeps only the first top failures.
func HistoryJSON(w io.Writer, rep analysis.HistoryReport, top int) error {
	rep = topFailures(rep, top)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(rep)
}

func sanitizeHistory(rep analysis.HistoryReport) analysis.HistoryReport {
	cleanValue(reflect.ValueOf(&rep).Elem(), Sanitize)
	return rep
}

// historyHead says what the report covers, in one line: all failures
// of it, however many are shown.
func historyHead(rep analysis.HistoryReport, all int) string {
	return fmt.Sprintf("%s — %d failure(s) in %s", rep.URL, all, HistoryWindowText(&rep.Window))
}

// HistoryText writes a history report for a terminal: the failures that
// recur most first, each with its verdict, counts, first and last seen and
// jobs. top > 0 keeps only the first top failures.
func HistoryText(w io.Writer, rep analysis.HistoryReport, top int, color bool) error {
	rep = sanitizeHistory(rep)
	all := len(rep.Failures)
	rep = topFailures(rep, top)
	p := &printer{w: w, opts: TextOptions{Color: color}}
	p.line(p.color(ansiBold, "destill history: ") + p.dim(historyHead(rep, all)))
	if all == 0 {
		p.line("no failure in these builds")
	}
	for i := range rep.Failures {
		f := &rep.Failures[i]
		h := f.History
		p.line("")
		head := fmt.Sprintf("%2d. failed %d of %d builds  %s  %s", i+1, h.FailedBuilds, h.Builds, f.Category, f.Message)
		p.line(p.color(ansiBold+historyColor(h.Verdict), head))
		for _, l := range HistoryLines(&h) {
			p.line(p.dim("    " + l))
		}
		p.line(p.dim(fmt.Sprintf("    jobs: %s · fingerprint %s", strings.Join(h.Jobs, ", "), f.Fingerprint)))
	}
	if len(rep.Failures) < all {
		p.line(p.dim(fmt.Sprintf("… %d more; --top %d shows them, --format json lists all", all-len(rep.Failures), all)))
	}
	for _, n := range rep.Notes {
		p.line(p.color(ansiYellow, "note: ") + n)
	}
	return p.err
}

// HistoryMarkdown writes a history report as a Markdown table, the failures
// that recur most first. top > 0 keeps only the first top failures.
func HistoryMarkdown(w io.Writer, rep analysis.HistoryReport, top int) error {
	all := len(rep.Failures)
	rep = topFailures(rep, top)
	var b strings.Builder
	fmt.Fprintf(&b, "## destill history: %s\n\n", mdText(Truncate(historyHead(rep, all), 400)))
	if all == 0 {
		b.WriteString("No failure in these builds.\n")
	} else {
		b.WriteString("| # | Failed builds | Verdict | Category | Message | First seen | Last seen | Jobs |\n|---:|---:|---|---|---|---|---|---|\n")
	}
	for i, f := range rep.Failures {
		h := f.History
		seen := func(hb *analysis.HistoryBuild) string {
			if hb == nil {
				return ""
			}
			if hb.URL != "" {
				return fmt.Sprintf("[#%d](%s)", hb.Number, mdURL(hb.URL))
			}
			return fmt.Sprintf("#%d", hb.Number)
		}
		fmt.Fprintf(&b, "| %d | %d of %d | %s | %s | %s | %s | %s | %s |\n", i+1, h.FailedBuilds, h.Builds, historyCell(&h),
			mdCell(Truncate(f.Category, 40)), mdCode(Truncate(f.Message, 120)), seen(h.FirstSeen), seen(h.LastSeen),
			mdCell(Truncate(strings.Join(h.Jobs, ", "), 120)))
	}
	if len(rep.Failures) < all {
		fmt.Fprintf(&b, "\n_%d more failure(s) not listed._\n", all-len(rep.Failures))
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(&b, "\n> **Note:** %s\n", mdText(Truncate(n, 300)))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
