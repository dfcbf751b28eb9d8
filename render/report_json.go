package render

import (
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/destill-dev/destill/analysis"
)

// The report's compact JSON, written field by field: the bytes
// encoding/json writes for these types with HTML escaping off (the
// fields in their order, omitempty honoured, nil slices as null), which
// TestReportJSONMatchesEncodingJSON checks on a report with every field
// set. encoding/json derives its encoders by reflection on first use,
// which cost a one-log process a quarter of a millisecond, more than
// writing its whole report.

// jsonObject appends the fields of one JSON object to b.
type jsonObject struct {
	b    []byte
	more bool // a field was written: the next one needs a comma
}

// object starts an object on b.
func object(b []byte) jsonObject { return jsonObject{b: append(b, '{')} }

// end closes the object and returns the bytes.
func (o *jsonObject) end() []byte { return append(o.b, '}') }

func (o *jsonObject) key(k string) {
	if o.more {
		o.b = append(o.b, ',')
	}
	o.more = true
	o.b = append(o.b, '"')
	o.b = append(o.b, k...)
	o.b = append(o.b, '"', ':')
}

func (o *jsonObject) str(k, v string) {
	o.key(k)
	o.b = appendJSONString(o.b, v)
}

func (o *jsonObject) strOmit(k, v string) {
	if v != "" {
		o.str(k, v)
	}
}

func (o *jsonObject) int(k string, v int64) {
	o.key(k)
	o.b = strconv.AppendInt(o.b, v, 10)
}

func (o *jsonObject) intOmit(k string, v int64) {
	if v != 0 {
		o.int(k, v)
	}
}

func (o *jsonObject) bool(k string, v bool) {
	o.key(k)
	o.b = strconv.AppendBool(o.b, v)
}

func (o *jsonObject) boolOmit(k string, v bool) {
	if v {
		o.bool(k, v)
	}
}

func (o *jsonObject) strings(k string, v []string) {
	list(o, k, v, func(b []byte, s *string) []byte { return appendJSONString(b, *s) })
}

func (o *jsonObject) stringsOmit(k string, v []string) {
	if len(v) > 0 {
		o.strings(k, v)
	}
}

func (o *jsonObject) ints(k string, v []int) {
	list(o, k, v, func(b []byte, n *int) []byte { return strconv.AppendInt(b, int64(*n), 10) })
}

// list writes v under k as an array of what appendOne writes of each
// element; a nil v is null.
func list[T any](o *jsonObject, k string, v []T, appendOne func([]byte, *T) []byte) {
	o.key(k)
	if v == nil {
		o.b = append(o.b, "null"...)
		return
	}
	o.b = append(o.b, '[')
	for i := range v {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = appendOne(o.b, &v[i])
	}
	o.b = append(o.b, ']')
}

// appendReportJSON appends rep's compact JSON.
func appendReportJSON(b []byte, rep *analysis.Report) ([]byte, error) {
	o := object(b)
	o.str("schema", rep.Schema)
	o.key("tool")
	t := object(o.b)
	t.str("name", rep.Tool.Name)
	t.str("version", rep.Tool.Version)
	o.b = t.end()
	o.strOmit("generated_at", rep.GeneratedAt)
	o.strOmit("request_id", rep.RequestID)
	o.strOmit("status", rep.Status)
	o.key("source")
	o.b = appendOriginJSON(o.b, &rep.Source)
	if rep.Baseline != nil {
		o.key("baseline")
		o.b = appendBaselineJSON(o.b, rep.Baseline)
	}
	list(&o, "jobs", rep.Jobs, appendJobJSON)
	o.intOmit("fingerprint_version", int64(rep.FingerprintVersion))
	o.key("findings")
	if rep.Findings == nil {
		o.b = append(o.b, "null"...)
	} else {
		o.b = append(o.b, '[')
		for i := range rep.Findings {
			if i > 0 {
				o.b = append(o.b, ',')
			}
			var err error
			if o.b, err = appendFindingJSON(o.b, &rep.Findings[i]); err != nil {
				return nil, err
			}
		}
		o.b = append(o.b, ']')
	}
	o.key("summary")
	s := object(o.b)
	s.int("jobs_total", int64(rep.Summary.JobsTotal))
	s.int("jobs_failed", int64(rep.Summary.JobsFailed))
	s.int("jobs_analyzed", int64(rep.Summary.JobsAnalyzed))
	s.int("findings", int64(rep.Summary.Findings))
	o.b = s.end()
	o.stringsOmit("notes", rep.Notes)
	if w := rep.History; w != nil {
		o.key("history")
		h := object(o.b)
		h.str("source", w.Source)
		h.strOmit("pipeline", w.Pipeline)
		h.strOmit("branch", w.Branch)
		h.int("builds", int64(w.Builds))
		h.historyBuild("oldest", w.Oldest)
		h.historyBuild("newest", w.Newest)
		h.strOmit("note", w.Note)
		o.b = h.end()
	}
	return o.end(), nil
}

