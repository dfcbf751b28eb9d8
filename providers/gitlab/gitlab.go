// Package gitlab reads GitLab CI pipelines and job traces through the
// REST API v4 (gitlab.com or self-managed).
package gitlab

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/httpapi"
)

// DefaultBaseURL is gitlab.com's API.
const DefaultBaseURL = "https://gitlab.com/api/v4"

// Scopes are the token scopes destill needs.
const Scopes = "the read_api scope"

// Client reads one pipeline through the API; it implements the pipeline's
// Source.
type Client struct {
	ref   providers.BuildRef
	api   *httpapi.Client
	base  string
	hints httpapi.Hints

	mu sync.Mutex
	// pipelineID is the pipeline Build read (see passing.go).
	pipelineID int64
}

// New returns a Client for the pipeline (or job) ref names.
func New(ref providers.BuildRef, cfg providers.ClientConfig) *Client {
	base := cfg.APIBase(DefaultBaseURL)
	token := cfg.Token
	return &Client{
		ref:  ref,
		base: base,
		api: httpapi.New(httpapi.Config{
			Name:    "GitLab",
			BaseURL: base,
			HTTP:    cfg.HTTP,
			Notify:  cfg.Notify,
			Waiting: cfg.Waiting,
			// PRIVATE-TOKEN is not a header Go strips on redirect;
			// httpapi never sends it beyond the API's own host.
			Auth: func(h http.Header) { h.Set("PRIVATE-TOKEN", token) },
		}),
		hints: httpapi.Hints{Provider: "GitLab", TokenVar: cfg.TokenVar, Scopes: Scopes, BaseURLVar: "GITLAB_API_URL"},
	}
}

// projectURL addresses the project by its URL-encoded path ("a%2Fb%2Fc").
func (s *Client) projectURL() string {
	return s.base + "/projects/" + url.PathEscape(s.ref.Repo)
}

type pipelineJSON struct {
	ID         int64  `json:"id"`
	Status     string `json:"status"`
	Ref        string `json:"ref"`
	SHA        string `json:"sha"`
	WebURL     string `json:"web_url"`
	YAMLErrors any    `json:"yaml_errors"`
}

type jobJSON struct {
	ID            int64      `json:"id"`
	Name          string     `json:"name"`
	Stage         string     `json:"stage"`
	Status        string     `json:"status"`
	FailureReason string     `json:"failure_reason"`
	AllowFailure  bool       `json:"allow_failure"`
	WebURL        string     `json:"web_url"`
	StartedAt     *time.Time `json:"started_at"`
	FinishedAt    *time.Time `json:"finished_at"`
	Pipeline      struct {
		ID int64 `json:"id"`
	} `json:"pipeline"`
}

// Build reads the pipeline and its jobs (the latest run of each). A URL
// naming only a job is resolved to the job's pipeline first.
func (s *Client) Build(ctx context.Context) (providers.Build, error) {
	number := s.ref.Number
	if number == 0 {
		var j jobJSON
		what := fmt.Sprintf("job %s of %s", s.ref.JobID, s.ref.Repo)
		if _, err := s.api.GetJSON(ctx, s.projectURL()+"/jobs/"+url.PathEscape(s.ref.JobID), &j); err != nil {
			return providers.Build{}, httpapi.ExplainBuild(err, s.hints, what)
		}
		number = j.Pipeline.ID
	}
	what := fmt.Sprintf("pipeline %d of %s", number, s.ref.Repo)
	pipeURL := fmt.Sprintf("%s/pipelines/%d", s.projectURL(), number)
	var p pipelineJSON
	if _, err := s.api.GetJSON(ctx, pipeURL, &p); err != nil {
		return providers.Build{}, httpapi.ExplainBuild(err, s.hints, what)
	}
	jobs, err := s.listJobs(ctx, pipeURL)
	if err != nil {
		return providers.Build{}, httpapi.ExplainBuild(err, s.hints, what)
	}
	s.mu.Lock()
	s.pipelineID = p.ID
	s.mu.Unlock()
	if p.YAMLErrors != nil && p.YAMLErrors != "" && len(jobs) == 0 {
		return providers.Build{}, fmt.Errorf("pipeline %d has no jobs because its configuration is invalid: %v", p.ID, p.YAMLErrors)
	}
	return s.toBuild(p, jobs), nil
}

// listJobs reads every page of a pipeline's jobs (the latest run of each).
func (s *Client) listJobs(ctx context.Context, pipeURL string) ([]jobJSON, error) {
	return s.listJobsFrom(ctx, pipeURL+"/jobs?per_page=100")
}

