// Package buildkite reads Buildkite builds, job logs and JUnit artifacts
// through the REST API v2.
package buildkite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/httpapi"
	"github.com/destill-dev/destill/providers/junit"
)

// DefaultBaseURL is Buildkite's API.
const DefaultBaseURL = "https://api.buildkite.com"

// Scopes are the token scopes destill needs.
const Scopes = "the read_builds, read_build_logs and read_artifacts scopes"

// Client reads one Buildkite build through the API; it implements the
// pipeline.Source.
type Client struct {
	ref   providers.BuildRef
	api   *httpapi.Client
	base  string
	hints httpapi.Hints

	mu   sync.Mutex
	jobs map[string]jobJSON
	// defaultBranch is the pipeline's, as the build said (see passing.go).
	defaultBranch string
}

// New returns a Client for the build ref names.
func New(ref providers.BuildRef, cfg providers.ClientConfig) *Client {
	base := cfg.APIBase(DefaultBaseURL)
	base = strings.TrimSuffix(base, "/v2")
	token := cfg.Token
	return &Client{
		ref:  ref,
		base: base,
		api: httpapi.New(httpapi.Config{
			Name:    "Buildkite",
			BaseURL: base,
			HTTP:    cfg.HTTP,
			Notify:  cfg.Notify,
			Waiting: cfg.Waiting,
			Auth:    func(h http.Header) { h.Set("Authorization", "Bearer "+token) },
			Header:  http.Header{"Accept": {"application/json"}},
		}),
		hints: httpapi.Hints{Provider: "Buildkite", TokenVar: cfg.TokenVar, Scopes: Scopes, BaseURLVar: "BUILDKITE_API_URL"},
		jobs:  map[string]jobJSON{},
	}
}

func (s *Client) buildURL() string {
	return fmt.Sprintf("%s/v2/organizations/%s/pipelines/%s/builds/%d", s.base,
		url.PathEscape(s.ref.Org), url.PathEscape(s.ref.Repo), s.ref.Number)
}

type buildJSON struct {
	ID         string     `json:"id"`
	Number     int64      `json:"number"`
	State      string     `json:"state"`
	WebURL     string     `json:"web_url"`
	Branch     string     `json:"branch"`
	Commit     string     `json:"commit"`
	FinishedAt *time.Time `json:"finished_at"`
	Pipeline   struct {
		Slug          string `json:"slug"`
		DefaultBranch string `json:"default_branch"`
	} `json:"pipeline"`
	// Jobs are embedded in a build of the builds list.
	Jobs []jobJSON `json:"jobs"`
}

type jobJSON struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Name     string `json:"name"`
	Label    string `json:"label"`
	Command  string `json:"command"`
	StepKey  string `json:"step_key"`
	GroupKey string `json:"group_key"`
	Step     *struct {
		ID string `json:"id"`
	} `json:"step"`
	State        string     `json:"state"`
	ExitStatus   *int       `json:"exit_status"`
	SoftFailed   bool       `json:"soft_failed"`
	Retried      bool       `json:"retried"`
	RetriesCount *int       `json:"retries_count"`
	WebURL       string     `json:"web_url"`
	RawLogURL    string     `json:"raw_log_url"`
	StartedAt    *time.Time `json:"started_at"`
	FinishedAt   *time.Time `json:"finished_at"`
}

type jobsPage struct {
	Items []jobJSON `json:"items"`
	Links struct {
		Next string `json:"next"`
	} `json:"links"`
}

