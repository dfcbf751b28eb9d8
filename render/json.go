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
	if out, err = writeFindingsJSON(w, out, &in, findings); err != nil {
		return err
	}
	out = in.indent(out, head[at:])
	_, err = w.Write(out)
	return err
}

// jsonWriteBytes is how much indented JSON is written at once.
const jsonWriteBytes = 32 << 10

// jsonBatch is how many findings a goroutine renders at a time. A report
// of more than two batches is rendered on two goroutines: the 2,400
// findings of the 111 MB corpus file took 8.5 ms on one, while the other
// core had nothing to do at the end of the run.
const jsonBatch = 64

// writeFindingsJSON appends the findings, indented by in, to out, and
// writes out to w whenever it holds jsonWriteBytes. It returns what is
// left to write.
func writeFindingsJSON(w io.Writer, out []byte, in *indenter, findings []analysis.Finding) ([]byte, error) {
	if len(findings) == 0 {
		return out, nil
	}
	// The first finding leaves in where every other one starts and ends:
	// in the list, after an element.
	var compact []byte
	out, err := appendFindingsJSON(out, in, findings[:1], false, &compact)
	if err != nil {
		return nil, err
	}
	steady, rest := *in, findings[1:]
	batches := (len(rest) + jsonBatch - 1) / jsonBatch
	batch := func(k int) []analysis.Finding { return rest[k*jsonBatch : min(len(rest), (k+1)*jsonBatch)] }
	// The odd batches are rendered by a helper, one ahead of the writer.
	type rendered struct {
		b   []byte
		err error
	}
	done := make(chan rendered, 1)
	free := make(chan []byte, 2)
	stop := make(chan struct{})
	if batches > 1 {
		go func() {
			defer close(done)
			var compact []byte
			for k := 1; k < batches; k += 2 {
				var b []byte
				select {
				case b = <-free:
				default:
				}
				st := steady
				b, err := appendFindingsJSON(b[:0], &st, batch(k), true, &compact)
				select {
				case done <- rendered{b, err}:
				case <-stop:
					return
				}
				if err != nil {
					return
				}
			}
		}()
		defer func() {
			close(stop)
			for range done { // the helper has ended when JSON returns
			}
		}()
	}
	for k := range batches {
		if k%2 == 1 {
			r := <-done
			if r.err != nil {
				return nil, r.err
			}
			if _, err := w.Write(out); err != nil {
				return nil, err
			}
			if _, err := w.Write(r.b); err != nil {
				return nil, err
			}
			out = out[:0]
			select {
			case free <- r.b:
			default:
			}
			continue
		}
		for i := range batch(k) {
			st := steady
			if out, err = appendFindingsJSON(out, &st, batch(k)[i:i+1], true, &compact); err != nil {
				return nil, err
			}
			if len(out) >= jsonWriteBytes {
				if _, err := w.Write(out); err != nil {
					return nil, err
				}
				out = out[:0]
			}
		}
	}
	*in = steady
	return out, nil
}

// appendFindingsJSON appends findings, indented by in, to out, each after
// a comma when comma is set (all but the list's first). compact is scratch.
func appendFindingsJSON(out []byte, in *indenter, findings []analysis.Finding, comma bool, compact *[]byte) ([]byte, error) {
	for i := range findings {
		if comma || i > 0 {
			out = in.indent(out, []byte{','})
		}
		var err error
		if *compact, err = appendFindingJSON((*compact)[:0], &findings[i]); err != nil {
			return nil, err
		}
		out = in.indent(out, *compact)
	}
	return out, nil
}

// Top returns rep with at most n findings (n <= 0: all).
func Top(rep analysis.Report, n int) analysis.Report {
	if n > 0 && len(rep.Findings) > n {
		rep.Findings = rep.Findings[:n]
	}
	return rep
}