func appendOriginJSON(b []byte, s *analysis.Origin) []byte {
	o := object(b)
	o.str("kind", s.Kind)
	o.strOmit("path", s.Path)
	o.strOmit("url", s.URL)
	if bi := s.Build; bi != nil {
		o.key("build")
		p := object(o.b)
		p.str("id", bi.ID)
		p.intOmit("number", bi.Number)
		p.strOmit("pipeline", bi.Pipeline)
		p.str("state", bi.State)
		p.strOmit("branch", bi.Branch)
		p.strOmit("commit", bi.Commit)
		p.intOmit("attempt", int64(bi.Attempt))
		p.strOmit("url", bi.URL)
		o.b = p.end()
	}
	return o.end()
}

func appendBaselineJSON(b []byte, bl *analysis.BaselineInfo) []byte {
	o := object(b)
	o.str("kind", bl.Kind)
	o.strOmit("build", bl.Build)
	o.strOmit("url", bl.URL)
	o.stringsOmit("paths", bl.Paths)
	o.strOmit("note", bl.Note)
	return o.end()
}

func appendJobJSON(b []byte, j *analysis.JobSummary) []byte {
	o := object(b)
	o.str("id", j.ID)
	o.str("name", j.Name)
	o.strOmit("step", j.Step)
	o.str("state", j.State)
	o.key("exit_status")
	if j.ExitStatus == nil {
		o.b = append(o.b, "null"...)
	} else {
		o.b = strconv.AppendInt(o.b, int64(*j.ExitStatus), 10)
	}
	o.bool("failed", j.Failed)
	o.boolOmit("soft_failed", j.SoftFailed)
	o.boolOmit("retried", j.Retried)
	o.intOmit("attempt", int64(j.Attempt))
	o.strOmit("url", j.URL)
	o.strOmit("line_url", j.LineURL)
	o.strOmit("started_at", j.StartedAt)
	o.strOmit("finished_at", j.FinishedAt)
	o.bool("analyzed", j.Analyzed)
	o.int("log_lines", int64(j.LogLines))
	o.int("log_bytes", j.LogBytes)
	o.strOmit("error", j.Error)
	if j.Baseline != nil {
		o.key("baseline")
		o.b = appendBaselineJSON(o.b, j.Baseline)
	}
	return o.end()
}

