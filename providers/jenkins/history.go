package jenkins

import (
	"context"
	"fmt"
	"net/url"

	"github.com/destill-dev/destill/providers"
)

// historyTree is the part of the job's builds RecentBuilds reads.
const historyTree = "number,url,result,building,timestamp,duration,actions[_class,lastBuiltRevision[SHA1,branch[name]]]"

// RecentBuilds returns up to limit finished builds of the job, numbered
// below before (0: any), newest first, each with its one job (the console
// log): one request. A Jenkins job builds one branch (a multibranch
// project has a job per branch), so branch is not a filter.
func (s *Source) RecentBuilds(ctx context.Context, _ string, before int64, limit int) ([]providers.Build, error) {
	var job struct {
		Builds []buildJSON `json:"builds"`
	}
	// The newest builds come first; a few more than limit leave room for
	// the ones still running and those at or after before.
	tree := fmt.Sprintf("builds[%s]{0,%d}", historyTree, limit+10)
	if _, err := s.api.GetJSON(ctx, s.job+"api/json?tree="+url.QueryEscape(tree), &job); err != nil {
		return nil, s.auth.explain(err, "the builds of "+s.name())
	}
	var out []providers.Build
	for _, b := range job.Builds {
		if b.Building || (before > 0 && b.Number >= before) || len(out) == limit {
			continue
		}
		build := s.toBuild(b, nil)
		if len(build.Jobs) > 0 {
			build.FinishedAt = build.Jobs[0].FinishedAt
		}
		out = append(out, build)
	}
	return out, nil
}

// BuildJobs returns the one job of a build RecentBuilds listed.
func (s *Source) BuildJobs(_ context.Context, b providers.Build) ([]providers.Job, error) {
	return b.Jobs, nil
}
