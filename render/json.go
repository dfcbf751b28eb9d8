package render

import (
	"bytes"
	"fmt"
	"io"

	"github.com/destill-dev/destill/analysis"
)

// JSON writes the report as the destill.findings/v1 document, indented.
// top > 0 keeps only the first top findings.
func JSON(w io.Writer, rep analysis.Report, top int) error {
	rep = Top(rep, top)
	findings := rep.Findings
	if rep.Jobs == nil {
		rep.Jobs = []analysis.JobSummary{}
	}
	// The report without its findings, compact, then indented (see
	// indentJSON) in pieces: the findings one at a time between its
	// "findings": [ and ]. A large build's report is tens of megabytes,
	// and encoding and indenting it whole held it twice at the end of the
	// run, when the run's memory peaked.
	rep.Findings = []analysis.Finding{}
	head, err := appendReportJSON(nil, &rep)
	if err != nil {
		return err
	}
	head = append(head, '\n')
	at := topLevelKey(head, "findings")
	if at < 0 || !bytes.HasPrefix(head[at:], []byte("[]")) {
		return fmt.Errorf("the report's JSON has no findings list")
	}
	at++ // past the [
	// out is written whenever it holds jsonWriteBytes, so that w sees few
	// writes; it is made once, since growing it by doubling left pages of
	// garbage that a one-log process paid a fault each for.
	var in indenter
	out := in.indent(make([]byte, 0, 2*jsonWriteBytes), head[:at])
	var compact []byte
	for i := range findings {
		if i > 0 {
			out = in.indent(out, []byte{','})
		}
		if compact, err = appendFindingJSON(compact[:0], &findings[i]); err != nil {
			return err
		}
		out = in.indent(out, compact)
		if len(out) >= jsonWriteBytes {
			if _, err := w.Write(out); err != nil {
				return err
			}
			out = out[:0]
		}
	}
	out = in.indent(out, head[at:])
	_, err = w.Write(out)
	return err
}

// jsonWriteBytes is how much indented JSON is written at once.
const jsonWriteBytes = 32 << 10

// Top returns rep with at most n findings (n <= 0: all).
func Top(rep analysis.Report, n int) analysis.Report {
	if n > 0 && len(rep.Findings) > n {
		rep.Findings = rep.Findings[:n]
	}
	return rep
}
