package history

import (
	"context"
	"fmt"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/providers"
)

// Builder reads the build a build URL names.
type Builder interface {
	Build(ctx context.Context) (providers.Build, error)
}

// Target is the Query for what a URL names (ref; src is its provider's
// client): a build's pipeline and branch, up to that build; or a
// pipeline's, on branch, else on its default branch. offline, nothing is
// asked of the provider: only a pipeline URL whose pipeline's name it
// says itself (not a GitHub workflow) and a branch will do.
func Target(ctx context.Context, src Builder, ref providers.BuildRef, branch string, offline bool) (Query, error) {
	q := Query{Kind: string(ref.Provider), Branch: branch}
	if offline {
		if ref.PipelineName() == "" || ref.Number > 0 || branch == "" {
			return q, fmt.Errorf("history --offline needs a Buildkite, GitLab or Jenkins pipeline URL and a branch (it reads what an online run kept)")
		}
		q.Pipeline = Key(q.Kind, ref.PipelineString(), ref.PipelineName())
		return q, nil
	}
	if ref.Number > 0 {
		b, err := src.Build(ctx)
		if err != nil {
			return q, err
		}
		if q.Branch == "" {
			q.Branch = b.Branch
		}
		q.Before = b.Number + 1
		return q, nil
	}
	if q.Branch != "" {
		return q, nil
	}
	d, ok := src.(interface {
		DefaultBranch(context.Context) (string, error)
	})
	if !ok {
		return q, nil
	}
	def, err := d.DefaultBranch(ctx)
	if err != nil {
		return q, fmt.Errorf("%w; or name the branch", err)
	}
	q.Branch = def
	return q, nil
}

// Failures reads q's window, from the provider or (offline) from what
// opts.Records kept, and lists what failed its builds: the document
// `destill history` prints. source names where the records are kept
// ("api", "database"); url is what was asked about.
func Failures(ctx context.Context, l Lister, q Query, opts Options, offline bool, source, url string) (analysis.HistoryReport, error) {
	var res Result
	var err error
	if offline {
		var kept bool
		if res, kept, err = Recall(ctx, q, opts); err == nil && !kept {
			err = fmt.Errorf("--offline: the builds of %s were never read here; run once without --offline", url)
		}
	} else {
		res, err = Look(ctx, l, q, opts)
	}
	if err != nil {
		return analysis.HistoryReport{}, err
	}
	rep := analysis.HistoryReport{Schema: analysis.HistorySchema, URL: url, FingerprintVersion: analysis.FingerprintVersion,
		Notes: res.Notes, Failures: analysis.RecurringFailures(res.Builds, q.Branch),
		Window: analysis.HistoryWindow{Source: source, Pipeline: res.Pipeline, Branch: q.Branch}}
	Describe(&rep.Window, res.Builds)
	return rep, nil
}