// Build reads the build, then its jobs through the cursor-paginated jobs
// list (which, unlike the build, includes retried jobs and any number of
// them). Where that list does not exist (404), the jobs come embedded in
// the build instead.
func (s *Client) Build(ctx context.Context) (providers.Build, error) {
	var b buildJSON
	what := fmt.Sprintf("build %s/%s #%d", s.ref.Org, s.ref.Repo, s.ref.Number)
	if _, err := s.api.GetJSON(ctx, s.buildURL()+"?exclude_jobs=true", &b); err != nil {
		return providers.Build{}, httpapi.ExplainBuild(err, s.hints, what)
	}
	jobs, err := s.listJobs(ctx)
	if err != nil {
		return providers.Build{}, httpapi.ExplainBuild(err, s.hints, what)
	}
	out := s.toBuild(b)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.defaultBranch = b.Pipeline.DefaultBranch
	for _, j := range jobs {
		if j.Type == "waiter" {
			continue // a wait step is not a job with a log or an outcome
		}
		if s.ref.StepID != "" && (j.Step == nil || j.Step.ID != s.ref.StepID) {
			continue
		}
		s.jobs[j.ID] = j
		job := convertJob(j)
		if job.State == providers.JobRunning {
			out.Running = true
		}
		out.Jobs = append(out.Jobs, job)
	}
	// The build's own state says whether it runs: block steps, and the
	// jobs waiting behind them, never make a finished build running.
	switch b.State {
	case "running", "failing", "scheduled", "creating", "canceling":
		out.Running = true
	}
	out.Settle()
	return out, nil
}

// listJobs reads every page of the build's jobs list. An API without that
// list (an older Buildkite, a proxy that does not know it) answers its
// first page 404: the jobs embedded in the build, retried ones included,
// are read instead.
func (s *Client) listJobs(ctx context.Context) ([]jobJSON, error) {
	var jobs []jobJSON
	seen := map[string]bool{}
	first := true
	for next := s.buildURL() + "/jobs?per_page=100"; next != ""; first = false {
		var page jobsPage
		if _, err := s.api.GetJSON(ctx, next, &page); err != nil {
			var se *httpapi.StatusError
			if first && errors.As(err, &se) && se.Status == http.StatusNotFound && !se.Foreign {
				return s.embeddedJobs(ctx)
			}
			return nil, err
		}
		for _, j := range page.Items {
			if !seen[j.ID] {
				seen[j.ID] = true
				jobs = append(jobs, j)
			}
		}
		next = page.Links.Next
	}
	return jobs, nil
}

// embeddedJobs reads the jobs the build itself holds.
func (s *Client) embeddedJobs(ctx context.Context) ([]jobJSON, error) {
	var b buildJSON
	if _, err := s.api.GetJSON(ctx, s.buildURL()+"?include_retried_jobs=true", &b); err != nil {
		return nil, err
	}
	return b.Jobs, nil
}

// toBuild converts a build of the pipeline s reads, without its jobs.
func (s *Client) toBuild(b buildJSON) providers.Build {
	out := providers.Build{
		Provider: providers.KindBuildkite,
		ID:       b.ID,
		Number:   b.Number,
		Pipeline: s.ref.Org + "/" + s.ref.Repo,
		State:    b.State,
		Branch:   b.Branch,
		Commit:   b.Commit,
		URL:      b.WebURL,
	}
	if out.URL == "" {
		out.URL = fmt.Sprintf("https://buildkite.com/%s/%s/builds/%d", s.ref.Org, s.ref.Repo, b.Number)
	}
	return out
}

func convertJob(j jobJSON) providers.Job {
	name := j.Name
	if name == "" {
		name = j.Label
	}
	if name == "" {
		name, _, _ = strings.Cut(strings.TrimSpace(j.Command), "\n")
	}
	if name == "" {
		name = j.Type + " " + j.ID
	}
	state, ran := jobState(j.State)
	job := providers.Job{
		ID:         j.ID,
		Name:       name,
		Step:       j.GroupKey,
		StepKey:    j.StepKey,
		State:      state,
		ExitStatus: j.ExitStatus,
		SoftFailed: j.SoftFailed,
		Retried:    j.Retried,
		Attempt:    1,
		URL:        j.WebURL,
		HasLog:     ran && (j.Type == "script" || j.Type == ""),
	}
	if job.StepKey == "" && j.Step != nil {
		job.StepKey = j.Step.ID
	}
	if job.StepKey == "" {
		job.StepKey = name
	}
	if j.RetriesCount != nil {
		job.Attempt = *j.RetriesCount + 1
	}
	if j.StartedAt != nil {
		job.StartedAt = *j.StartedAt
	}
	if j.FinishedAt != nil {
		job.FinishedAt = *j.FinishedAt
	}
	return job
}

