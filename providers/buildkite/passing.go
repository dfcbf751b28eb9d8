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
		return s.listedBuild(b), true, nil
	}
	return providers.Build{}, false, nil
}

// listedBuild converts a build of a builds list, with the jobs embedded in
// it, and remembers them: OpenLog finds their raw_log_url here.
func (s *Client) listedBuild(b buildJSON) providers.Build {
	out := s.toBuild(b)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, j := range b.Jobs {
		if j.Type == "waiter" {
			continue
		}
		s.jobs[j.ID] = j
		out.Jobs = append(out.Jobs, convertJob(j))
	}
	return out
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
