// Package githubactions reads GitHub Actions workflow runs, job logs and
// JUnit artifacts through GitHub's REST API (github.com or Enterprise
// Server).
package githubactions

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/httpapi"
	"github.com/destill-dev/destill/providers/junit"
)

// DefaultBaseURL is github.com's API.
const DefaultBaseURL = "https://api.github.com"

// Scopes are the token permissions destill needs.
const Scopes = "the repo scope (classic token) or Actions: read (fine-grained token)"

// Client reads one workflow run (attempt) through the API; it implements
// the pipeline's Source.
type Client struct {
	ref   providers.BuildRef
	api   *httpapi.Client
	base  string
	hints httpapi.Hints

	mu sync.Mutex
	// run is the run Build read (see passing.go).
	run runJSON
	// hint names the workflow whose runs RecentBuilds lists before Build
	// has read the run (see history.go).
	hint string
}

// New returns a Client for the run ref names.
func New(ref providers.BuildRef, cfg providers.ClientConfig) *Client {
	base := cfg.APIBase(DefaultBaseURL)
	token := cfg.Token
	return &Client{
		ref:  ref,
		base: base,
		api: httpapi.New(httpapi.Config{
			Name:    "GitHub",
			BaseURL: base,
			HTTP:    cfg.HTTP,
			Notify:  cfg.Notify,
			Waiting: cfg.Waiting,
			Auth:    func(h http.Header) { h.Set("Authorization", "Bearer "+token) },
			Header: http.Header{
				"Accept":               {"application/vnd.github+json"},
				"X-Github-Api-Version": {"2022-11-28"},
			},
		}),
		hints: httpapi.Hints{Provider: "GitHub", TokenVar: cfg.TokenVar, Scopes: Scopes, BaseURLVar: "GITHUB_API_URL", SSO: true},
	}
}

func (s *Client) repoURL() string {
	return fmt.Sprintf("%s/repos/%s/%s", s.base, url.PathEscape(s.ref.Org), url.PathEscape(s.ref.Repo))
}

func (s *Client) runURL() string {
	u := fmt.Sprintf("%s/actions/runs/%d", s.repoURL(), s.ref.Number)
	if s.ref.Attempt > 0 {
		u += fmt.Sprintf("/attempts/%d", s.ref.Attempt)
	}
	return u
}

type runJSON struct {
	ID         int64   `json:"id"`
	Name       string  `json:"name"`
	HeadBranch string  `json:"head_branch"`
	HeadSHA    string  `json:"head_sha"`
	Status     string  `json:"status"`
	Conclusion *string `json:"conclusion"`
	HTMLURL    string  `json:"html_url"`
	RunAttempt int     `json:"run_attempt"`
	WorkflowID int64   `json:"workflow_id"`
}

type jobJSON struct {
	ID          int64      `json:"id"`
	RunAttempt  int        `json:"run_attempt"`
	HTMLURL     string     `json:"html_url"`
	Status      string     `json:"status"`
	Conclusion  *string    `json:"conclusion"`
	StartedAt   *time.Time `json:"started_at"`
	CompletedAt *time.Time `json:"completed_at"`
	Name        string     `json:"name"`
	Steps       []struct {
		Name       string  `json:"name"`
		Conclusion *string `json:"conclusion"`
		Number     int     `json:"number"`
	} `json:"steps"`
	RunnerName   *string `json:"runner_name"`
	WorkflowName string  `json:"workflow_name"`
}

type jobsPage struct {
	TotalCount int       `json:"total_count"`
	Jobs       []jobJSON `json:"jobs"`
}

