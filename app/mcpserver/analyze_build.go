package mcpserver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/baselines"
	"github.com/destill-dev/destill/app/pipeline"
	"github.com/destill-dev/destill/app/sources"
	"github.com/destill-dev/destill/backend"
	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/render"
)

// AnalyzeBuildInput is what analyze_build takes.
type AnalyzeBuildInput struct {
	URL       string   `json:"url,omitempty" jsonschema:"a CI build URL: a Buildkite build (or job), a GitHub Actions run (or job), a GitLab pipeline (or job). Give url or path, not both"`
	Path      string   `json:"path,omitempty" jsonschema:"an absolute path to a log file on this machine (plain or gzip), inside the directories the server may read (see the tool's description); ~ is the home directory. Give url or path, not both"`
	Top       int      `json:"top,omitempty" jsonschema:"how many findings to return, best first"`
	Jobs      []string `json:"jobs,omitempty" jsonschema:"analyze only these jobs (IDs or names; a name may be a case-insensitive part of it). By default every failed job is analyzed; naming a job that passed analyzes it too"`
	MaxTokens int      `json:"max_tokens,omitempty" jsonschema:"the size this result may take, in tokens (estimated as bytes/4): context lines are shortened, then lower-ranked findings left out, to stay within it; the top finding is always kept"`
}

// AnalyzeBuildOutput is what analyze_build returns.
type AnalyzeBuildOutput struct {
	RequestID string `json:"request_id" jsonschema:"names this analysis for get_finding, search_log, read_log and list_jobs"`
	Status    string `json:"status" jsonschema:"failed: the build failed and findings explain it (when there are any); passed: the build was read and no job failed. get_request also answers queued, fetching or analyzing for a request the workers have not finished: no verdict and no findings yet"`
	// Source says what was analyzed, with the build's provider state.
	Source          analysis.Origin  `json:"source"`
	Summary         analysis.Summary `json:"summary"`
	FailedJobs      []JobBrief       `json:"failed_jobs" jsonschema:"the jobs that failed, whether their log was analyzed, and why not"`
	Findings        []FindingBrief   `json:"findings" jsonschema:"the lines most likely to explain the failure, best first"`
	FindingsOmitted int              `json:"findings_omitted" jsonschema:"findings not returned (beyond top, or to fit max_tokens); get_finding reads any by fingerprint"`
	Notes           []string         `json:"notes,omitempty" jsonschema:"what the reader should know about the analysis: logs not read, jobs still running, trimmed output"`
	// Baseline says which passing logs the failed jobs were compared
	// with, or why none was found.
	Baseline *analysis.BaselineInfo `json:"baseline,omitempty" jsonschema:"which passing logs of the same jobs the findings were compared with (kind sibling-jobs, previous-build, per-job), or why none (kind none, note)"`
}

// JobBrief is one job of a build, with the field names of the
// destill.findings/v1 job summary.
type JobBrief struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Step       string `json:"step,omitempty"`
	State      string `json:"state"`
	ExitStatus *int   `json:"exit_status"`
	Analyzed   bool   `json:"analyzed"`
	LogLines   int    `json:"log_lines"`
	Error      string `json:"error,omitempty"`
	URL        string `json:"url,omitempty"`
}

// FindingBrief is one finding, with the field names of the
// destill.findings/v1 finding.
type FindingBrief struct {
	Rank          int               `json:"rank"`
	Fingerprint   string            `json:"fingerprint" jsonschema:"identifies the finding for get_finding"`
	Confidence    float64           `json:"confidence" jsonschema:"0 to 1: how likely this explains the failure"`
	Severity      analysis.Severity `json:"severity"`
	Category      string            `json:"category"`
	Reasons       []string          `json:"reasons" jsonschema:"why it ranks where it does"`
	JobID         string            `json:"job_id"`
	JobName       string            `json:"job_name"`
	Step          string            `json:"step,omitempty"`
	URL           string            `json:"url,omitempty"`
	LineStart     int               `json:"line_start"`
	LineEnd       int               `json:"line_end"`
	Message       string            `json:"message"`
	Text          []string          `json:"text" jsonschema:"the lines line_start..line_end"`
	ContextBefore []string          `json:"context_before"`
	ContextAfter  []string          `json:"context_after"`
	Occurrences   int               `json:"occurrences" jsonschema:"how many lines, in all jobs, say the same"`
	// JobsAffected counts the jobs the finding occurred in.
	JobsAffected      int  `json:"jobs_affected"`
	AlsoInPassingJobs bool `json:"also_in_passing_jobs,omitempty"`
}

