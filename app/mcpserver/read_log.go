package mcpserver

import (
	"context"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/destill-dev/destill/render"
)

// ReadLogInput is what read_log takes.
type ReadLogInput struct {
	RequestID string `json:"request_id" jsonschema:"the request_id analyze_build returned"`
	Job       string `json:"job,omitempty" jsonschema:"the job whose log to read (ID or name); may be left out when the request read one log"`
	FromLine  int    `json:"from_line,omitempty" jsonschema:"the first line to read (1-based); negative counts from the end: -50 reads the last 50 lines"`
	Count     int    `json:"count,omitempty" jsonschema:"how many lines to read"`
}

// ReadLogOutput is what read_log returns.
type ReadLogOutput struct {
	RequestID  string    `json:"request_id"`
	JobID      string    `json:"job_id"`
	JobName    string    `json:"job_name"`
	FromLine   int       `json:"from_line"`
	ToLine     int       `json:"to_line"`
	TotalLines int       `json:"total_lines"`
	Lines      []LogLine `json:"lines"`
	// Next is the from_line that continues where this read stopped, 0 at
	// the end of the log.
	Next int `json:"next"`
}

// LogLine is one cleaned, redacted log line.
type LogLine struct {
	Line int    `json:"line"`
	Text string `json:"text"`
}

// Bounds of read_log.
const (
	defaultReadCount = 100
	maxReadCount     = 500
	readLineCap      = 1000
	// readByteBudget stops a read early, whatever count says, so one call
	// stays near 16k tokens.
	readByteBudget = 64 << 10
)

func readLogTool() *mcp.Tool {
	return &mcp.Tool{
		Name:  "read_log",
		Title: "Read part of a job log",
		Description: "Read a window of a job's log from an analyze_build request, cleaned of terminal escapes and CI markers, with line numbers " +
			"(the numbers findings and search_log use). from_line -60 reads the last 60 lines, where builds usually say why they stopped. " +
			"100 lines cost about 1500-2500 tokens; a read stops early at about 16000 tokens and says where to continue.",
		InputSchema: inputSchema[ReadLogInput](map[string]intParam{
			"from_line": {def: 1},
			"count":     {def: defaultReadCount, min: 1, max: maxReadCount},
		}),
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true},
	}
}

func (s *Server) readLog(ctx context.Context, _ *mcp.CallToolRequest, in ReadLogInput) (*mcp.CallToolResult, ReadLogOutput, error) {
	out := ReadLogOutput{Lines: []LogLine{}}
	req, err := s.finished(ctx, in.RequestID)
	if err != nil {
		return nil, out, err
	}
	j, l, err := jobLog(req, in.Job)
	if err != nil {
		return nil, out, err
	}
	total := l.Lines()
	count := in.Count
	if count <= 0 {
		count = defaultReadCount
	}
	count = min(count, maxReadCount)
	from := in.FromLine
	switch {
	case from < 0:
		from = max(total+from+1, 1)
	case from == 0:
		from = 1
	case from > total:
		return nil, out, fmt.Errorf("from_line %d is past the end: the log of job %q has %d lines", from, j.Name, total)
	}
	size := 0
	err = l.Scan(ctx, from, from+count-1, func(n int, text string) bool {
		text = render.Truncate(text, readLineCap)
		if size > 0 && size+len(text) > readByteBudget {
			return false
		}
		size += len(text) + 8
		out.Lines = append(out.Lines, LogLine{Line: n, Text: text})
		return true
	})
	if err != nil {
		return nil, out, fmt.Errorf("read the log of job %q: %w", j.Name, err)
	}
	out.RequestID, out.JobID, out.JobName, out.TotalLines = req.ID, j.ID, j.Name, total
	out.FromLine, out.ToLine = from, from-1
	if n := len(out.Lines); n > 0 {
		out.ToLine = out.Lines[n-1].Line
	}
	if out.ToLine < total {
		out.Next = out.ToLine + 1
	}
	return textResult(renderRead(&out)), out, nil
}

func renderRead(out *ReadLogOutput) string {
	var b strings.Builder
	fmt.Fprintf(&b, "job %q, lines %d-%d of %d:\n", render.Sanitize(out.JobName), out.FromLine, out.ToLine, out.TotalLines)
	for _, l := range out.Lines {
		fmt.Fprintf(&b, "%7d| %s\n", l.Line, render.Sanitize(l.Text))
	}
	if out.Next > 0 {
		fmt.Fprintf(&b, "(continue with from_line %d)\n", out.Next)
	} else {
		b.WriteString("(end of log)\n")
	}
	return b.String()
}
