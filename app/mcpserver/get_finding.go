package mcpserver

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/render"
)

// GetFindingInput is what get_finding takes.
type GetFindingInput struct {
	RequestID   string `json:"request_id" jsonschema:"the request_id analyze_build returned"`
	Fingerprint string `json:"fingerprint" jsonschema:"the finding's fingerprint (or a unique prefix of it)"`
	Context     int    `json:"context,omitempty" jsonschema:"lines of log to show before and after the finding"`
}

// GetFindingOutput is what get_finding returns.
type GetFindingOutput struct {
	RequestID string `json:"request_id"`
	// Finding has the fields of a destill.findings/v1 finding, with its
	// context read from the job's log.
	Finding analysis.Finding `json:"finding"`
	// LogLines is how many lines the finding's job log has.
	LogLines int `json:"log_lines"`
}

// Bounds of get_finding.
const (
	defaultFindingContext = 10
	maxFindingContext     = 100
	maxFindingLines       = 200 // lines of the finding's own range read back
	findingLineCap        = 500
)

func getFindingTool() *mcp.Tool {
	return &mcp.Tool{
		Name:  "get_finding",
		Title: "Show one finding in full",
		Description: "Show one finding of an analyze_build result in full: its lines with more log context around them (10 lines each side by default, up to 100), " +
			"why it ranks where it does, and every job and line where the same message occurred. Costs roughly 40 tokens per line of context.",
		InputSchema: inputSchema[GetFindingInput](map[string]intParam{
			"context": {def: defaultFindingContext, min: 0, max: maxFindingContext},
		}),
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true},
	}
}

func (s *Server) getFinding(ctx context.Context, _ *mcp.CallToolRequest, in GetFindingInput) (*mcp.CallToolResult, GetFindingOutput, error) {
	var out GetFindingOutput
	req, err := s.finished(ctx, in.RequestID)
	if err != nil {
		return nil, out, err
	}
	f, err := findFinding(req.Report.Findings, in.Fingerprint)
	if err != nil {
		return nil, out, err
	}
	f = redactFinding(analysis.NewRedactor(req.Secrets...), f)
	if l := req.Logs[f.JobID]; l != nil {
		out.LogLines = l.Lines()
		if err := widenContext(ctx, &f, l, in.Context); err != nil {
			return nil, out, err
		}
	}
	out.RequestID, out.Finding = req.ID, f
	text := renderFinding(&out)
	if req.Logs[f.JobID] == nil && req.Stored {
		text += fmt.Sprintf("The database keeps findings, not logs: the context shown is what the analysis kept. For more, %s reads the logs here.\n", reanalyzeHint(req))
	}
	return textResult(text), out, nil
}

// findFinding returns the finding with fingerprint fp, or the only one
// whose fingerprint starts with it.
func findFinding(findings []analysis.Finding, fp string) (analysis.Finding, error) {
	fp = strings.TrimSpace(fp)
	if fp == "" {
		return analysis.Finding{}, fmt.Errorf("fingerprint is empty; pass one from analyze_build's findings (%s)", fingerprints(findings, 5))
	}
	var match []analysis.Finding
	for _, f := range findings {
		if f.Fingerprint == fp {
			return f, nil
		}
		if strings.HasPrefix(f.Fingerprint, fp) {
			match = append(match, f)
		}
	}
	switch len(match) {
	case 1:
		return match[0], nil
	case 0:
		return analysis.Finding{}, fmt.Errorf("no finding has fingerprint %q; this request's findings are %s", fp, fingerprints(findings, 10))
	}
	return analysis.Finding{}, fmt.Errorf("fingerprint %q is the start of %d findings' fingerprints; pass more of it", fp, len(match))
}

func fingerprints(findings []analysis.Finding, n int) string {
	var parts []string
	for i, f := range findings {
		if i == n {
			parts = append(parts, fmt.Sprintf("… %d more", len(findings)-n))
			break
		}
		parts = append(parts, fmt.Sprintf("#%d %s", f.Rank, f.Fingerprint))
	}
	if len(parts) == 0 {
		return "none: the analysis found nothing"
	}
	return strings.Join(parts, ", ")
}

// widenContext reads the finding's lines and n lines either side from its
// job's kept log.
func widenContext(ctx context.Context, f *analysis.Finding, l JobLog, n int) error {
	end := min(f.LineEnd, f.LineStart+maxFindingLines-1)
	var before, text, after []string
	err := l.Scan(ctx, f.LineStart-n, end+n, func(ln int, s string) bool {
		s = render.Truncate(s, findingLineCap)
		switch {
		case ln < f.LineStart:
			before = append(before, s)
		case ln <= end:
			text = append(text, s)
		default:
			after = append(after, s)
		}
		return true
	})
	if err != nil {
		return fmt.Errorf("read the log of job %q: %w", f.JobName, err)
	}
	if len(text) == 0 {
		return nil // the log is shorter than the report says: keep the report's lines
	}
	// Keep the result near readByteBudget: drop the farthest context
	// lines first.
	size := 0
	for _, l := range slices.Concat(before, text, after) {
		size += len(l) + 8
	}
	for size > readByteBudget && len(before)+len(after) > 0 {
		if len(before) >= len(after) {
			size -= len(before[0]) + 8
			before = before[1:]
		} else {
			size -= len(after[len(after)-1]) + 8
			after = after[:len(after)-1]
		}
	}
	if before == nil {
		before = []string{}
	}
	if after == nil {
		after = []string{}
	}
	f.ContextBefore, f.Text, f.ContextAfter = before, text, after
	return nil
}

func renderFinding(out *GetFindingOutput) string {
	var b strings.Builder
	f := &out.Finding
	fb := brief(*f)
	fb.Occurrences = 0 // every occurrence is listed below
	fmt.Fprintf(&b, "Finding of request %s: %s\n", out.RequestID, render.Sanitize(f.Message))
	writeFinding(&b, &fb)
	fmt.Fprintf(&b, "\n%d occurrence(s)", f.Occurrences)
	if len(f.Jobs) > 0 {
		fmt.Fprintf(&b, " in %d job(s)", len(f.Jobs))
	}
	b.WriteString(":\n")
	jobs := f.Jobs
	if len(jobs) == 0 {
		jobs = []analysis.FindingJob{{JobID: f.JobID, JobName: f.JobName, Occurrences: f.Occurrences, Lines: f.Lines}}
	}
	for _, j := range jobs {
		state := "failed"
		if !j.Failed && len(f.Jobs) > 0 {
			state = "passed"
		}
		fmt.Fprintf(&b, "  %q (%s): %d at line(s) %s\n", render.Sanitize(j.JobName), state, j.Occurrences, render.LineList(j.Lines, 30))
	}
	if f.URL != "" {
		fmt.Fprintf(&b, "link: %s\n", f.URL)
	}
	return b.String()
}
