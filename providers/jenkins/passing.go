package jenkins

import (
	"context"
	"fmt"
	"net/url"

	"github.com/destill-dev/destill/providers"
)

// Scope names the job and the Jenkins it is read from, for cache keys.
func (s *Source) Scope() string { return s.job }

// PassingBuild returns the most recent successful build of the same job,
// other than the build s reads: one request for the job's recent builds.
// A Jenkins job builds one branch (a multibranch project has a job per
// branch), so branch only names the build in notes. ok is false when
// there is none among the job's last 50 builds.
func (s *Source) PassingBuild(ctx context.Context, branch string) (providers.Build, bool, error) {
	s.mu.Lock()
	cur := s.number
	s.mu.Unlock()
	var job struct {
		Builds []buildJSON `json:"builds"`
	}
	tree := "builds[number,result,building,timestamp,duration]{0,50}"
	if _, err := s.api.GetJSON(ctx, s.job+"api/json?tree="+url.QueryEscape(tree), &job); err != nil {
		return providers.Build{}, false, fmt.Errorf("list the builds of %s: %w", s.name(), err)
	}
	for _, b := range job.Builds {
		if b.Number == cur || b.Building || b.Result != "SUCCESS" {
			continue
		}
		out := s.toBuild(b, nil)
		out.Branch = branch
		return out, true, nil
	}
	return providers.Build{}, false, nil
}

// DefaultBranch returns "": a job's builds are its branch's, and the
// builds of another branch belong to another job.
func (s *Source) DefaultBranch(context.Context) (string, error) { return "", nil }