// brief is f with the fields analyze_build returns.
func brief(f analysis.Finding) FindingBrief {
	return FindingBrief{
		Rank: f.Rank, Fingerprint: f.Fingerprint, Confidence: f.Confidence, Severity: f.Severity, Category: f.Category,
		Reasons: f.Reasons, JobID: f.JobID, JobName: f.JobName, Step: f.Step, URL: f.URL,
		LineStart: f.LineStart, LineEnd: f.LineEnd, Message: f.Message,
		Text: f.Text, ContextBefore: f.ContextBefore, ContextAfter: f.ContextAfter,
		Occurrences: f.Occurrences, JobsAffected: max(len(f.Jobs), 1), AlsoInPassingJobs: f.AlsoInPassingJobs,
	}
}

// Statuses of an analyzed build.
const (
	statusFailed = "failed"
	statusPassed = "passed"
)

// Defaults of analyze_build.
const (
	defaultTop       = 10
	maxTop           = 50
	defaultMaxTokens = 4000
	minMaxTokens     = 1000
	maxMaxTokens     = 100000
)

// analyzeBuildTool describes analyze_build; allowed are the directories
// it reads log files from.
func analyzeBuildTool(allowed []string) *mcp.Tool {
	return &mcp.Tool{
		Name:  "analyze_build",
		Title: "Explain a failed CI build",
		Description: "Find why a CI build failed. Give a build URL (Buildkite, GitHub Actions, GitLab, Jenkins; a job URL narrows it to that job) or a local log file path. " +
			pathRule(allowed) +
			"Downloads the failed jobs' logs, and returns the build's state, its failed jobs, and the log lines most likely to explain the failure (findings), " +
			"best first, each with its job, line numbers, a confidence and a short context. Waits until the analysis is complete (large builds can take a minute). " +
			"The result fits max_tokens (about 4000 by default). Keep the request_id: get_finding, search_log, read_log and list_jobs use it to look further " +
			"without downloading again.",
		InputSchema: inputSchema[AnalyzeBuildInput](map[string]intParam{
			"top":        {def: defaultTop, min: 1, max: maxTop},
			"max_tokens": {def: defaultMaxTokens, min: minMaxTokens, max: maxMaxTokens},
		}),
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true, OpenWorldHint: ptr(true)},
	}
}

// pathRule says which log files analyze_build may read.
func pathRule(allowed []string) string {
	if len(allowed) == 0 {
		return "This server reads no local log file (the user allows directories with destill mcp --allow-dir): give a build URL. "
	}
	return "A path must name a regular file (no device, pipe or standard input) inside these directories or their subdirectories: " +
		strings.Join(allowed, ", ") + " (the user chooses them with destill mcp --allow-dir). "
}

func ptr[T any](v T) *T { return &v }

