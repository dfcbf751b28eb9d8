package render

import (
	"bytes"
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
	// Encoded compact, then indented into a buffer grown once (see
	// indentJSON): the Encoder's own indentation grows its buffer step by
	// step and scans every byte again.
	var compact bytes.Buffer
	enc := json.NewEncoder(&compact)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rep); err != nil {
		return err
	}
	out := indentJSON(make([]byte, 0, compact.Len()+compact.Len()/4), compact.Bytes())
	_, err := w.Write(out)
	return err
}

// Top returns rep with at most n findings (n <= 0: all).
func Top(rep analysis.Report, n int) analysis.Report {
	if n > 0 && len(rep.Findings) > n {
		rep.Findings = rep.Findings[:n]
	}
	return rep
}