// Build reads the run (the attempt the URL names, or the latest) and its
// jobs: with filter=latest, the latest execution of every job, which after
// a partial re-run includes the jobs the re-run did not repeat.
func (s *Client) Build(ctx context.Context) (providers.Build, error) {
	what := fmt.Sprintf("workflow run %s/%s %d", s.ref.Org, s.ref.Repo, s.ref.Number)
	var run runJSON
	if _, err := s.api.GetJSON(ctx, s.runURL(), &run); err != nil {
		return providers.Build{}, httpapi.ExplainBuild(err, s.hints, what)
	}
	first := s.runURL() + "/jobs?per_page=100"
	if s.ref.Attempt == 0 {
		first += "&filter=latest"
	}
	jobs, err := s.listJobs(ctx, first)
	if err != nil {
		return providers.Build{}, httpapi.ExplainBuild(err, s.hints, what)
	}
	s.mu.Lock()
	s.run = run
	s.mu.Unlock()
	conclusion := deref(run.Conclusion)
	if conclusion == "startup_failure" && len(jobs) == 0 {
		return providers.Build{}, fmt.Errorf("workflow run %d failed before any job started (startup_failure): the workflow file is probably invalid; see %s", run.ID, run.HTMLURL)
	}
	return s.toBuild(run, jobs), nil
}

// listJobs reads every page of a run's jobs, from the first page's URL.
func (s *Client) listJobs(ctx context.Context, first string) ([]jobJSON, error) {
	var jobs []jobJSON
	seen := map[int64]bool{}
	for next := first; next != ""; {
		var page jobsPage
		h, err := s.api.GetJSON(ctx, next, &page)
		if err != nil {
			return nil, err
		}
		for _, j := range page.Jobs {
			if !seen[j.ID] { // pages can shift while a run adds jobs
				seen[j.ID] = true
				jobs = append(jobs, j)
			}
		}
		next = httpapi.NextLink(h)
	}
	return jobs, nil
}