func (s *Server) analyzeBuild(ctx context.Context, call *mcp.CallToolRequest, in AnalyzeBuildInput) (*mcp.CallToolResult, AnalyzeBuildOutput, error) {
	var out AnalyzeBuildOutput
	arg, err := inputArg(in)
	if err != nil {
		return nil, out, err
	}
	if in.URL == "" {
		if arg, err = s.allowedFile(arg); err != nil {
			return nil, out, err
		}
	}
	input, err := s.opts.ResolveFunc(arg)
	if err != nil {
		if v := s.missingToken(arg); v != "" {
			err = fmt.Errorf("%w. destill mcp reads tokens from its own environment, not your shell's: add %s to the \"env\" of the destill server in the MCP client's configuration (claude mcp add --env %s=…), then restart the client", err, v, v)
		}
		return nil, out, fmt.Errorf("cannot read %s: %w", arg, err)
	}
	input.Secrets = append(input.Secrets, s.opts.Secrets...)
	req, err := s.analyze(ctx, call, arg, input, in.Jobs)
	if req == nil {
		return nil, out, redactErr(err, input.Secrets)
	}
	out = briefOutput(req, in.Top)
	if err != nil { // kept here, but not shared
		err = redactErr(err, input.Secrets)
		s.log.Warn("analysis not saved to the database", "request_id", req.ID, "err", err)
		out.Notes = append(out.Notes, "this result could not be saved to the database, so other processes (destill view) cannot read it, but this server's tools can: "+err.Error())
	}
	text := fitBudget(&out, in.MaxTokens)
	return textResult(text), out, nil
}

// missingToken returns the token variable a build URL needs when the
// server's environment lacks it.
func (s *Server) missingToken(arg string) string {
	ref, err := providers.ParseBuildURL(arg)
	if err != nil {
		return ""
	}
	var vars []string
	switch ref.Provider {
	case providers.KindBuildkite:
		vars = []string{sources.EnvBuildkiteToken}
	case providers.KindGitHubActions:
		vars = []string{sources.EnvGitHubToken, sources.EnvGHToken}
	case providers.KindGitLab:
		vars = []string{sources.EnvGitLabToken}
	}
	for _, v := range vars {
		if strings.TrimSpace(s.opts.Getenv(v)) != "" {
			return ""
		}
	}
	if len(vars) == 0 {
		return ""
	}
	return vars[0]
}

// inputArg checks that exactly one of url and path is given and returns it
// as sources.Resolve expects it.
func inputArg(in AnalyzeBuildInput) (string, error) {
	url, path := strings.TrimSpace(in.URL), strings.TrimSpace(in.Path)
	switch {
	case url != "" && path != "":
		return "", errors.New("give either url or path, not both")
	case url != "":
		if !sources.LooksLikeURL(url) {
			return "", fmt.Errorf("url %q is not an http(s) build URL; for a log file on this machine, pass it as path", url)
		}
		return url, nil
	case path != "":
		if sources.LooksLikeURL(path) {
			return "", fmt.Errorf("path %q is a URL; pass it as url", path)
		}
		if path == "-" {
			return "", errors.New(`path "-" (standard input) cannot be read over MCP; pass the path of a log file`)
		}
		if rest, ok := strings.CutPrefix(path, "~/"); ok {
			if home, err := os.UserHomeDir(); err == nil {
				path = filepath.Join(home, rest)
			}
		}
		if !filepath.IsAbs(path) {
			wd, _ := os.Getwd()
			return "", fmt.Errorf("path %q is relative and the server runs in %s; pass an absolute path", path, wd)
		}
		return path, nil
	}
	return "", errors.New("give url (a CI build URL) or path (a log file on this machine)")
}

