// Package baselines finds passing logs of a failed CI job on its own: the
// same job in passing sibling jobs of its build (matrix cells, parallel
// shards), else in the most recent passing build of the same pipeline on
// the same branch, else on the default branch. It builds the models that
// analysis ranks failing logs against, and says which one it used or why
// there is none.
package baselines

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/pipeline"
	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/httpapi"
)

// Finder is what a CI provider's client offers to find passing logs. The
// Buildkite, GitHub Actions, GitLab and Jenkins Sources implement it; their Build
// must have been called first.
type Finder interface {
	// OpenLog streams the raw log of a job of the build analyzed or of a
	// build PassingBuild returned.
	OpenLog(ctx context.Context, job providers.Job) (io.ReadCloser, error)
	// PassingBuild returns the most recent passing build of the same
	// pipeline (workflow, project) on branch, other than the build
	// analyzed, with its jobs; ok is false when there is none.
	PassingBuild(ctx context.Context, branch string) (b providers.Build, ok bool, err error)
	// DefaultBranch returns the pipeline's (repository's, project's)
	// default branch.
	DefaultBranch(ctx context.Context) (string, error)
	// Scope names the pipeline and the API it is read from, for cache keys.
	Scope() string
}

// Kinds of BaselineInfo this package reports.
const (
	KindSiblingJobs   = "sibling-jobs"
	KindPreviousBuild = "previous-build"
	KindNone          = "none"
)

// Options tune Auto.
type Options struct {
	// Cache keeps searches and models (nil: a new one, for this Auto only).
	Cache *Cache
	// Secrets are redacted from every note (API tokens).
	Secrets []string
}

// Auto is the automatic pipeline.Baselines for CI builds.
type Auto struct {
	f      Finder
	cache  *Cache
	redact *analysis.Redactor
}

var _ pipeline.Baselines = (*Auto)(nil)

// New returns an Auto that finds baselines through f.
func New(f Finder, opts Options) *Auto {
	c := opts.Cache
	if c == nil {
		c = NewCache(nil)
	}
	return &Auto{f: f, cache: c, redact: analysis.NewRedactor(opts.Secrets...)}
}

// Baseline returns the model of a passing log of the same job as job, and
// says which one it is; when there is none, the info (kind "none") says
// why. The jobs of one group (one step key) share one choice, one search
// and one model. Only an interrupted context is an error: a missing or
// unreadable baseline never stops the job's analysis. Passed jobs get no
// baseline.
func (a *Auto) Baseline(ctx context.Context, build providers.Build, job providers.Job) (*analysis.Baseline, *analysis.BaselineInfo, error) {
	if job.State == providers.JobPassed {
		return nil, nil, nil
	}
	var why []string
	if sib, ok := pickSibling(build, job); ok {
		model, err := a.model(ctx, sib)
		if err == nil {
			return model, &analysis.BaselineInfo{
				Kind:  KindSiblingJobs,
				Build: strconv.FormatInt(build.Number, 10),
				URL:   build.URL,
				Note:  fmt.Sprintf("passing job %q of the same build", sib.Name),
			}, nil
		}
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		why = append(why, fmt.Sprintf("passing job %q of this build (its log could not be read: %s)", sib.Name, httpapi.Brief(err)))
	} else {
		why = append(why, "a passing job of the same step in this build (there is none)")
	}

	group := members(build, job)
	if build.Branch != "" {
		model, info, reason, err := a.fromBranch(ctx, build, group, build.Branch, false)
		if model != nil || err != nil {
			return model, info, err
		}
		why = append(why, reason)
	}
	def, err := a.defaultBranch(ctx)
	switch {
	case err != nil:
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		why = append(why, "the repository's default branch (it could not be read: "+httpapi.Brief(err)+")")
	case def == "":
	case def == build.Branch:
		on := "on " + def
		why[len(why)-1] = strings.Replace(why[len(why)-1], on, on+", the default branch", 1)
	default:
		model, info, reason, err := a.fromBranch(ctx, build, group, def, true)
		if model != nil || err != nil {
			return model, info, err
		}
		why = append(why, reason)
	}
	return nil, &analysis.BaselineInfo{Kind: KindNone, Note: a.redact.Redact(NoneNote(why))}, nil
}

