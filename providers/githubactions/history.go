package githubactions

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/httpapi"
)

// maxListPages bounds the pages RecentBuilds reads.
const maxListPages = 10

// listedRun is a run as the runs list shows it.
type listedRun struct {
	runJSON
	UpdatedAt *time.Time `json:"updated_at"`
}

// workflow is the workflow whose runs RecentBuilds lists: the one of the
// run Build read, else the one the URL named.
func (s *Client) workflow() (string, error) {
	s.mu.Lock()
	id, hint := s.run.WorkflowID, s.hint
	s.mu.Unlock()
	switch {
	case id != 0:
		return strconv.FormatInt(id, 10), nil
	case s.ref.Workflow != "":
		return s.ref.Workflow, nil
	case hint != "":
		return hint, nil
	}
	return "", fmt.Errorf("the workflow of run %d is not known: read the run first", s.ref.Number)
}

// RecentBuilds returns up to limit completed runs of the workflow on
// branch ("": any branch), numbered (run ID) below before (0: any), newest
// first, without their jobs (BuildJobs lists them): one request per 100
// runs.
func (s *Client) RecentBuilds(ctx context.Context, branch string, before int64, limit int) ([]providers.Build, error) {
	wf, err := s.workflow()
	if err != nil {
		return nil, err
	}
	q := url.Values{"status": {"completed"}, "exclude_pull_requests": {"true"}, "per_page": {strconv.Itoa(min(limit+1, 100))}}
	if branch != "" {
		q.Set("branch", branch)
	}
	var out []providers.Build
	next := fmt.Sprintf("%s/actions/workflows/%s/runs?%s", s.repoURL(), url.PathEscape(wf), q.Encode())
	for page := 0; next != "" && len(out) < limit && page < maxListPages; page++ {
		var body struct {
			Runs []listedRun `json:"workflow_runs"`
		}
		h, err := s.api.GetJSON(ctx, next, &body)
		if err != nil {
			return nil, fmt.Errorf("list the runs of workflow %s of %s/%s: %w", wf, s.ref.Org, s.ref.Repo, err)
		}
		for _, run := range body.Runs {
			if (before > 0 && run.ID >= before) || len(out) == limit {
				continue
			}
			b := s.toBuild(run.runJSON, nil)
			b.Revision = fmt.Sprintf("attempt %d", run.RunAttempt)
			if run.UpdatedAt != nil {
				b.FinishedAt = *run.UpdatedAt
				b.Revision += " updated " + run.UpdatedAt.UTC().Format(time.RFC3339)
			}
			out = append(out, b)
		}
		next = httpapi.NextLink(h)
	}
	return out, nil
}

// BuildJobs returns every job of a run, those of earlier attempts included
// (filter=all), marking the executions a later attempt replaced as
// retried: one request per 100 jobs.
func (s *Client) BuildJobs(ctx context.Context, b providers.Build) ([]providers.Job, error) {
	jobs, err := s.listJobs(ctx, fmt.Sprintf("%s/actions/runs/%s/jobs?per_page=100&filter=all", s.repoURL(), url.PathEscape(b.ID)))
	if err != nil {
		return nil, fmt.Errorf("list the jobs of run %s: %w", b.ID, err)
	}
	out := make([]providers.Job, 0, len(jobs))
	for _, j := range jobs {
		out = append(out, convertJob(j))
	}
	providers.MarkRetried(out)
	return out, nil
}

// HistoryHint is what RecentBuilds needs of the run Build read, for a
// later process to list runs before reading it: the workflow's ID ("" when
// no run was read).
func (s *Client) HistoryHint() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.run.WorkflowID == 0 {
		return ""
	}
	return strconv.FormatInt(s.run.WorkflowID, 10)
}

// UseHistoryHint lets RecentBuilds list the runs of the workflow a hint
// (HistoryHint) names before Build has read the run.
func (s *Client) UseHistoryHint(hint string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hint = hint
}
