package render

import (
	"fmt"
	"strings"

	"github.com/destill-dev/destill/analysis"
)

// HistoryLines says a finding's history in one or two lines: its verdict
// with the evidence, then the counts and where it was first and last seen.
func HistoryLines(h *analysis.History) []string {
	if h == nil || h.Verdict == "" {
		return nil
	}
	out := []string{h.Verdict + ": " + h.Evidence}
	if h.FirstSeen == nil {
		return out
	}
	seen := fmt.Sprintf("in failed jobs of %d and passing jobs of %d of %d builds; first seen %s", h.FailedBuilds, h.PassingBuilds, h.Builds, historyBuildText(*h.FirstSeen))
	if h.LastSeen != nil && h.LastSeen.Number != h.FirstSeen.Number {
		seen += ", last seen " + historyBuildText(*h.LastSeen)
	}
	return append(out, seen)
}

// historyBuildText names a build: "#12 (2026-03-01 20:00 UTC)".
func historyBuildText(b analysis.HistoryBuild) string {
	s := fmt.Sprintf("#%d", b.Number)
	if b.Time != "" {
		s += " (" + strings.Replace(strings.TrimSuffix(b.Time, "Z"), "T", " ", 1)
		if strings.HasSuffix(b.Time, "Z") {
			s += " UTC"
		}
		s += ")"
	}
	return s
}

// HistoryWindowText says which builds a report's histories come from, in
// one line.
func HistoryWindowText(w *analysis.HistoryWindow) string {
	if w == nil {
		return ""
	}
	what := fmt.Sprintf("%d build(s)", w.Builds)
	if w.Branch != "" {
		what += " of " + w.Branch
	}
	if w.Oldest != nil && w.Newest != nil {
		what += fmt.Sprintf(" (#%d–#%d)", w.Oldest.Number, w.Newest.Number)
	}
	from := "the provider's API"
	if w.Source == "database" {
		from = "the database"
	}
	s := what + ", from " + from
	if w.Note != "" {
		s += "; " + w.Note
	}
	return s
}

// historyCounts tallies the verdicts of findings ("2 new, 1 recurring").
func historyCounts(findings []analysis.Finding) string {
	counts := map[string]int{}
	for _, f := range findings {
		if f.History != nil {
			counts[f.History.Verdict]++
		}
	}
	var parts []string
	for _, v := range []string{analysis.VerdictNew, analysis.VerdictRecurring, analysis.VerdictFlaky, analysis.VerdictNoise} {
		if counts[v] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[v], v))
		}
	}
	return strings.Join(parts, ", ")
}

// historyColor colours a verdict in text: what is new stands out, what
// is known to be flaky or noise is dimmed.
func historyColor(verdict string) string {
	switch verdict {
	case analysis.VerdictNew:
		return ansiBold
	case analysis.VerdictFlaky, analysis.VerdictNoise:
		return ansiDim
	}
	return ansiYellow
}

// withHistory reports whether any of findings has a history.
func withHistory(findings []analysis.Finding) bool {
	for _, f := range findings {
		if f.History != nil {
			return true
		}
	}
	return false
}

// historyCell is a finding's verdict in a Markdown table ("" without one).
func historyCell(h *analysis.History) string {
	if h == nil {
		return ""
	}
	if h.Verdict == analysis.VerdictNew {
		return "**new**"
	}
	return mdCell(h.Verdict)
}
