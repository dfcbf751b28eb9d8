package app

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/backend/postgres/postgrestest"
	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/providertest"
)

// apiRequests counts requests to the fake's three APIs (not its blob host).
func apiRequests(fake *providertest.Fake) int {
	return fake.Requests("/buildkite/") + fake.Requests("/github/") + fake.Requests("/gitlab/")
}

// TestAnalyzeBuildURLAutomaticBaseline analyzes the baseline demo: redis
// refuses a connection in every job, passing or not, and without a
// baseline that error comes first; with the passing sibling cell and the
// previous run as baselines, the new errors do.
func TestAnalyzeBuildURLAutomaticBaseline(t *testing.T) {
	fake := newFake(t, providertest.DemoBaseline())
	const redis = "ERROR: could not connect to redis at localhost:6379: Connection refused"
	const migration = "Error: billing has model changes without a migration"

	without := analyzeURL(t, fake, fake.WebURL(0), nil, "--no-baseline")
	require.Equal(t, 0, without.code, without.err)
	require.Nil(t, without.rep.Baseline)
	require.Equal(t, redis, without.rep.Findings[0].Message, "without a baseline the first error in the failed step wins")
	requestsWithout := apiRequests(fake)

	fake.ResetCounts()
	r := analyzeURL(t, fake, fake.WebURL(0), nil)
	require.Equal(t, 0, r.code, r.err)
	top := r.rep.Findings[0]
	require.Contains(t, top.Message, migration)
	require.Equal(t, "test (ubuntu-latest, django-5.2)", top.JobName)
	require.Contains(t, top.Reasons, "new-vs-baseline")
	require.Contains(t, top.Reasons, "first-failure")
	f := findingFor(r.rep, redis)
	require.NotNil(t, f)
	require.Greater(t, f.Rank, 2, "below both new errors")
	require.Contains(t, f.Reasons, "also-in-baseline")
	require.NotContains(t, f.Reasons, "first-failure")
	e2e := findingFor(r.rep, "pays an invoice") // the failed test, shown with its "Error: Timed out 30000ms"
	require.NotNil(t, e2e)
	require.Contains(t, strings.Join(e2e.Text, "\n"), "Error: Timed out 30000ms")
	require.Contains(t, e2e.Reasons, "new-vs-baseline")
	require.Less(t, e2e.Rank, f.Rank)

	// Which passing logs each job was compared with.
	cell := jobSummary(r.rep, "test (ubuntu-latest, django-5.2)").Baseline
	require.Equal(t, "sibling-jobs", cell.Kind)
	require.Equal(t, fake.WebURL(0), cell.URL)
	require.Equal(t, "9876543300", cell.Build)
	require.Equal(t, `passing job "test (ubuntu-latest, django-5.1)" of the same build`, cell.Note)
	prev := jobSummary(r.rep, "e2e").Baseline
	require.Equal(t, "previous-build", prev.Kind)
	require.Equal(t, fake.WebURL(1), prev.URL)
	require.Equal(t, "9876543290", prev.Build)
	require.Equal(t, `run 9876543290 on fix/invoice-tz, passing job "e2e"`, prev.Note)
	require.Equal(t, "per-job", r.rep.Baseline.Kind)
	require.Nil(t, jobSummary(r.rep, "lint").Baseline, "passed jobs are not analyzed")

	// The sibling's log; the previous run (its runs list and jobs) and its
	// e2e log: nothing more.
	require.Equal(t, requestsWithout+4, apiRequests(fake), "%v", fake.Paths())

	// The text report names both.
	streams, out, errOut := TestStreams("", fake.Env()...)
	code := Main(context.Background(), []string{"destill", "analyze", "--top", "1", fake.WebURL(0)}, streams)
	require.Equal(t, 0, code, errOut.String())
	text := out.String()
	require.Contains(t, text, "baseline: per-job (2 of 2 analyzed jobs compared with a passing log; see each job's baseline)\n")
	require.Contains(t, text, `  test (ubuntu-latest, django-5.2): sibling-jobs `+fake.WebURL(0)+` (passing job "test (ubuntu-latest, django-5.1)" of the same build)`)
	require.Contains(t, text, `  e2e: previous-build `+fake.WebURL(1)+` (run 9876543290 on fix/invoice-tz, passing job "e2e")`)
	require.Contains(t, text, "new-vs-baseline")
}

