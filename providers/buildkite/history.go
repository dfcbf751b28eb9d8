package buildkite

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/httpapi"
)

// maxListPages bounds the pages RecentBuilds reads.
const maxListPages = 10

// RecentBuilds returns up to limit finished builds (passed, failed,
// canceled) of the pipeline on branch ("": any branch), numbered below
// before (0: any), newest first, each with every job, the attempts a
// retry replaced included: one request per 100 builds. OpenLog reads the
// logs of their jobs.
func (s *Client) RecentBuilds(ctx context.Context, branch string, before int64, limit int) ([]providers.Build, error) {
	q := url.Values{"state[]": {"passed", "failed", "canceled"}, "include_retried_jobs": {"true"},
		"per_page": {strconv.Itoa(min(limit+1, 100))}}
	if branch != "" {
		q.Set("branch", branch)
	}
	var out []providers.Build
	next := s.Scope() + "/builds?" + q.Encode()
	for page := 0; next != "" && len(out) < limit && page < maxListPages; page++ {
		var builds []buildJSON
		h, err := s.api.GetJSON(ctx, next, &builds)
		if err != nil {
			return nil, fmt.Errorf("list the builds of %s/%s: %w", s.ref.Org, s.ref.Repo, err)
		}
		for _, b := range builds {
			if (before > 0 && b.Number >= before) || len(out) == limit {
				continue
			}
			build := s.listedBuild(b)
			if b.FinishedAt != nil {
				build.FinishedAt = *b.FinishedAt
			}
			out = append(out, build)
		}
		next = httpapi.NextLink(h)
	}
	return out, nil
}

// BuildJobs returns the jobs of a build RecentBuilds listed: they came
// with it.
func (s *Client) BuildJobs(_ context.Context, b providers.Build) ([]providers.Job, error) {
	return b.Jobs, nil
}