// analyze runs the pipeline on arg's input, keeping the job logs it reads,
// and stores the result. When the store kept the result but could not
// share it, it returns the request with that error.
func (s *Server) analyze(ctx context.Context, call *mcp.CallToolRequest, arg string, input sources.Input, jobs []string) (*Request, error) {
	dir, remove, err := s.tempDir()
	if err != nil {
		return nil, err
	}
	keep := newLogKeeper(input.Source, dir, s.opts.MaxKeptBytes, input.Secrets, s.log)
	req := &Request{ID: s.opts.NewID(), Input: arg, Status: backend.StatusDone, Secrets: input.Secrets, CloseFunc: remove}
	kept := false
	defer func() {
		if !kept {
			req.close()
		}
	}()

	build, err := keep.Build(ctx)
	if err != nil {
		return nil, err
	}
	req.Build = build
	jobIDs, err := selectJobs(build, jobs, input.JobIDs)
	if err != nil {
		return nil, err
	}

	var mu sync.Mutex
	req.Steps = map[string][]analysis.Section{}
	// Only a shared store saves the jobs' results (and drops them once
	// saved); for the server's own they would hold every job's lines
	// until the build is done, for nothing.
	_, shared := s.requests.(*SharedRequests)
	if shared {
		req.Results = map[string]analysis.JobResult{}
	}
	progress := newProgress(ctx, call)
	defer progress.stop()
	popts := pipeline.Options{
		Analysis:    analysis.Options{Secrets: input.Secrets},
		Concurrency: s.opts.Concurrency,
		JobIDs:      jobIDs,
		Tool:        analysis.Tool{Name: s.info.Name, Version: s.info.Version},
		Source:      input.Describe,
		TempDir:     s.opts.TempDir,
		JobResultFunc: func(job providers.Job, res analysis.JobResult) {
			mu.Lock()
			defer mu.Unlock()
			req.Steps[job.ID] = res.Sections
			if shared {
				req.Results[job.ID] = res
			}
		},
	}
	if f, ok := input.Source.(baselines.Finder); ok {
		// Compare with passing logs of the same jobs, as destill analyze
		// does; the server's cache serves every analysis.
		popts.Baselines = baselines.New(f, baselines.Options{Cache: s.baselines, Secrets: input.Secrets})
	}
	rep, err := pipeline.Run(ctx, keep, popts, progress.update)
	switch {
	case ctx.Err() != nil:
		return nil, fmt.Errorf("analysis cancelled: %w", ctx.Err())
	case errors.Is(err, pipeline.ErrNothingToAnalyze):
		rep, err = nothingToAnalyze(build, popts, len(jobIDs) > 0)
		if err != nil {
			return nil, err
		}
	case err != nil:
		return nil, fmt.Errorf("%w; the build was not analyzed", err)
	}
	rep.RequestID = req.ID
	rep.Status = statusOf(rep, build)
	req.Report = rep

	logs, size := keep.kept()
	req.Logs = map[string]JobLog{}
	for _, j := range rep.Jobs {
		if l := logs[j.ID]; l != nil && j.Analyzed {
			req.Logs[j.ID] = l
		}
	}
	if names := keep.overCap(); len(names) > 0 {
		req.Report.Notes = append(req.Report.Notes, fmt.Sprintf("the logs of %s are larger than the %s this server keeps per analysis: their findings are here, but get_finding, search_log and read_log cannot read them",
			strings.Join(names, ", "), render.Size(s.opts.MaxKeptBytes)))
	}
	req.Bytes = size
	if err := s.requests.Put(ctx, req); err != nil {
		if errors.Is(err, ErrNotShared) {
			kept = true
			return req, err
		}
		return nil, fmt.Errorf("keep the analysis: %w", err)
	}
	kept = true
	return req, nil
}

// selectJobs maps the jobs filter to job IDs: each entry names jobs by ID,
// by name, or by a case-insensitive part of the name. urlJobs (a job URL)
// narrows the choice further.
func selectJobs(build providers.Build, filter, urlJobs []string) ([]string, error) {
	if len(filter) == 0 {
		return urlJobs, nil
	}
	inURL := map[string]bool{}
	for _, id := range urlJobs {
		inURL[id] = true
	}
	var ids []string
	seen := map[string]bool{}
	for _, f := range filter {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		matched := matchJobs(build.Jobs, f, func(j providers.Job) (string, string) { return j.ID, j.Name })
		if len(matched) == 0 {
			return nil, fmt.Errorf("no job matches %q; the build's jobs are: %s", f, jobNames(build.Jobs, 25))
		}
		for _, j := range matched {
			if len(inURL) > 0 && !inURL[j.ID] {
				continue
			}
			if !seen[j.ID] {
				seen[j.ID] = true
				ids = append(ids, j.ID)
			}
		}
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("the jobs filter %q matches no job of the one the URL names; drop the filter or use the build's URL", strings.Join(filter, ", "))
	}
	return ids, nil
}

