package mcpserver

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/render"
)

// SearchLogInput is what search_log takes.
type SearchLogInput struct {
	RequestID  string `json:"request_id" jsonschema:"the request_id analyze_build returned"`
	Regex      string `json:"regex" jsonschema:"a Go (RE2) regular expression matched against each cleaned log line, e.g. (?i)timeout|refused or panic: "`
	Job        string `json:"job,omitempty" jsonschema:"the job to search (ID or name); by default every job whose log analyze_build read"`
	IgnoreCase bool   `json:"ignore_case,omitempty" jsonschema:"match letters in any case"`
	Before     int    `json:"before,omitempty" jsonschema:"lines of context to return before each match"`
	After      int    `json:"after,omitempty" jsonschema:"lines of context to return after each match"`
	Limit      int    `json:"limit,omitempty" jsonschema:"the most matches to return; the rest are counted"`
}

// SearchLogOutput is what search_log returns.
type SearchLogOutput struct {
	RequestID string  `json:"request_id"`
	Matches   []Match `json:"matches" jsonschema:"matching lines in log order, job by job"`
	// TotalMatches counts every matching line, returned or not.
	TotalMatches int `json:"total_matches"`
	// LinesSearched counts the lines read.
	LinesSearched int `json:"lines_searched"`
}

// Match is one matching log line.
type Match struct {
	JobID         string   `json:"job_id"`
	JobName       string   `json:"job_name"`
	Line          int      `json:"line"`
	Text          string   `json:"text"`
	ContextBefore []string `json:"context_before,omitempty" jsonschema:"the lines just before, the last one being line-1"`
	ContextAfter  []string `json:"context_after,omitempty" jsonschema:"the lines just after, the first one being line+1"`
}

// Bounds of search_log.
const (
	defaultSearchLimit = 30
	maxSearchLimit     = 500
	maxSearchContext   = 20
	searchLineCap      = 500
)

func searchLogTool() *mcp.Tool {
	return &mcp.Tool{
		Name:  "search_log",
		Title: "Search the job logs",
		Description: "Search the logs an analyze_build request read for lines matching a regular expression (Go RE2 syntax), like grep: " +
			"returns each matching line with its job and line number, and optional context lines. Use it to look beyond the top findings: " +
			"a test name, an error code, 'panic:', '(?i)timed? ?out'. 30 matches with 3 lines of context cost about 2000 tokens; " +
			"a result stops collecting matches at about 16000 tokens (it still counts them).",
		InputSchema: inputSchema[SearchLogInput](map[string]intParam{
			"before": {def: 0, min: 0, max: maxSearchContext},
			"after":  {def: 0, min: 0, max: maxSearchContext},
			"limit":  {def: defaultSearchLimit, min: 1, max: maxSearchLimit},
		}),
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true},
	}
}

func (s *Server) searchLog(ctx context.Context, _ *mcp.CallToolRequest, in SearchLogInput) (*mcp.CallToolResult, SearchLogOutput, error) {
	out := SearchLogOutput{Matches: []Match{}}
	req, err := s.finished(ctx, in.RequestID)
	if err != nil {
		return nil, out, err
	}
	re, err := compileSearch(in.Regex, in.IgnoreCase)
	if err != nil {
		return nil, out, err
	}
	var jobs []analysis.JobSummary
	if strings.TrimSpace(in.Job) != "" {
		j, _, err := jobLog(req, in.Job)
		if err != nil {
			return nil, out, err
		}
		jobs = []analysis.JobSummary{j}
	} else {
		jobs = keptJobs(req)
		if len(jobs) == 0 {
			return nil, out, fmt.Errorf("no job log was kept for request %s (%s)", req.ID, whyNoLogs(req))
		}
	}
	limit := in.Limit
	if limit <= 0 {
		limit = defaultSearchLimit
	}
	before, after := min(max(in.Before, 0), maxSearchContext), min(max(in.After, 0), maxSearchContext)
	out.RequestID = req.ID
	size := 0
	for _, j := range jobs {
		if err := searchJob(ctx, req.Logs[j.ID], j, re, before, after, limit, &size, &out); err != nil {
			return nil, out, fmt.Errorf("search the log of job %q: %w", j.Name, err)
		}
	}
	return textResult(renderSearch(&out, in.Regex, limit)), out, nil
}

func compileSearch(expr string, ignoreCase bool) (*regexp.Regexp, error) {
	if expr == "" {
		return nil, fmt.Errorf("regex is empty; pass a regular expression such as (?i)error|fail")
	}
	if ignoreCase {
		expr = "(?i)" + expr
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, fmt.Errorf("invalid regex: %v; it is Go RE2 syntax: escape ( ) [ ] . * + ? { } | \\ with a backslash to match them literally; lookarounds and backreferences are not supported", err)
	}
	return re, nil
}

// searchJob appends the matches of one job's log to out.
// It stops collecting matches (but goes on counting them) when the next
// one would take the lines collected past readByteBudget, counted in
// *size across jobs.
func searchJob(ctx context.Context, l JobLog, j analysis.JobSummary, re *regexp.Regexp, before, after, limit int, size *int, out *SearchLogOutput) error {
	ring := make([]string, 0, before)
	var open []int // indexes in out.Matches still collecting lines after
	return l.Scan(ctx, 1, l.Lines(), func(n int, text string) bool {
		out.LinesSearched++
		shown := render.Truncate(text, searchLineCap)
		keep := open[:0]
		for _, i := range open {
			m := &out.Matches[i]
			m.ContextAfter = append(m.ContextAfter, shown)
			if len(m.ContextAfter) < after {
				keep = append(keep, i)
			}
		}
		open = keep
		if re.MatchString(text) {
			out.TotalMatches++
			// The lines after are not read yet: count them as long as this one.
			cost := (len(shown) + 8) * (1 + after)
			for _, c := range ring {
				cost += len(c) + 8
			}
			if len(out.Matches) < limit && (len(out.Matches) == 0 || *size+cost <= readByteBudget) {
				out.Matches = append(out.Matches, Match{JobID: j.ID, JobName: j.Name, Line: n, Text: shown, ContextBefore: append([]string(nil), ring...)})
				*size += cost
				if after > 0 {
					open = append(open, len(out.Matches)-1)
				}
			}
		}
		if before > 0 {
			if len(ring) == before {
				ring = append(ring[:0], ring[1:]...)
			}
			ring = append(ring, shown)
		}
		return true
	})
}

func renderSearch(out *SearchLogOutput, expr string, limit int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d line(s) of %d match %s", out.TotalMatches, out.LinesSearched, expr)
	switch {
	case len(out.Matches) < limit && out.TotalMatches > len(out.Matches):
		fmt.Fprintf(&b, "; the first %d shown, to stay near 16000 tokens (narrow the regex or job, or ask for less context)", len(out.Matches))
	case out.TotalMatches > len(out.Matches):
		fmt.Fprintf(&b, "; the first %d shown (raise limit, or narrow the regex or job)", len(out.Matches))
	}
	b.WriteString("\n")
	job := ""
	for _, m := range out.Matches {
		if m.JobID != job {
			job = m.JobID
			fmt.Fprintf(&b, "\njob %q:\n", render.Sanitize(m.JobName))
		} else if len(m.ContextBefore) > 0 || len(m.ContextAfter) > 0 {
			b.WriteString("--\n")
		}
		writeLines(&b, m.Line-len(m.ContextBefore), m.ContextBefore, "")
		writeLines(&b, m.Line, []string{m.Text}, ">")
		writeLines(&b, m.Line+1, m.ContextAfter, "")
	}
	return b.String()
}
