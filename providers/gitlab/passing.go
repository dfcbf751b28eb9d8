package gitlab

import (
	"context"
	"fmt"
	"net/url"

	"github.com/destill-dev/destill/providers"
)

// Scope names the project and the API it is read from, for cache keys.
func (s *Client) Scope() string { return s.projectURL() }

// PassingBuild returns the most recent successful pipeline of the project
// on ref branch, other than the pipeline s reads, with its jobs: one
// request for the pipelines, one (a page per 100 jobs) for the jobs. ok is
// false when there is none.
func (s *Client) PassingBuild(ctx context.Context, branch string) (providers.Build, bool, error) {
	s.mu.Lock()
	cur := s.pipelineID
	s.mu.Unlock()
	q := url.Values{"ref": {branch}, "status": {"success"}, "order_by": {"id"}, "sort": {"desc"}, "per_page": {"2"}}
	var pipes []pipelineJSON
	if _, err := s.api.GetJSON(ctx, s.projectURL()+"/pipelines?"+q.Encode(), &pipes); err != nil {
		return providers.Build{}, false, fmt.Errorf("list the successful pipelines of %s on %s: %w", s.ref.Repo, branch, err)
	}
	for _, p := range pipes {
		if p.ID == cur {
			continue
		}
		jobs, err := s.listJobs(ctx, fmt.Sprintf("%s/pipelines/%d", s.projectURL(), p.ID))
		if err != nil {
			return providers.Build{}, false, fmt.Errorf("list the jobs of pipeline %d: %w", p.ID, err)
		}
		return s.toBuild(p, jobs), true, nil
	}
	return providers.Build{}, false, nil
}

// DefaultBranch returns the project's default branch. It is not
// remembered here: the baselines cache keeps it, per Scope.
func (s *Client) DefaultBranch(ctx context.Context) (string, error) {
	var project struct {
		DefaultBranch string `json:"default_branch"`
	}
	if _, err := s.api.GetJSON(ctx, s.projectURL(), &project); err != nil {
		return "", fmt.Errorf("read the default branch of %s: %w", s.ref.Repo, err)
	}
	return project.DefaultBranch, nil
}