// appendFindingJSON appends f's compact JSON; a confidence that is not a
// finite number is an error, as it is to encoding/json.
func appendFindingJSON(b []byte, f *analysis.Finding) ([]byte, error) {
	o := object(b)
	o.int("rank", int64(f.Rank))
	o.str("fingerprint", f.Fingerprint)
	o.key("confidence")
	var err error
	if o.b, err = appendJSONFloat(o.b, f.Confidence); err != nil {
		return nil, fmt.Errorf("finding %s: confidence: %w", f.Fingerprint, err)
	}
	o.str("severity", string(f.Severity))
	o.str("category", f.Category)
	o.strings("reasons", f.Reasons)
	o.str("job_id", f.JobID)
	o.str("job_name", f.JobName)
	o.strOmit("step", f.Step)
	o.strOmit("url", f.URL)
	o.int("line_start", int64(f.LineStart))
	o.int("line_end", int64(f.LineEnd))
	o.str("message", f.Message)
	o.strings("text", f.Text)
	o.strings("context_before", f.ContextBefore)
	o.strings("context_after", f.ContextAfter)
	o.int("occurrences", int64(f.Occurrences))
	o.ints("lines", f.Lines)
	if len(f.Jobs) > 0 {
		list(&o, "jobs", f.Jobs, appendFindingJobJSON)
	}
	o.boolOmit("also_in_passing_jobs", f.AlsoInPassingJobs)
	if t := f.Test; t != nil {
		o.key("test")
		p := object(o.b)
		p.str("name", t.Name)
		p.strOmit("classname", t.Classname)
		p.strOmit("file", t.File)
		p.strOmit("report", t.Report)
		o.b = p.end()
	}
	if h := f.History; h != nil {
		o.key("history")
		p := object(o.b)
		p.str("verdict", h.Verdict)
		p.str("evidence", h.Evidence)
		p.int("builds", int64(h.Builds))
		p.int("failed_builds", int64(h.FailedBuilds))
		p.int("passing_builds", int64(h.PassingBuilds))
		if len(h.Flaky) > 0 {
			list(&p, "flaky", h.Flaky, appendHistoryBuildJSON)
		}
		p.historyBuild("first_seen", h.FirstSeen)
		p.historyBuild("last_seen", h.LastSeen)
		p.stringsOmit("jobs", h.Jobs)
		o.b = p.end()
	}
	return o.end(), nil
}

func appendFindingJobJSON(b []byte, j *analysis.FindingJob) []byte {
	o := object(b)
	o.str("job_id", j.JobID)
	o.str("job_name", j.JobName)
	o.bool("failed", j.Failed)
	o.int("occurrences", int64(j.Occurrences))
	o.ints("lines", j.Lines)
	o.strOmit("url", j.URL)
	return o.end()
}

// historyBuild writes a build of a history under k, unless it is nil.
func (o *jsonObject) historyBuild(k string, hb *analysis.HistoryBuild) {
	if hb != nil {
		o.key(k)
		o.b = appendHistoryBuildJSON(o.b, hb)
	}
}

func appendHistoryBuildJSON(b []byte, hb *analysis.HistoryBuild) []byte {
	o := object(b)
	o.int("number", hb.Number)
	o.strOmit("url", hb.URL)
	o.strOmit("time", hb.Time)
	return o.end()
}

// appendJSONFloat appends f as encoding/json does: like %g as ECMAScript
// prints numbers, exponents unpadded.
func appendJSONFloat(b []byte, f float64) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return b, fmt.Errorf("%v is not a JSON number", f)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

const hexDigits = "0123456789abcdef"

// plainJSON reports whether the 8 bytes of w are all printable ASCII other
// than quote and backslash: bytes a JSON string holds as they are. Each
// test says whether any byte has the property (the borrows of the
// subtractions only ever add to a byte that already has it).
func plainJSON(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	control := (w - ones*0x20) &^ w // a byte under 0x20
	q := w ^ ones*'"'
	quote := (q - ones) &^ q // a byte that was '"'
	bs := w ^ ones*'\\'
	backslash := (bs - ones) &^ bs
	return (control|quote|backslash|w)&highs == 0
}

// load64 returns the 8 bytes of s from i as a little-endian word.
func load64(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// appendJSONString appends s quoted as encoding/json quotes it with HTML
// escaping off: quote and backslash escaped, control bytes as \b, \f,
// \n, \r, \t or \u00XX, invalid UTF-8 as \ufffd, and U+2028 and U+2029
// escaped.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) && plainJSON(load64(s, i)) {
			i += 8 // most of a log line: eight bytes that need no escape
			continue
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
