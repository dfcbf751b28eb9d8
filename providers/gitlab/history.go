package gitlab

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/destill-dev/destill/providers"
)

// maxListPages bounds the pages RecentBuilds reads.
const maxListPages = 10

// listedPipeline is a pipeline as the pipelines list shows it.
type listedPipeline struct {
	pipelineJSON
	UpdatedAt *time.Time `json:"updated_at"`
}

// RecentBuilds returns up to limit finished pipelines of the project on
// branch ("": any ref), numbered below before (0: any), newest first,
// without their jobs (BuildJobs lists them): one request per 100
// pipelines.
func (s *Client) RecentBuilds(ctx context.Context, branch string, before int64, limit int) ([]providers.Build, error) {
	q := url.Values{"scope": {"finished"}, "order_by": {"id"}, "sort": {"desc"}, "per_page": {strconv.Itoa(min(limit+1, 100))}}
	if branch != "" {
		q.Set("ref", branch)
	}
	var out []providers.Build
	next := s.projectURL() + "/pipelines?" + q.Encode()
	for page := 0; next != "" && len(out) < limit && page < maxListPages; page++ {
		var pipes []listedPipeline
		h, err := s.api.GetJSON(ctx, next, &pipes)
		if err != nil {
			return nil, fmt.Errorf("list the pipelines of %s: %w", s.ref.Repo, err)
		}
		for _, p := range pipes {
			if (before > 0 && p.ID >= before) || len(out) == limit {
				continue
			}
			b := s.toBuild(p.pipelineJSON, nil)
			if b.URL == "" {
				b.URL = fmt.Sprintf("%s/-/pipelines/%d", s.ref.WebBase+"/"+s.ref.Repo, p.ID)
			}
			if p.UpdatedAt != nil {
				b.FinishedAt = *p.UpdatedAt
				b.Revision = "updated " + p.UpdatedAt.UTC().Format(time.RFC3339Nano)
			}
			out = append(out, b)
		}
		next = nextPage(next, h)
	}
	return out, nil
}

// BuildJobs returns every job of a pipeline, the runs a retry replaced
// included (include_retried=true) and marked retried, oldest first: one
// request per 100 jobs.
func (s *Client) BuildJobs(ctx context.Context, b providers.Build) ([]providers.Job, error) {
	jobs, err := s.listJobsFrom(ctx, fmt.Sprintf("%s/pipelines/%s/jobs?per_page=100&include_retried=true", s.projectURL(), url.PathEscape(b.ID)))
	if err != nil {
		return nil, fmt.Errorf("list the jobs of pipeline %s: %w", b.ID, err)
	}
	sort.Slice(jobs, func(a, c int) bool { return jobs[a].ID < jobs[c].ID })
	out := make([]providers.Job, 0, len(jobs))
	runs := map[string]int{}
	for _, j := range jobs {
		job := convertJob(j)
		runs[job.Name]++
		job.Attempt = runs[job.Name]
		out = append(out, job)
	}
	providers.MarkRetried(out)
	return out, nil
}