func TestAnalyzeBuildURLOneBaselineForAll(t *testing.T) {
	sc := providertest.DemoBaseline()
	sc.Builds[0].Jobs[3].State = "passed" // only the test cell failed
	fake := newFake(t, sc)
	r := analyzeURL(t, fake, fake.WebURL(0), nil)
	require.Equal(t, 0, r.code, r.err)
	require.Equal(t, "sibling-jobs", r.rep.Baseline.Kind)
	require.Equal(t, fake.WebURL(0), r.rep.Baseline.URL)

	for format, want := range map[string]string{
		"text":     "baseline: sibling-jobs " + fake.WebURL(0) + ` (passing job "test (ubuntu-latest, django-5.1)" of the same build)`,
		"markdown": "> **Baseline:** sibling-jobs " + fake.WebURL(0),
	} {
		streams, out, errOut := TestStreams("", fake.Env()...)
		code := Main(context.Background(), []string{"destill", "analyze", "--format", format, fake.WebURL(0)}, streams)
		require.Equal(t, 0, code, errOut.String())
		require.Contains(t, out.String(), want, format)
	}
}

func TestAnalyzeBuildURLNoBaselineFound(t *testing.T) {
	fake := newFake(t, providertest.DemoGitHubMatrix())
	r := analyzeURL(t, fake, fake.WebURL(0), nil)
	require.Equal(t, 0, r.code, r.err)
	require.Equal(t, "none", r.rep.Baseline.Kind)
	require.Equal(t, "looked for a passing job of the same step in this build (there is none); a passing run on main, the default branch (there is none)", r.rep.Baseline.Note)
	require.Contains(t, r.rep.Findings[0].Message, "--- FAIL: TestUploadRetry", "ranked as without a baseline")
	require.NotContains(t, r.rep.Findings[0].Reasons, "new-vs-baseline")
	// One search for the 12 failed cells (one group), and one look at the
	// repository's default branch.
	require.Equal(t, 1, fake.Requests("/github/repos/acme/api/actions/workflows/"))
	require.Contains(t, fake.Paths(), "/github/repos/acme/api 1")
	require.Equal(t, 12, fake.LogRequests(), "the failed logs, no baseline log")
}

// TestAnalyzeBaselineFlags: an explicit --baseline file wins over the
// automatic one, and --no-baseline searches nothing.
func TestAnalyzeBaselineFlags(t *testing.T) {
	fake := newFake(t, providertest.DemoBaseline())
	passing := filepath.Join(t.TempDir(), "passing.log")
	require.NoError(t, os.WriteFile(passing, []byte(providertest.GitHubLog(slices.Concat(
		providertest.TestStepLines, providertest.WaitForServicesLines, providertest.PassingTestLines)...)), 0o600))

	r := analyzeURL(t, fake, fake.WebURL(0), nil, "--baseline", passing)
	require.Equal(t, 0, r.code, r.err)
	require.Equal(t, "files", r.rep.Baseline.Kind)
	require.Equal(t, []string{passing}, r.rep.Baseline.Paths)
	require.Zero(t, fake.Requests("/github/repos/acme/billing/actions/workflows/"), "no search for passing runs")
	require.Equal(t, 2, fake.LogRequests(), "only the failed jobs' logs")

	fake.ResetCounts()
	r = analyzeURL(t, fake, fake.WebURL(0), nil, "--no-baseline")
	require.Equal(t, 0, r.code, r.err)
	require.Nil(t, r.rep.Baseline)
	require.Equal(t, 2, fake.LogRequests())
	require.Zero(t, fake.Requests("/github/repos/acme/billing/actions/workflows/"))
	for _, j := range r.rep.Jobs {
		require.Nil(t, j.Baseline, j.Name)
	}
	require.False(t, strings.Contains(r.out, `"baseline"`), "no baseline in the JSON")
}