// listJobsFrom reads every page of a jobs list, from its first page's URL.
func (s *Client) listJobsFrom(ctx context.Context, first string) ([]jobJSON, error) {
	var jobs []jobJSON
	seen := map[int64]bool{}
	for next := first; next != ""; {
		var page []jobJSON
		h, err := s.api.GetJSON(ctx, next, &page)
		if err != nil {
			return nil, err
		}
		for _, j := range page {
			if !seen[j.ID] {
				seen[j.ID] = true
				jobs = append(jobs, j)
			}
		}
		next = nextPage(next, h)
	}
	return jobs, nil
}

// toBuild converts a pipeline and its jobs, oldest job first.
func (s *Client) toBuild(p pipelineJSON, jobs []jobJSON) providers.Build {
	out := providers.Build{
		Provider: providers.KindGitLab,
		ID:       strconv.FormatInt(p.ID, 10),
		Number:   p.ID,
		Pipeline: s.ref.Repo,
		State:    p.Status,
		Branch:   p.Ref,
		Commit:   p.SHA,
		URL:      p.WebURL,
	}
	// The pipeline's own status says whether it runs: manual jobs, and
	// jobs created behind them, never make a finished pipeline running.
	switch p.Status {
	case "created", "waiting_for_resource", "preparing", "pending", "running", "scheduled", "canceling":
		out.Running = true
	}
	sort.Slice(jobs, func(a, b int) bool { return jobs[a].ID < jobs[b].ID })
	for _, j := range jobs {
		job := convertJob(j)
		if job.State == providers.JobRunning {
			out.Running = true
		}
		out.Jobs = append(out.Jobs, job)
	}
	out.Settle()
	return out
}

// nextPage follows the Link header, or else X-Next-Page (empty on the last
// page).
func nextPage(cur string, h http.Header) string {
	if l := httpapi.NextLink(h); l != "" {
		return l
	}
	np := h.Get("X-Next-Page")
	if np == "" {
		return ""
	}
	u, err := url.Parse(cur)
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set("page", np)
	u.RawQuery = q.Encode()
	return u.String()
}

// parallelSuffix matches "test 2/4" and matrix "test: [ruby, 3.2]".
var parallelSuffix = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(\s+\d+/\d+|:\s*\[[^\]]*\])$`) })

func convertJob(j jobJSON) providers.Job {
	state, ran := jobState(j.Status, j.FailureReason)
	job := providers.Job{
		ID:         strconv.FormatInt(j.ID, 10),
		Name:       j.Name,
		Step:       j.Stage,
		StepKey:    parallelSuffix().ReplaceAllString(j.Name, ""),
		State:      state,
		SoftFailed: j.AllowFailure && (state == providers.JobFailed || state == providers.JobTimedOut),
		Attempt:    1,
		URL:        j.WebURL,
		HasLog:     ran,
	}
	if j.WebURL != "" {
		job.LineURL = j.WebURL + "#L{line}"
	}
	if j.StartedAt != nil {
		job.StartedAt = *j.StartedAt
	}
	if j.FinishedAt != nil {
		job.FinishedAt = *j.FinishedAt
	}
	return job
}

// jobState maps a GitLab job status; a failure for a timeout reason is a
// timeout.
func jobState(status, reason string) (providers.JobState, bool) {
	switch status {
	case "success":
		return providers.JobPassed, true
	case "failed":
		if reason == "job_execution_timeout" || reason == "stuck_or_timeout_failure" {
			return providers.JobTimedOut, true
		}
		return providers.JobFailed, true
	case "canceled":
		return providers.JobCancelled, true
	case "canceling", "running":
		return providers.JobRunning, true
	case "skipped":
		return providers.JobSkipped, false
	case "manual":
		return providers.JobManual, false
	case "created", "pending", "preparing", "waiting_for_resource", "scheduled":
		return providers.JobPending, false
	}
	return providers.JobUnknown, false
}

// OpenLog streams the job's trace. An archived trace may be a redirect to
// object storage, fetched without the token.
func (s *Client) OpenLog(ctx context.Context, job providers.Job) (io.ReadCloser, error) {
	resp, err := s.api.Get(ctx, s.projectURL()+"/jobs/"+url.PathEscape(job.ID)+"/trace", http.Header{"Accept": {"text/plain"}})
	if err != nil {
		return nil, httpapi.ExplainLog(err)
	}
	return resp.Body, nil
}
