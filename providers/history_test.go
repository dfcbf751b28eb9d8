package providers_test

import (
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/buildkite"
	"github.com/destill-dev/destill/providers/githubactions"
	"github.com/destill-dev/destill/providers/gitlab"
	"github.com/destill-dev/destill/providers/jenkins"
	"github.com/destill-dev/destill/providers/providertest"
)

// historyClient is what each provider's client offers for history.
type historyClient interface {
	Build(ctx context.Context) (providers.Build, error)
	RecentBuilds(ctx context.Context, branch string, before int64, limit int) ([]providers.Build, error)
	BuildJobs(ctx context.Context, b providers.Build) ([]providers.Job, error)
	OpenLog(ctx context.Context, job providers.Job) (io.ReadCloser, error)
}

func newHistoryClient(t *testing.T, fake *providertest.Fake, kind providers.Kind, url string) historyClient {
	ref, err := providers.ParseBuildURL(url)
	require.NoError(t, err)
	cfg := providers.ClientConfig{Token: fake.Token(), TokenVar: "TOKEN"}
	switch kind {
	case providers.KindBuildkite:
		cfg.BaseURL = fake.BuildkiteURL()
		return buildkite.New(ref, cfg)
	case providers.KindGitHubActions:
		cfg.BaseURL = fake.GitHubURL()
		return githubactions.New(ref, cfg)
	case providers.KindGitLab:
		cfg.BaseURL = fake.GitLabURL()
		return gitlab.New(ref, cfg)
	}
	cfg.BaseURL, cfg.User = fake.JenkinsURL(), fake.JenkinsUser()
	return jenkins.New(ref, cfg)
}

// TestRecentBuilds lists the finished builds of a pipeline on main before
// its newest one, and a retried build's every attempt, on every provider.
func TestRecentBuilds(t *testing.T) {
	ctx := context.Background()
	for _, kind := range []providers.Kind{providers.KindBuildkite, providers.KindGitHubActions, providers.KindGitLab, providers.KindJenkins} {
		t.Run(string(kind), func(t *testing.T) {
			sc := providertest.HistoryPipeline(kind)
			sc.MaxPerPage = 7 // the list takes pages
			fake := providertest.New(t, sc)
			c := newHistoryClient(t, fake, kind, fake.WebURL(providertest.HistoryBuilds-1))
			cur, err := c.Build(ctx)
			require.NoError(t, err)

			got, err := c.RecentBuilds(ctx, "main", cur.Number, 19)
			require.NoError(t, err)
			require.Len(t, got, 19)
			for i, b := range got {
				n := 19 - i
				require.Equal(t, providertest.HistoryNumber(kind, n), b.Number, "newest first")
				require.Equal(t, "main", b.Branch)
				require.Equal(t, sc.Builds[n-1].Commit, b.Commit)
				require.True(t, b.FinishedAt.Equal(providertest.HistoryFinishedAt(n)), "build %d finished at %s", n, b.FinishedAt)
				require.False(t, b.Running)
				require.NotEmpty(t, b.URL)
			}
			limited, err := c.RecentBuilds(ctx, "main", 0, 3)
			require.NoError(t, err)
			require.Len(t, limited, 3)
			require.Equal(t, cur.Number, limited[0].Number, "the build still running is not listed")

			// Build 4: unit failed, then passed on a retry (Jenkins: no retry).
			jobs, err := c.BuildJobs(ctx, got[19-4])
			require.NoError(t, err)
			var failed *providers.Job
			for i, j := range jobs {
				if (j.Name == "unit" || kind == providers.KindJenkins) && j.State == providers.JobFailed {
					failed = &jobs[i]
				}
			}
			require.NotNil(t, failed)
			if kind == providers.KindJenkins {
				require.Len(t, jobs, 1, "a Jenkins build is one job, its console log")
			} else {
				require.Len(t, jobs, 4)
				require.True(t, failed.Retried)
				passed := 0
				for _, j := range jobs {
					if j.Name == "unit" && j.State == providers.JobPassed && !j.Retried {
						passed++
					}
				}
				require.Equal(t, 1, passed)
			}
			rc, err := c.OpenLog(ctx, *failed)
			require.NoError(t, err)
			data, err := io.ReadAll(rc)
			rc.Close()
			require.NoError(t, err)
			require.Contains(t, string(data), providertest.HistoryFlaky)
		})
	}
}
