package mcpserver

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/history"
	"github.com/destill-dev/destill/app/sources"
	"github.com/destill-dev/destill/render"
)

// GetHistoryInput is what get_history takes: a request and one of its
// fingerprints, or a URL.
type GetHistoryInput struct {
	RequestID   string `json:"request_id,omitempty" jsonschema:"the request_id analyze_build returned, with fingerprint: that finding's history"`
	Fingerprint string `json:"fingerprint,omitempty" jsonschema:"a fingerprint (or a unique prefix) of a finding of request_id"`
	URL         string `json:"url,omitempty" jsonschema:"instead: a pipeline, workflow or build URL, to list what keeps failing it"`
	Branch      string `json:"branch,omitempty" jsonschema:"with url: the branch whose builds to read (default: the build's, or the default branch)"`
	Builds      int    `json:"builds,omitempty" jsonschema:"how many finished builds to look at"`
	Top         int    `json:"top,omitempty" jsonschema:"with url: how many failures to list"`
}

// GetHistoryOutput is what get_history returns: a finding's history, or
// the recurring failures of a pipeline.
type GetHistoryOutput struct {
	RequestID   string                  `json:"request_id,omitempty"`
	Fingerprint string                  `json:"fingerprint,omitempty"`
	Message     string                  `json:"message,omitempty"`
	History     *analysis.History       `json:"history,omitempty"`
	Window      *analysis.HistoryWindow `json:"window,omitempty"`
	// Pipeline is the answer for a URL: the destill.history/v1 document.
	Pipeline *analysis.HistoryReport `json:"pipeline,omitempty"`
}

// Bounds of get_history.
const (
	defaultHistoryBuilds = history.DefaultBuilds
	maxHistoryBuilds     = 50
	defaultHistoryTop    = 10
	maxHistoryTop        = 50
)

func getHistoryTool() *mcp.Tool {
	return &mcp.Tool{
		Name:  "get_history",
		Title: "Is this failure new?",
		Description: "Look back at the last finished builds of the same pipeline and branch. With request_id and fingerprint: " +
			"whether that finding is new (not seen before: likely the change being built), recurring (it failed earlier builds too), " +
			"flaky (the same job passed on a retry) or noise (passing jobs print it too), with counts and the builds it was first and last seen in. " +
			"With url (a pipeline, workflow or build URL): the failures that keep failing that pipeline, the most frequent first. " +
			"Reads earlier builds' logs the first time (one list request, then the logs), so it may take a while.",
		InputSchema: inputSchema[GetHistoryInput](map[string]intParam{
			"builds": {def: defaultHistoryBuilds, min: 1, max: maxHistoryBuilds},
			"top":    {def: defaultHistoryTop, min: 1, max: maxHistoryTop},
		}),
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true},
	}
}

func (s *Server) getHistory(ctx context.Context, _ *mcp.CallToolRequest, in GetHistoryInput) (*mcp.CallToolResult, GetHistoryOutput, error) {
	var out GetHistoryOutput
	builds := in.Builds
	if builds <= 0 {
		builds = defaultHistoryBuilds
	}
	if builds > maxHistoryBuilds {
		return nil, out, fmt.Errorf("builds is at most %d, got %d", maxHistoryBuilds, builds)
	}
	switch {
	case in.URL != "" && in.RequestID != "":
		return nil, out, errors.New("give either request_id and fingerprint (a finding's history) or url (a pipeline's), not both")
	case in.URL != "":
		return s.pipelineHistory(ctx, in, builds)
	case in.RequestID == "":
		return nil, out, errors.New("give request_id and fingerprint (a finding of an analyze_build result), or url (a pipeline, workflow or build URL)")
	}
	req, err := s.finished(ctx, in.RequestID)
	if err != nil {
		return nil, out, err
	}
	f, err := findFinding(req.Report.Findings, in.Fingerprint)
	if err != nil {
		return nil, out, err
	}
	b := req.Report.Source.Build
	if b == nil || req.Report.Source.URL == "" {
		return nil, out, fmt.Errorf("request %s is a log file, not a CI build: it has no earlier builds to compare with", req.ID)
	}
	input, ref, _, err := s.opts.ResolvePipelineFunc(req.Report.Source.URL)
	if err != nil {
		return nil, out, fmt.Errorf("cannot read the builds of %s: %w", req.Report.Source.URL, err)
	}
	l, ok := input.Source.(history.Lister)
	if !ok {
		return nil, out, fmt.Errorf("%s builds have no history to read", ref.Provider)
	}
	secrets := append(input.Secrets, req.Secrets...)
	if _, err := input.Source.Build(ctx); err != nil { // the client learns the pipeline (a GitHub workflow)
		return nil, out, redactErr(err, secrets)
	}
	q := history.Query{Pipeline: history.KeyOf(req.Report.Source), Branch: b.Branch, Before: b.Number}
	for _, j := range req.Report.Jobs {
		if j.Failed && j.Analyzed {
			q.Jobs = append(q.Jobs, j.Name)
		}
	}
	res, err := history.Look(ctx, l, q, s.historyOptions(input, builds))
	if err != nil {
		return nil, out, redactErr(fmt.Errorf("list the earlier builds of %s: %w", b.Pipeline, err), secrets)
	}
	current, _ := history.ReportRecord(req.Report, history.SeenInResults(req.Report, req.Results))
	if len(req.Results) == 0 {
		current, _ = history.FindingsRecord(req.Report)
	}
	h := analysis.HistoryOf(&current, res.Builds, b.Branch, []string{f.Fingerprint})[f.Fingerprint]
	w := analysis.HistoryWindow{Source: s.historySource(), Pipeline: b.Pipeline, Branch: b.Branch, Note: strings.Join(res.Notes, "; ")}
	history.Describe(&w, res.Builds)
	out = GetHistoryOutput{RequestID: req.ID, Fingerprint: f.Fingerprint, Message: f.Message, History: &h, Window: &w}
	return textResult(renderFindingHistory(&out)), out, nil
}

