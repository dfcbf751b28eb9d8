package githubactions

import (
	"context"
	"fmt"
	"net/url"

	"github.com/destill-dev/destill/providers"
)

// Scope names the repository, the workflow of the run Build read, and the
// API they are read from, for cache keys.
func (s *Client) Scope() string {
	s.mu.Lock()
	wf := s.run.WorkflowID
	s.mu.Unlock()
	return fmt.Sprintf("%s/actions/workflows/%d", s.repoURL(), wf)
}

// PassingBuild returns the most recent successful run of the same workflow
// on branch, other than the run s reads, with the latest attempt of each of
// its jobs: one request for the runs, one (a page per 100 jobs) for the
// jobs. ok is false when there is none. Build must have been called.
func (s *Client) PassingBuild(ctx context.Context, branch string) (providers.Build, bool, error) {
	s.mu.Lock()
	cur := s.run
	s.mu.Unlock()
	if cur.WorkflowID == 0 {
		return providers.Build{}, false, fmt.Errorf("run %d does not say which workflow it belongs to, so no other run of that workflow can be found", s.ref.Number)
	}
	q := url.Values{"branch": {branch}, "status": {"success"}, "per_page": {"2"}, "exclude_pull_requests": {"true"}}
	var page struct {
		Runs []runJSON `json:"workflow_runs"`
	}
	if _, err := s.api.GetJSON(ctx, s.Scope()+"/runs?"+q.Encode(), &page); err != nil {
		return providers.Build{}, false, fmt.Errorf("list the successful runs of workflow %q on %s: %w", cur.Name, branch, err)
	}
	for _, run := range page.Runs {
		if run.ID == cur.ID {
			continue
		}
		jobs, err := s.listJobs(ctx, fmt.Sprintf("%s/actions/runs/%d/jobs?per_page=100&filter=latest", s.repoURL(), run.ID))
		if err != nil {
			return providers.Build{}, false, fmt.Errorf("list the jobs of run %d: %w", run.ID, err)
		}
		return s.toBuild(run, jobs), true, nil
	}
	return providers.Build{}, false, nil
}

// DefaultBranch returns the repository's default branch. It is not
// remembered here: the baselines cache keeps it, per Scope.
func (s *Client) DefaultBranch(ctx context.Context) (string, error) {
	var repo struct {
		DefaultBranch string `json:"default_branch"`
	}
	if _, err := s.api.GetJSON(ctx, s.repoURL(), &repo); err != nil {
		return "", fmt.Errorf("read the default branch of %s/%s: %w", s.ref.Org, s.ref.Repo, err)
	}
	return repo.DefaultBranch, nil
}