func jobNames(jobs []providers.Job, max int) string {
	var names []string
	for i, j := range jobs {
		if i == max {
			names = append(names, fmt.Sprintf("… (%d more; list them with list_jobs)", len(jobs)-max))
			break
		}
		names = append(names, fmt.Sprintf("%q (%s)", j.Name, j.State))
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// nothingToAnalyze builds the report of a build with no failed job to
// read: a passed build, or a failed one whose failed jobs have no log.
func nothingToAnalyze(build providers.Build, popts pipeline.Options, filtered bool) (analysis.Report, error) {
	if filtered {
		return analysis.Report{}, fmt.Errorf("none of the selected jobs has a log to read (jobs: %s); pick jobs that ran", jobNames(build.Jobs, 25))
	}
	jobs := make([]analysis.JobSummary, len(build.Jobs))
	for i, j := range build.Jobs {
		jobs[i] = pipeline.JobSummary(j)
	}
	rep := pipeline.NewReport(build, popts.Tool, popts.Source, jobs, nil, nil)
	rep.Summary.JobsFailed = 0 // a retried attempt did not fail the build
	var failedNoLog []string
	for _, j := range build.Jobs {
		if j.Failed() && !j.Retried {
			rep.Summary.JobsFailed++
			failedNoLog = append(failedNoLog, fmt.Sprintf("%q (%s)", j.Name, j.State))
		}
	}
	if len(failedNoLog) > 0 {
		rep.Notes = append(rep.Notes, "no failed job has a log to read: "+strings.Join(failedNoLog, ", ")+"; they never ran, usually because an earlier job or a dependency failed")
	} else if buildStateFailed(build.State) {
		rep.Notes = append(rep.Notes, fmt.Sprintf("the build's state is %q but no job failed: the failure is likely outside the jobs (pipeline or workflow definition, a required check, an annotation)", build.State))
	}
	return rep, nil
}

// statusOf is the verdict on a report: passed only for a build that was
// read and in which nothing failed.
func statusOf(rep analysis.Report, build providers.Build) string {
	if rep.Summary.JobsFailed > 0 || buildStateFailed(build.State) {
		return statusFailed
	}
	return statusPassed
}

func buildStateFailed(state string) bool {
	s := strings.ToLower(state)
	for _, w := range []string{"fail", "error", "cancel", "timed", "broken"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// redactErr removes the given secrets from err's text, on one line.
func redactErr(err error, secrets []string) error {
	if err == nil {
		return nil
	}
	return errors.New(analysis.NewRedactor(secrets...).RedactLiterals(oneLine(err.Error())))
}

// briefOutput is analyze_build's answer for req, before fitting it to the
// token budget.
func briefOutput(req *Request, top int) AnalyzeBuildOutput {
	rep := req.Report
	out := AnalyzeBuildOutput{
		RequestID:  req.ID,
		Status:     rep.Status,
		Source:     rep.Source,
		Summary:    rep.Summary,
		FailedJobs: []JobBrief{},
		Findings:   []FindingBrief{},
		Baseline:   rep.Baseline,
	}
	red := analysis.NewRedactor(req.Secrets...)
	retried := map[string]bool{}
	for _, j := range req.Build.Jobs {
		retried[j.ID] = j.Retried
	}
	for _, j := range rep.Jobs {
		if !j.Failed || j.Retried || retried[j.ID] {
			continue // a retried attempt is not what failed the build
		}
		out.FailedJobs = append(out.FailedJobs, JobBrief{ID: j.ID, Name: j.Name, Step: j.Step, State: j.State, ExitStatus: j.ExitStatus,
			Analyzed: j.Analyzed, LogLines: j.LogLines, Error: red.RedactLiterals(j.Error), URL: j.URL})
	}
	if top <= 0 {
		top = defaultTop
	}
	for i, f := range rep.Findings {
		if i == top {
			break
		}
		out.Findings = append(out.Findings, brief(redactFinding(red, f)))
	}
	out.FindingsOmitted = len(rep.Findings) - len(out.Findings)
	for _, n := range rep.Notes {
		out.Notes = append(out.Notes, red.RedactLiterals(n))
	}
	return out
}