// jobState maps a Buildkite job state. A failed or timed-out job is a
// failure whatever its exit status (null when the agent was lost). ran is
// false for jobs that never started and so have no log.
func jobState(s string) (state providers.JobState, ran bool) {
	switch s {
	case "passed":
		return providers.JobPassed, true
	case "failed":
		return providers.JobFailed, true
	case "timed_out":
		return providers.JobTimedOut, true
	case "canceled", "cancelled":
		return providers.JobCancelled, true
	case "expired":
		return providers.JobCancelled, false
	case "broken", "waiting_failed", "blocked_failed", "unblocked_failed":
		return providers.JobBroken, false
	case "skipped":
		return providers.JobSkipped, false
	case "blocked":
		return providers.JobBlocked, false
	case "running", "assigned", "accepted", "reserved", "timing_out", "canceling":
		return providers.JobRunning, true
	case "pending", "waiting", "scheduled", "limiting", "limited", "platform_limiting", "platform_limited", "unblocked", "creating":
		return providers.JobPending, false
	}
	return providers.JobUnknown, false
}

// OpenLog streams the job's raw log.
func (s *Client) OpenLog(ctx context.Context, job providers.Job) (io.ReadCloser, error) {
	s.mu.Lock()
	j, ok := s.jobs[job.ID]
	s.mu.Unlock()
	u := j.RawLogURL
	if !ok || u == "" {
		u = s.buildURL() + "/jobs/" + url.PathEscape(job.ID) + "/log.txt"
	}
	resp, err := s.api.Get(ctx, u, http.Header{"Accept": {"text/plain"}})
	if err != nil {
		return nil, httpapi.ExplainLog(err)
	}
	return resp.Body, nil
}

type artifactJSON struct {
	ID          string `json:"id"`
	JobID       string `json:"job_id"`
	State       string `json:"state"`
	Path        string `json:"path"`
	DownloadURL string `json:"download_url"`
	FileSize    int64  `json:"file_size"`
}

// maxReports bounds the JUnit artifacts read per build.
const maxReports = 50

// TestReports reads the JUnit XML artifacts the given jobs uploaded.
func (s *Client) TestReports(ctx context.Context, jobs []providers.Job) ([]providers.TestReport, error) {
	want := map[string]bool{}
	for _, j := range jobs {
		want[j.ID] = true
	}
	var arts []artifactJSON
	for next := s.buildURL() + "/artifacts?per_page=100"; next != ""; {
		var page []artifactJSON
		h, err := s.api.GetJSON(ctx, next, &page)
		if err != nil {
			return nil, fmt.Errorf("list artifacts: %w", err)
		}
		for _, a := range page {
			if want[a.JobID] && a.State == "finished" && junit.LooksLikeReport(a.Path) {
				arts = append(arts, a)
			}
		}
		next = httpapi.NextLink(h)
	}
	return junit.ReadEach(arts, maxReports, "reports",
		func(a artifactJSON) string { return a.Path },
		func(a artifactJSON) ([]providers.TestReport, error) {
			cases, err := s.readReport(ctx, a)
			if err != nil {
				return nil, err
			}
			return []providers.TestReport{{JobID: a.JobID, Path: a.Path, Failed: cases}}, nil
		})
}

func (s *Client) readReport(ctx context.Context, a artifactJSON) ([]providers.TestCase, error) {
	resp, err := s.api.Get(ctx, a.DownloadURL, nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return junit.Parse(io.LimitReader(resp.Body, 64<<20))
}
