package buildkite

import (
	"context"
	"fmt"
	"net/url"

	"github.com/destill-dev/destill/providers"
)

// Scope names the pipeline and the API it is read from, for cache keys.
func (s *Client) Scope() string {
	return fmt.Sprintf("%s/v2/organizations/%s/pipelines/%s", s.base, url.PathEscape(s.ref.Org), url.PathEscape(s.ref.Repo))
}

// PassingBuild returns the most recent passed build of the pipeline on
// branch, other than the build s reads, with its jobs (the latest attempt
// of each, embedded in the builds list: one request). ok is false when
// there is none. OpenLog reads the logs of its jobs.
func (s *Client) PassingBuild(ctx context.Context, branch string) (providers.Build, bool, error) {
	q := url.Values{"branch": {branch}, "state": {"passed"}, "per_page": {"2"}}
	var builds []buildJSON
	if _, err := s.api.GetJSON(ctx, s.Scope()+"/builds?"+q.Encode(), &builds); err != nil {
		return providers.Build{}, false, fmt.Errorf("list the passed builds of %s/%s on %s: %w", s.ref.Org, s.ref.Repo, branch, err)
	}
	for _, b := range builds {
		if b.Number == s.ref.Number {
			continue
		}
		out := s.toBuild(b)
		s.mu.Lock()
		for _, j := range b.Jobs {
			if j.Type == "waiter" {
				continue
			}
			s.jobs[j.ID] = j // OpenLog finds its raw_log_url here
			out.Jobs = append(out.Jobs, convertJob(j))
		}
		s.mu.Unlock()
		return out, true, nil
	}
	return providers.Build{}, false, nil
}

// DefaultBranch returns the pipeline's default branch: the one the build
// reported, or else the pipeline's own (not remembered here: the
// baselines cache keeps it, per Scope).
func (s *Client) DefaultBranch(ctx context.Context) (string, error) {
	s.mu.Lock()
	d := s.defaultBranch
	s.mu.Unlock()
	if d != "" {
		return d, nil
	}
	var p struct {
		DefaultBranch string `json:"default_branch"`
	}
	if _, err := s.api.GetJSON(ctx, s.Scope(), &p); err != nil {
		return "", fmt.Errorf("read the default branch of %s/%s: %w", s.ref.Org, s.ref.Repo, err)
	}
	return p.DefaultBranch, nil
}
