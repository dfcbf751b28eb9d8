package mcpserver

import (
	"context"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/destill-dev/destill/backend"
	"github.com/destill-dev/destill/render"
)

// GetRequestInput is what get_request takes.
type GetRequestInput struct {
	RequestID string `json:"request_id" jsonschema:"a request_id analyze_build returned, or the request ID destill submit printed"`
	Top       int    `json:"top,omitempty" jsonschema:"how many findings to return, best first"`
	MaxTokens int    `json:"max_tokens,omitempty" jsonschema:"the size this result may take, in tokens (estimated as bytes/4), as for analyze_build"`
}

// GetRequestOutput is what get_request returns: what analyze_build
// returned for the request, and how far a request that is not finished got.
type GetRequestOutput struct {
	AnalyzeBuildOutput
	Progress *backend.Progress `json:"progress,omitempty" jsonschema:"set while the workers have not finished: whether the build was fetched (planned), job logs selected and read, chunks cut and analyzed"`
}

func getRequestTool() *mcp.Tool {
	return &mcp.Tool{
		Name:  "get_request",
		Title: "Show an analysis by its request_id",
		Description: "Show the result of an earlier analysis again, by request_id, in analyze_build's form: the build's state, failed jobs and top findings. " +
			"Besides the request_ids analyze_build returns, it reads the IDs `destill submit` prints when destill shares a database with its workers: " +
			"such a request may still be queued, fetching or analyzing (status says so, with progress, and there are no findings yet: call again later). " +
			"A request that failed is a tool error saying why.",
		InputSchema: inputSchema[GetRequestInput](map[string]intParam{
			"top":        {def: defaultTop, min: 1, max: maxTop},
			"max_tokens": {def: defaultMaxTokens, min: minMaxTokens, max: maxMaxTokens},
		}),
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true},
	}
}

func (s *Server) getRequest(ctx context.Context, _ *mcp.CallToolRequest, in GetRequestInput) (*mcp.CallToolResult, GetRequestOutput, error) {
	var out GetRequestOutput
	req, err := s.request(ctx, in.RequestID)
	if err != nil {
		return nil, out, err
	}
	switch req.Status {
	case "", backend.StatusDone:
		out.AnalyzeBuildOutput = briefOutput(req, in.Top)
		return textResult(fitBudget(&out.AnalyzeBuildOutput, in.MaxTokens)), out, nil
	case backend.StatusFailed:
		return nil, out, notReady(req)
	}
	// Not finished: what is known of the build, no verdict, no findings.
	out.AnalyzeBuildOutput = briefOutput(req, in.Top)
	out.Status = string(req.Status)
	out.Findings, out.FindingsOmitted = []FindingBrief{}, 0
	p := req.Progress
	out.Progress = &p
	out.Notes = append(out.Notes, fmt.Sprintf("not finished: %s; call get_request again in a few seconds", describeProgress(req)))
	return textResult(renderPending(&out)), out, nil
}

// renderPending is get_request's text for a request not finished yet.
func renderPending(out *GetRequestOutput) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Request %s is %s: %s (%s)\n", out.RequestID, out.Status, render.Sanitize(sourceName(out.Source)), render.Sanitize(out.Notes[len(out.Notes)-1]))
	if out.Progress.Planned {
		fmt.Fprintf(&b, "jobs: %d total, %d failed, %d log(s) selected for analysis\n", out.Summary.JobsTotal, out.Summary.JobsFailed, out.Progress.JobsSelected)
	}
	fmt.Fprintf(&b, "No verdict and no findings yet. Next: get_request {request_id: %q} again in a few seconds.\n", out.RequestID)
	return b.String()
}
