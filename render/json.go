package render

import (
	"encoding/json"
	"io"

	"github.com/destill-dev/destill/analysis"
)

// JSON writes the report as the destill.findings/v1 document, indented.
// top > 0 keeps only the first top findings.
func JSON(w io.Writer, rep analysis.Report, top int) error {
	rep = Top(rep, top)
	if rep.Findings == nil {
		rep.Findings = []analysis.Finding{}
	}
	if rep.Jobs == nil {
		rep.Jobs = []analysis.JobSummary{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(rep)
}

// Top returns rep with at most n findings (n <= 0: all).
func Top(rep analysis.Report, n int) analysis.Report {
	if n > 0 && len(rep.Findings) > n {
		rep.Findings = rep.Findings[:n]
	}
	return rep
}