// NoneNote is the note of a "none" baseline: what was looked for, each
// with what came of it in parentheses.
func NoneNote(searched []string) string {
	return "looked for " + strings.Join(searched, "; ")
}

// fromBranch looks for the group's job in the most recent passing build on
// branch. Without one, it says what was looked for and what came of it;
// err is only an interrupted context.
func (a *Auto) fromBranch(ctx context.Context, build providers.Build, group []providers.Job, branch string, isDefault bool) (*analysis.Baseline, *analysis.BaselineInfo, string, error) {
	on, sought := "on "+branch, fmt.Sprintf("a passing %s on %s", buildWord(build.Provider), branch)
	if isDefault {
		on += " (the default branch)"
		sought += ", the default branch"
	}
	prev, ok, err := a.passingBuild(ctx, build, branch)
	switch {
	case err != nil:
		if ctx.Err() != nil {
			return nil, nil, "", ctx.Err()
		}
		return nil, nil, sought + " (the search failed: " + httpapi.Brief(err) + ")", nil
	case !ok:
		return nil, nil, sought + " (there is none)", nil
	}
	same, ok := pickSame(prev, group)
	if !ok {
		return nil, nil, fmt.Sprintf("%s (%s passed, but has no passing job of step %q)", sought, buildName(prev), strings.TrimPrefix(groupKey(group[0]), "name:")), nil
	}
	model, err := a.model(ctx, same)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, "", ctx.Err()
		}
		return nil, nil, fmt.Sprintf("%s (%s passed, but the log of its job %q could not be read: %s)", sought, buildName(prev), same.Name, httpapi.Brief(err)), nil
	}
	return model, &analysis.BaselineInfo{
		Kind:  KindPreviousBuild,
		Build: strconv.FormatInt(prev.Number, 10),
		URL:   prev.URL,
		Note:  fmt.Sprintf("%s %s, passing job %q", buildName(prev), on, same.Name),
	}, "", nil
}

// model returns the model of job's log, built once per process.
func (a *Auto) model(ctx context.Context, job providers.Job) (*analysis.Baseline, error) {
	return a.cache.model(ctx, a.f.Scope()+"|job|"+job.ID, func(ctx context.Context) (*analysis.Baseline, error) {
		rc, err := a.f.OpenLog(ctx, job)
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		bb := analysis.NewBaselineBuilder()
		if _, err := io.Copy(bb, rc); err != nil {
			return nil, err
		}
		m := bb.Baseline()
		m.Name = job.Name
		return m, nil
	})
}

func (a *Auto) passingBuild(ctx context.Context, build providers.Build, branch string) (providers.Build, bool, error) {
	key := a.f.Scope() + "|passing|" + branch + "|not|" + build.ID
	l, err := a.cache.passingBuild(ctx, key, func(ctx context.Context) (lookup, error) {
		b, ok, err := a.f.PassingBuild(ctx, branch)
		return lookup{build: b, ok: ok}, err
	})
	return l.build, l.ok, err
}

func (a *Auto) defaultBranch(ctx context.Context) (string, error) {
	return a.cache.defaultBranch(ctx, a.f.Scope()+"|default-branch", a.f.DefaultBranch)
}

// buildWord is what the provider calls a build.
func buildWord(k providers.Kind) string {
	switch k {
	case providers.KindGitHubActions:
		return "run"
	case providers.KindGitLab:
		return "pipeline"
	}
	return "build"
}

// buildName names a build the way its provider does: "build #4210",
// "run 9876543100", "pipeline 1234560".
func buildName(b providers.Build) string {
	if b.Provider == providers.KindBuildkite || b.Provider == providers.KindJenkins {
		return fmt.Sprintf("build #%d", b.Number)
	}
	return fmt.Sprintf("%s %d", buildWord(b.Provider), b.Number)
}
