package app

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/backend/postgres/postgrestest"
	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/providertest"
)

// pipelineURL is the web URL of HistoryPipeline's pipeline on fake.
func pipelineURL(fake *providertest.Fake, kind providers.Kind) string {
	switch kind {
	case providers.KindBuildkite:
		return "https://buildkite.com/acme/api"
	case providers.KindGitHubActions:
		return "https://github.com/acme/api/actions/workflows/ci.yml"
	case providers.KindGitLab:
		return "https://gitlab.com/acme/api/-/pipelines"
	}
	return fake.JenkinsURL() + "/job/acme/job/api/job/main/"
}

func historyRun(t *testing.T, env []string, args ...string) (analysis.HistoryReport, run) {
	t.Helper()
	r := mainRun(t, env, append([]string{"history"}, args...)...)
	var rep analysis.HistoryReport
	if r.code == 0 && strings.HasPrefix(r.out, "{") {
		require.NoError(t, json.Unmarshal([]byte(r.out), &rep), r.out)
	}
	return rep, r
}

func failureFor(rep analysis.HistoryReport, message string) *analysis.RecurringFailure {
	for i := range rep.Failures {
		if strings.Contains(rep.Failures[i].Message, message) {
			return &rep.Failures[i]
		}
	}
	return nil
}

// TestHistoryCommand lists what failed the last 20 builds of main of
// HistoryPipeline, from its pipeline's URL, on every provider: the most
// builds first, with exact counts, verdicts and first seen.
func TestHistoryCommand(t *testing.T) {
	t.Parallel()
	for _, kind := range historyProviders {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			fake := newFake(t, providertest.HistoryPipeline(kind))
			dir := t.TempDir()
			rep, r := historyRun(t, withCache(fake, dir), "--json", "--builds", "20", pipelineURL(fake, kind))
			require.Equal(t, 0, r.code, r.err)
			require.Equal(t, analysis.HistorySchema, rep.Schema)
			require.Equal(t, analysis.FingerprintVersion, rep.FingerprintVersion)
			require.Equal(t, 20, rep.Window.Builds)
			require.Equal(t, providertest.HistoryNumber(kind, 20), rep.Window.Newest.Number, "the build still running is not one")

			noisePassing := 19
			if kind == providers.KindJenkins {
				noisePassing = 8
			}
			want := []struct {
				message                string
				verdict                string
				failed, passing, first int
			}{
				{providertest.HistoryNoise, analysis.VerdictNoise, 12, noisePassing, 1},
				{providertest.HistoryRecurring, analysis.VerdictRecurring, 9, 0, 12},
				{providertest.HistoryFlaky, analysis.VerdictFlaky, 4, 0, 4},
				{providertest.HistoryNew, analysis.VerdictNew, 1, 0, 20},
			}
			last := -1
			for _, w := range want {
				f := failureFor(rep, w.message)
				require.NotNil(t, f, w.message)
				require.Equal(t, w.verdict, f.History.Verdict, "%s: %s", w.message, f.History.Evidence)
				require.Equal(t, w.failed, f.History.FailedBuilds, w.message)
				require.Equal(t, w.passing, f.History.PassingBuilds, w.message)
				require.Equal(t, providertest.HistoryNumber(kind, w.first), f.History.FirstSeen.Number, w.message)
				require.Equal(t, providertest.HistoryNumber(kind, 20), f.History.LastSeen.Number, w.message)
				require.NotEmpty(t, f.History.Jobs)
				i := failureIndex(rep, f)
				require.Greater(t, i, last, "most failed builds first")
				last = i
			}
			require.Nil(t, failureFor(rep, providertest.HistoryOtherBranch))

			// Text and Markdown say the same; a second run reads no log.
			fake.ResetCounts()
			_, text := historyRun(t, withCache(fake, dir), "--builds", "20", "--top", "2", pipelineURL(fake, kind))
			require.Equal(t, 0, text.code, text.err)
			require.Zero(t, fake.LogRequests(), "the logs came from the cache")
			require.Contains(t, text.out, "destill history: "+pipelineURL(fake, kind))
			require.Contains(t, text.out, " 1. failed 12 of 20 builds")
			require.Contains(t, text.out, "noise: also printed by jobs that passed")
			require.NotContains(t, text.out, providertest.HistoryNew, "--top 2")
			require.Contains(t, text.out, "more; --top")
			_, md := historyRun(t, withCache(fake, dir), "--builds", "20", "-f", "markdown", pipelineURL(fake, kind))
			require.Equal(t, 0, md.code, md.err)
			require.Contains(t, md.out, "| 2 | 9 of 20 | recurring | network |")
		})
	}
}

func failureIndex(rep analysis.HistoryReport, f *analysis.RecurringFailure) int {
	for i := range rep.Failures {
		if &rep.Failures[i] == f {
			return i
		}
	}
	return -1
}

// TestHistoryCommandFromABuildURL reads the pipeline and branch of a build,
// up to that build; and, with a database, --offline lists the same from it.
func TestHistoryCommandFromABuildURL(t *testing.T) {
	t.Parallel()
	dsn := postgrestest.NewSchema(t)
	fake := newFake(t, providertest.HistoryPipeline(providers.KindBuildkite))
	env := append(fake.Env(), "DESTILL_DATABASE_URL", dsn)
	rep, r := historyRun(t, env, "--json", "--builds", "5", fake.WebURL(14)) // build 15
	require.Equal(t, 0, r.code, r.err)
	require.EqualValues(t, 15, rep.Window.Newest.Number)
	require.EqualValues(t, 11, rep.Window.Oldest.Number)
	require.Equal(t, "database", rep.Window.Source)
	f := failureFor(rep, providertest.HistoryRecurring)
	require.Equal(t, 4, f.History.FailedBuilds)

	fake.ResetCounts()
	offline, r := historyRun(t, env, "--json", "--builds", "5", "--offline", "--branch", "main", "https://buildkite.com/acme/api")
	require.Equal(t, 0, r.code, r.err)
	require.Empty(t, fake.Paths())
	require.Equal(t, rep.Failures, offline.Failures, "the database gives what the API did")
}

// TestHistoryCommandErrors: one line, and the exit status of each kind of
// mistake.
func TestHistoryCommandErrors(t *testing.T) {
	t.Parallel()
	fake := newFake(t, providertest.HistoryPipeline(providers.KindGitHubActions))
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"https://github.com/acme/api"}, 2, "not a pipeline URL"},
		{[]string{"https://github.com/acme/nope/actions/workflows/ci.yml"}, 1, "404"},
		{[]string{"--offline", "https://github.com/acme/api/actions/workflows/ci.yml"}, 2, "history --offline needs"},
		{[]string{"--builds", "0", "https://github.com/acme/api/actions/workflows/ci.yml"}, 2, "--builds takes 1 to 200"},
	} {
		_, r := historyRun(t, fake.Env(), tc.args...)
		require.Equal(t, tc.code, r.code, "%v: %s", tc.args, r.err)
		require.Contains(t, r.err, tc.want, tc.args)
		require.LessOrEqual(t, strings.Count(r.err, "\n"), 2, r.err)
	}
}
