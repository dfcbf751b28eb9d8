package mcpserver

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/render"
)

// ListJobsInput is what list_jobs takes.
type ListJobsInput struct {
	RequestID  string `json:"request_id" jsonschema:"the request_id analyze_build returned"`
	FailedOnly bool   `json:"failed_only,omitempty" jsonschema:"list only the jobs that failed"`
}

// ListJobsOutput is what list_jobs returns.
type ListJobsOutput struct {
	RequestID string              `json:"request_id"`
	Build     *analysis.BuildInfo `json:"build,omitempty"`
	Jobs      []JobInfo           `json:"jobs"`
}

// JobInfo is one job of a build, with the field names of the
// destill.findings/v1 job summary and its timing and steps.
type JobInfo struct {
	ID              string   `json:"id"`
	Name            string   `json:"name"`
	Step            string   `json:"step,omitempty"`
	State           string   `json:"state"`
	ExitStatus      *int     `json:"exit_status"`
	Failed          bool     `json:"failed"`
	SoftFailed      bool     `json:"soft_failed,omitempty"`
	Retried         bool     `json:"retried,omitempty" jsonschema:"a later attempt replaced this job"`
	StartedAt       string   `json:"started_at,omitempty" jsonschema:"RFC 3339"`
	FinishedAt      string   `json:"finished_at,omitempty" jsonschema:"RFC 3339"`
	DurationSeconds *float64 `json:"duration_seconds"`
	Analyzed        bool     `json:"analyzed"`
	LogLines        int      `json:"log_lines"`
	LogKept         bool     `json:"log_kept" jsonschema:"search_log and read_log can read this job's log"`
	Error           string   `json:"error,omitempty"`
	URL             string   `json:"url,omitempty"`
	// Steps are the step and group headers found in the log, with the
	// line each starts at.
	Steps        []StepInfo `json:"steps,omitempty"`
	StepsOmitted int        `json:"steps_omitted,omitempty"`
}

// StepInfo is a step or group header of a job log.
type StepInfo struct {
	Line  int    `json:"line"`
	Title string `json:"title"`
	Kind  string `json:"kind" jsonschema:"step, group, or reopen (Buildkite's ^^^ +++: the failure is in the previous group)"`
}

// maxSteps caps the steps listed per job.
const maxSteps = 60

func listJobsTool() *mcp.Tool {
	return &mcp.Tool{
		Name:  "list_jobs",
		Title: "List a build's jobs",
		Description: "List the jobs of an analyze_build request's build: state, exit status, duration, whether destill read its log, " +
			"and the steps found in each log read with the line each starts at (to read a step with read_log). About 60 tokens per job plus 15 per step.",
		InputSchema: inputSchema[ListJobsInput](nil),
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true},
	}
}

func (s *Server) listJobs(ctx context.Context, _ *mcp.CallToolRequest, in ListJobsInput) (*mcp.CallToolResult, ListJobsOutput, error) {
	out := ListJobsOutput{Jobs: []JobInfo{}}
	req, err := s.finished(ctx, in.RequestID)
	if err != nil {
		return nil, out, err
	}
	out.RequestID, out.Build = req.ID, req.Report.Source.Build
	byID := map[string]providers.Job{}
	for _, j := range req.Build.Jobs {
		byID[j.ID] = j
	}
	red := analysis.NewRedactor(req.Secrets...)
	for _, j := range req.Report.Jobs {
		if in.FailedOnly && !j.Failed {
			continue
		}
		pj := byID[j.ID]
		info := JobInfo{ID: j.ID, Name: j.Name, Step: j.Step, State: j.State, ExitStatus: j.ExitStatus, Failed: j.Failed,
			SoftFailed: j.SoftFailed, Retried: pj.Retried, Analyzed: j.Analyzed, LogLines: j.LogLines,
			LogKept: req.Logs[j.ID] != nil, Error: red.RedactLiterals(j.Error), URL: j.URL}
		started, finished := pj.StartedAt, pj.FinishedAt
		if started.IsZero() && finished.IsZero() {
			// A request read from the database has no provider build: its
			// report has the times.
			started, _ = time.Parse(time.RFC3339, j.StartedAt)
			finished, _ = time.Parse(time.RFC3339, j.FinishedAt)
		}
		if !started.IsZero() {
			info.StartedAt = started.UTC().Format(time.RFC3339)
		}
		if !finished.IsZero() {
			info.FinishedAt = finished.UTC().Format(time.RFC3339)
		}
		if !started.IsZero() && !finished.IsZero() {
			d := finished.Sub(started).Seconds()
			info.DurationSeconds = &d
		}
		for i, st := range req.Steps[j.ID] {
			if i == maxSteps {
				info.StepsOmitted = len(req.Steps[j.ID]) - maxSteps
				break
			}
			info.Steps = append(info.Steps, StepInfo{Line: st.Line, Title: red.Redact(st.Title), Kind: st.Kind})
		}
		out.Jobs = append(out.Jobs, info)
	}
	return textResult(renderJobs(&out)), out, nil
}

func renderJobs(out *ListJobsOutput) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d job(s) of request %s", len(out.Jobs), out.RequestID)
	if out.Build != nil {
		fmt.Fprintf(&b, " (build %s, %s)", render.Sanitize(out.Build.URL), out.Build.State)
	}
	b.WriteString(":\n")
	for _, j := range out.Jobs {
		fmt.Fprintf(&b, "- %q id %s: %s", render.Sanitize(j.Name), j.ID, j.State)
		if j.ExitStatus != nil {
			fmt.Fprintf(&b, ", exit %d", *j.ExitStatus)
		}
		if j.DurationSeconds != nil {
			fmt.Fprintf(&b, ", %s", time.Duration(*j.DurationSeconds*float64(time.Second)).Round(time.Second))
		}
		if j.Step != "" {
			fmt.Fprintf(&b, ", step %q", render.Sanitize(j.Step))
		}
		switch {
		case j.LogKept:
			fmt.Fprintf(&b, ", log read (%d lines)", j.LogLines)
		case j.Error != "":
			fmt.Fprintf(&b, ", log not read: %s", render.Sanitize(j.Error))
		case j.Analyzed:
			fmt.Fprintf(&b, ", log analyzed (%d lines), not kept here", j.LogLines)
		}
		b.WriteString("\n")
		for _, st := range j.Steps {
			fmt.Fprintf(&b, "    line %d: %s %s\n", st.Line, st.Kind, render.Sanitize(st.Title))
		}
		if j.StepsOmitted > 0 {
			fmt.Fprintf(&b, "    … %d more steps\n", j.StepsOmitted)
		}
	}
	return b.String()
}