// toBuild converts a run and its jobs.
func (s *Client) toBuild(run runJSON, jobs []jobJSON) providers.Build {
	conclusion := deref(run.Conclusion)
	out := providers.Build{
		Provider: providers.KindGitHubActions,
		ID:       strconv.FormatInt(run.ID, 10),
		Number:   run.ID,
		Pipeline: s.ref.Org + "/" + s.ref.Repo + "/" + run.Name,
		State:    conclusion,
		Branch:   run.HeadBranch,
		Commit:   run.HeadSHA,
		Attempt:  run.RunAttempt,
		URL:      run.HTMLURL,
	}
	// The run's own status says whether it runs; a run waiting for a
	// person to approve a deployment does not run until someone does.
	switch run.Status {
	case "completed", "waiting", "action_required":
	default:
		out.Running = true
	}
	if out.State == "" {
		out.State = run.Status
	}
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

var matrixSuffix = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\s*\([^()]*\)$`) })

func convertJob(j jobJSON) providers.Job {
	state, ran := jobState(j.Status, deref(j.Conclusion))
	job := providers.Job{
		ID:      strconv.FormatInt(j.ID, 10),
		Name:    j.Name,
		StepKey: j.WorkflowName + "/" + matrixSuffix().ReplaceAllString(j.Name, ""),
		State:   state,
		Attempt: j.RunAttempt,
		URL:     j.HTMLURL,
		HasLog:  ran && (len(j.Steps) > 0 || deref(j.RunnerName) != ""),
	}
	for _, st := range j.Steps {
		switch deref(st.Conclusion) {
		case "failure", "timed_out", "cancelled":
			if job.Step == "" {
				job.Step = st.Name
			}
		}
	}
	if j.StartedAt != nil {
		job.StartedAt = *j.StartedAt
	}
	if j.CompletedAt != nil {
		job.FinishedAt = *j.CompletedAt
	}
	return job
}

// jobState maps a job's status and conclusion. timed_out, cancelled and
// startup_failure are failures; skipped jobs never ran.
func jobState(status, conclusion string) (providers.JobState, bool) {
	switch status {
	case "in_progress":
		return providers.JobRunning, true
	case "queued", "pending", "requested":
		return providers.JobPending, false
	case "waiting": // an environment's protection rules: a reviewer must approve
		return providers.JobBlocked, false
	}
	switch conclusion {
	case "success", "neutral":
		return providers.JobPassed, true
	case "failure", "startup_failure":
		return providers.JobFailed, true
	case "timed_out":
		return providers.JobTimedOut, true
	case "cancelled":
		return providers.JobCancelled, true
	case "skipped", "stale":
		return providers.JobSkipped, false
	case "action_required":
		return providers.JobBlocked, false
	}
	return providers.JobUnknown, false
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// OpenLog streams the job's log. GitHub answers with a redirect to blob
// storage, which is fetched without the token.
func (s *Client) OpenLog(ctx context.Context, job providers.Job) (io.ReadCloser, error) {
	u := fmt.Sprintf("%s/actions/jobs/%s/logs", s.repoURL(), url.PathEscape(job.ID))
	resp, err := s.api.Get(ctx, u, nil)
	if err != nil {
		var se *httpapi.StatusError
		if errors.As(err, &se) && se.Status == http.StatusNotFound && !job.Finished() {
			return nil, fmt.Errorf("log not available yet: the job is still running")
		}
		return nil, httpapi.ExplainLog(err)
	}
	return resp.Body, nil
}

type artifactJSON struct {
	ID                 int64  `json:"id"`
	Name               string `json:"name"`
	SizeInBytes        int64  `json:"size_in_bytes"`
	ArchiveDownloadURL string `json:"archive_download_url"`
	Expired            bool   `json:"expired"`
}

const (
	maxArtifacts    = 20
	maxArtifactSize = 100 << 20
)

// TestReports reads the JUnit XML files inside the run's artifacts whose
// names suggest test results. An artifact is linked to one of jobs when
// its name matches that job's name (matrix values included) best.
func (s *Client) TestReports(ctx context.Context, jobs []providers.Job) ([]providers.TestReport, error) {
	var arts []artifactJSON
	for next := fmt.Sprintf("%s/actions/runs/%d/artifacts?per_page=100", s.repoURL(), s.ref.Number); next != ""; {
		var page struct {
			Artifacts []artifactJSON `json:"artifacts"`
		}
		h, err := s.api.GetJSON(ctx, next, &page)
		if err != nil {
			return nil, fmt.Errorf("list artifacts: %w", err)
		}
		for _, a := range page.Artifacts {
			if !a.Expired && junit.NamesTestResults(a.Name) && a.SizeInBytes <= maxArtifactSize {
				arts = append(arts, a)
			}
		}
		next = httpapi.NextLink(h)
	}
	return junit.ReadEach(arts, maxArtifacts, "artifacts",
		func(a artifactJSON) string { return "artifact " + a.Name },
		func(a artifactJSON) ([]providers.TestReport, error) {
			reports, err := s.readArtifact(ctx, a)
			if err != nil {
				return nil, err
			}
			jobID := matchJob(a.Name, jobs)
			for i := range reports {
				reports[i].JobID = jobID
			}
			return reports, nil
		})
}

// readArtifact downloads an artifact zip (it must be buffered: zip needs
// random access) and parses the JUnit XML files in it.
func (s *Client) readArtifact(ctx context.Context, a artifactJSON) ([]providers.TestReport, error) {
	resp, err := s.api.Get(ctx, a.ArchiveDownloadURL, nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxArtifactSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxArtifactSize {
		return nil, fmt.Errorf("larger than %d MB", maxArtifactSize>>20)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("not a zip archive: %w", err)
	}
	var out []providers.TestReport
	for _, f := range zr.File {
		if strings.ToLower(path.Ext(f.Name)) != ".xml" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return out, err
		}
		cases, err := junit.Parse(io.LimitReader(rc, 64<<20))
		rc.Close()
		if err != nil {
			continue // an XML file that is not a JUnit report
		}
		out = append(out, providers.TestReport{Path: a.Name + "/" + f.Name, Failed: cases})
	}
	return out, nil
}

var wordRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[a-z0-9][a-z0-9.]*`) })

// matchJob returns the ID of the job whose name shares the most words with
// an artifact's name, if exactly one does; with one failed job, that job.
func matchJob(artifact string, jobs []providers.Job) string {
	if len(jobs) == 1 {
		return jobs[0].ID
	}
	words := map[string]bool{}
	for _, w := range wordRe().FindAllString(strings.ToLower(artifact), -1) {
		words[w] = true
	}
	best, bestScore, tie := "", 0, false
	for _, j := range jobs {
		score := 0
		for _, w := range wordRe().FindAllString(strings.ToLower(j.Name), -1) {
			if words[w] {
				score++
			}
		}
		switch {
		case score > bestScore:
			best, bestScore, tie = j.ID, score, false
		case score == bestScore && score > 0:
			tie = true
		}
	}
	if tie {
		return ""
	}
	return best
}
