package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/render/rendertest"
)

func historyReport() analysis.Report {
	rep := bigReport(2)
	rep.Findings[0].History = &analysis.History{Verdict: analysis.VerdictNew, Evidence: "not seen in the last 10 builds of main", Builds: 10}
	rep.Findings[1].History = &analysis.History{Verdict: analysis.VerdictRecurring, Evidence: "failing main since #12: 8 of the last 10 builds",
		Builds: 10, FailedBuilds: 8, FirstSeen: &analysis.HistoryBuild{Number: 12, URL: "https://ci/12", Time: "2026-03-01T20:00:00Z"},
		LastSeen: &analysis.HistoryBuild{Number: 19}}
	rep.History = &analysis.HistoryWindow{Source: "api", Branch: "main", Builds: 10,
		Oldest: &analysis.HistoryBuild{Number: 10}, Newest: &analysis.HistoryBuild{Number: 19}}
	return rep
}

// TestHistoryInTextAndMarkdown: the window under the header, each
// finding's verdict with its evidence and where it was seen.
func TestHistoryInTextAndMarkdown(t *testing.T) {
	rep := historyReport()
	var text bytes.Buffer
	if err := Text(&text, rep, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"history: 10 build(s) of main (#10–#19), from the provider's API — 1 new, 1 recurring",
		"    history: new: not seen in the last 10 builds of main",
		"    history: recurring: failing main since #12: 8 of the last 10 builds",
		"             in failed jobs of 8 and passing jobs of 0 of 10 builds; first seen #12 (2026-03-01 20:00:00 UTC), last seen #19",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
	var md bytes.Buffer
	if err := Markdown(&md, rep, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| # | Confidence | Category | History | Job | Lines | Message |",
		"| 1 | 0.90 | error | **new** |",
		"History: recurring: failing main since #12: 8 of the last 10 builds; in failed jobs of 8",
		"> **History:** 10 build(s) of main (#10–#19), from the provider's API",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
	// Without history, the table is as it was.
	md.Reset()
	if err := Markdown(&md, bigReport(1), MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(md.String(), "History") {
		t.Errorf("a report without history has a History column:\n%s", md.String())
	}
}

// TestHistoryReportHostile: a history report made of hostile strings
// reaches no terminal escape in text or Markdown.
func TestHistoryReportHostile(t *testing.T) {
	h := rendertest.HostileReport()
	f := h.Findings[0]
	rep := analysis.HistoryReport{Schema: analysis.HistorySchema, URL: f.Message, Window: *h.History, Notes: h.Notes,
		Failures: []analysis.RecurringFailure{{Fingerprint: f.Fingerprint, Category: f.Category, Message: f.Message, History: *f.History}}}
	var text, md bytes.Buffer
	if err := HistoryText(&text, rep, 0, false); err != nil {
		t.Fatal(err)
	}
	if err := HistoryMarkdown(&md, rep, 0); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"text": text.String(), "markdown": md.String()} {
		if bad := rendertest.FindForbidden(out); len(bad) > 0 {
			t.Errorf("%s shows %q", name, bad)
		}
	}
}