// historyOptions reads earlier builds for the server: their records kept
// in the database, or in memory while the server runs.
func (s *Server) historyOptions(input sources.Input, builds int) history.Options {
	return history.Options{Builds: builds, Concurrency: s.opts.Concurrency, Records: history.StoreRecords{Store: s.history},
		KeepWindow: true, Analysis: analysis.Options{Secrets: append(input.Secrets, s.opts.Secrets...)}}
}

func (s *Server) historySource() string {
	if s.opts.History != nil {
		return "database"
	}
	return "api"
}

func (s *Server) pipelineHistory(ctx context.Context, in GetHistoryInput, builds int) (*mcp.CallToolResult, GetHistoryOutput, error) {
	var out GetHistoryOutput
	top := in.Top
	if top <= 0 {
		top = defaultHistoryTop
	}
	input, ref, branch, err := s.opts.ResolvePipelineFunc(in.URL)
	if err != nil {
		return nil, out, fmt.Errorf("cannot read %s: %w", in.URL, err)
	}
	l, ok := input.Source.(history.Lister)
	if !ok {
		return nil, out, fmt.Errorf("%s builds have no history to read", ref.Provider)
	}
	if in.Branch != "" {
		branch = in.Branch
	}
	secrets := append(input.Secrets, s.opts.Secrets...)
	q, err := history.Target(ctx, input.Source, ref, branch, false)
	if err != nil {
		return nil, out, redactErr(err, secrets)
	}
	rep, err := history.Failures(ctx, l, q, s.historyOptions(input, builds), false, s.historySource(), in.URL)
	if err != nil {
		return nil, out, redactErr(err, secrets)
	}
	rep.Tool = analysis.Tool{Name: s.info.Name, Version: s.info.Version}
	if len(rep.Failures) > top {
		rep.Failures = rep.Failures[:top]
	}
	out.Pipeline = &rep
	var b strings.Builder
	if err := render.HistoryText(&b, rep, top, false); err != nil {
		return nil, out, err
	}
	return textResult(b.String()), out, nil
}

// verdictHints say what a verdict means for the change being built.
var verdictHints = map[string]string{
	analysis.VerdictNew:       "It was not seen in the earlier builds: most likely caused by this change (or something new around it).",
	analysis.VerdictRecurring: "It failed earlier builds too: most likely not this change.",
	analysis.VerdictFlaky:     "The same job passed on a retry or on the same commit: most likely flaky, not this change; a retry may pass.",
	analysis.VerdictNoise:     "Jobs that passed print it too: most likely not the cause.",
}

func renderFindingHistory(out *GetHistoryOutput) string {
	var b strings.Builder
	fmt.Fprintf(&b, "History of finding %s (%s) of request %s, over %s\n", out.Fingerprint, render.Sanitize(render.Truncate(out.Message, 200)),
		out.RequestID, render.Sanitize(render.HistoryWindowText(out.Window)))
	for _, l := range render.HistoryLines(out.History) {
		b.WriteString(render.Sanitize(l) + "\n")
	}
	if out.Window.Builds > 0 {
		b.WriteString(verdictHints[out.History.Verdict] + "\n")
	}
	if len(out.History.Jobs) > 0 {
		fmt.Fprintf(&b, "jobs: %s\n", render.Sanitize(strings.Join(out.History.Jobs, ", ")))
	}
	return b.String()
}