// TestAnalyzeOfflineSearchesNoBaseline: --offline never calls the provider,
// so it does not look for passing builds, and says so.
func TestAnalyzeOfflineSearchesNoBaseline(t *testing.T) {
	fake := newFake(t, providertest.DemoBaseline())
	dir := t.TempDir()
	online := analyzeURL(t, fake, fake.WebURL(0), withCache(fake, dir))
	require.Equal(t, 0, online.code, online.err)
	require.Equal(t, "per-job", online.rep.Baseline.Kind)

	fake.ResetCounts()
	noToken := []string{"GITHUB_API_URL", fake.GitHubURL(), "DESTILL_CACHE_DIR", dir}
	offline := analyzeURL(t, fake, fake.WebURL(0), noToken, "--offline")
	require.Equal(t, 0, offline.code, offline.err)
	require.Zero(t, fake.Requests(""), "not one request")
	require.Equal(t, "none", offline.rep.Baseline.Kind)
	require.Equal(t, "--offline: passing builds are not searched for; give --baseline FILE to compare with a passing log", offline.rep.Baseline.Note)
}

// TestAnalyzeKeepsBaselinesInTheDatabase: with a database configured, the
// model of a passing log built by one run is reused by the next run (a new
// process: nothing in memory) instead of downloading that log again.
func TestAnalyzeKeepsBaselinesInTheDatabase(t *testing.T) {
	dsn := postgrestest.NewSchema(t)
	fake := newFake(t, providertest.DemoBaseline())
	env := append(fake.Env(), "DESTILL_DATABASE_URL", dsn)

	first := analyzeURL(t, fake, fake.WebURL(0), env)
	require.Equal(t, 0, first.code, first.err)
	require.Equal(t, "per-job", first.rep.Baseline.Kind)
	firstLogs := fake.LogRequests()

	fake.ResetCounts()
	second := analyzeURL(t, fake, fake.WebURL(0), env)
	require.Equal(t, 0, second.code, second.err)
	require.Equal(t, first.rep.Findings, second.rep.Findings, "the stored models rank exactly as the fresh ones")
	require.Equal(t, firstLogs-2, fake.LogRequests(), "the two passing logs are not downloaded again")
	require.NotContains(t, first.err+second.err, dsn)
}

func TestAnalyzeUnreachableDatabaseOnlyWarns(t *testing.T) {
	fake := newFake(t, providertest.DemoBaseline())
	env := append(fake.Env(), "DESTILL_DATABASE_URL", "postgres://destill:hunter2secret@127.0.0.1:1/destill?sslmode=disable&connect_timeout=2")
	r := analyzeURL(t, fake, fake.WebURL(0), env)
	require.Equal(t, 0, r.code, r.err)
	require.Contains(t, r.err, "baselines are not kept in the database")
	require.NotContains(t, r.err, "hunter2secret")
	require.Equal(t, "per-job", r.rep.Baseline.Kind, "baselines still work, in this process")
}

// TestBaselineAndNotesSpeakToUsers: when the search for a passing run fails
// and a log cannot be read, the text says what was looked for, what came of
// it and what it means for the findings, in words, not as a chain of calls
// with URLs.
func TestBaselineAndNotesSpeakToUsers(t *testing.T) {
	sc := providertest.DemoGitHubMatrix()
	sc.Faults = []providertest.Fault{
		{Provider: providers.KindGitHubActions, Path: "/actions/workflows/", Status: 404},
		{Provider: providers.KindGitHubActions, Path: "/logs", Status: 410, Times: 1},
	}
	fake := newFake(t, sc)
	streams, out, errOut := TestStreams("", fake.Env()...)
	code := Main(context.Background(), []string{"destill", "analyze", "--format", "text", "--concurrency", "1", "--top", "1", fake.WebURL(0)}, streams)
	require.Equal(t, 0, code, errOut.String())
	var kept []string
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(l, "baseline:") || strings.HasPrefix(l, "note:") {
			kept = append(kept, strings.ReplaceAll(l, fake.API.URL, "FAKE"))
		}
	}
	text := strings.Join(kept, "\n") + "\n"
	require.NotContains(t, text, "GET ", "a call chain")
	require.NotContains(t, text, "http", "a URL of an API call")
	golden(t, "baseline-notes.golden", text)
}
