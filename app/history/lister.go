package history

import (
	"context"
	"io"

	"github.com/destill-dev/destill/providers"
)

// Lister is what a CI provider's client offers to look back at a pipeline:
// the Buildkite, GitHub Actions, GitLab and Jenkins clients implement it.
type Lister interface {
	// RecentBuilds returns up to limit finished builds of the pipeline on
	// branch, numbered below before (0: any), newest first; with their
	// jobs where the list holds them, else with a Revision.
	RecentBuilds(ctx context.Context, branch string, before int64, limit int) ([]providers.Build, error)
	// BuildJobs returns every job of a listed build, every attempt.
	BuildJobs(ctx context.Context, b providers.Build) ([]providers.Job, error)
	// OpenLog streams the raw log of a job of a listed build.
	OpenLog(ctx context.Context, job providers.Job) (io.ReadCloser, error)
}

// pastBuild is one listed build as a pipeline.Source, for pipeline.Run to
// read its jobs' logs through the log cache. Retried attempts are offered
// like the others: history reads them on purpose.
type pastBuild struct {
	b providers.Build
	l Lister
}

func (p pastBuild) Build(context.Context) (providers.Build, error) {
	b := p.b
	b.Jobs = append([]providers.Job(nil), b.Jobs...)
	for i := range b.Jobs {
		b.Jobs[i].Retried = false
	}
	return b, nil
}

func (p pastBuild) OpenLog(ctx context.Context, job providers.Job) (io.ReadCloser, error) {
	return p.l.OpenLog(ctx, job)
}
