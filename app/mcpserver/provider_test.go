package mcpserver

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/providertest"
)

// providerToken is the fake CI APIs' token: no tool result may show it.
const providerToken = "tok-MCP-SECRET-7c1e40aa"

// setupProvider serves sc from fake CI APIs and connects a server that
// resolves build URLs as in production, with env (default: the fake's).
func setupProvider(t *testing.T, sc providertest.Scenario, edit func(env map[string]string)) (*testBundle, *providertest.Fake) {
	t.Helper()
	sc.Token = providerToken
	fake := providertest.New(t, sc)
	env := fake.EnvMap()
	if edit != nil {
		edit(env)
	}
	b := setupWith(t, Options{Getenv: func(k string) string { return env[k] }, Secrets: []string{providerToken}})
	return b, fake
}

// callAny calls a tool and checks that, failed or not, its result does not
// show the provider token.
func callAny(t *testing.T, b *testBundle, name string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	res, err := b.session.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: args})
	require.NoError(t, err)
	raw, err := json.Marshal(res)
	require.NoError(t, err)
	require.NotContains(t, string(raw), providerToken)
	require.NotContains(t, string(raw), "FAKESIGNATURE", "a signed blob URL leaked")
	return res
}

func TestAnalyzeBuildProviderURL(t *testing.T) {
	t.Parallel()
	b, fake := setupProvider(t, providertest.DemoGitHubMatrix(), nil)
	url := fake.WebURL(0)
	res := callAny(t, b, "analyze_build", map[string]any{"url": url})
	require.False(t, res.IsError, resultText(res))
	var an AnalyzeBuildOutput
	raw, _ := json.Marshal(res.StructuredContent)
	require.NoError(t, json.Unmarshal(raw, &an))

	require.Equal(t, statusFailed, an.Status)
	require.Equal(t, "github-actions", an.Source.Kind)
	require.NotNil(t, an.Source.Build)
	require.Len(t, an.FailedJobs, 12, "the 12 matrix jobs of the latest attempt; not the retried one")
	require.Equal(t, 12, an.Summary.JobsAnalyzed)
	top := an.Findings[0]
	require.Contains(t, top.Message, "TestUploadRetry")
	require.Equal(t, 12, top.JobsAffected, "one finding for the whole matrix")
	require.Contains(t, resultText(res), "Build failed: "+url)

	// Follow-ups read the kept logs: no more downloads.
	fake.ResetCounts()
	jobsRes := callAny(t, b, "list_jobs", map[string]any{"request_id": an.RequestID})
	var jobs ListJobsOutput
	raw, _ = json.Marshal(jobsRes.StructuredContent)
	require.NoError(t, json.Unmarshal(raw, &jobs))
	states := map[string]int{}
	for _, j := range jobs.Jobs {
		states[j.State]++
		require.Equal(t, j.Failed, j.LogKept, "%s: only the failed jobs' logs are read", j.Name)
		if j.State != "skipped" {
			require.NotNil(t, j.DurationSeconds, j.Name)
		}
	}
	require.Equal(t, map[string]int{"passed": 1, "failed": 12, "skipped": 1}, states, "the jobs of attempt 2")

	search, _ := call[SearchLogOutput](t, b, "search_log", map[string]any{"request_id": an.RequestID, "regex": "i/o timeout", "limit": 100})
	require.Equal(t, 12, search.TotalMatches, "once in each failed job's log; the passed lint job was not read")

	read, text := call[ReadLogOutput](t, b, "read_log", map[string]any{"request_id": an.RequestID, "job": "test (macos-latest, 1.24)", "from_line": -2})
	require.Len(t, read.Lines, 2)
	require.Equal(t, read.TotalLines, read.ToLine)
	require.Contains(t, text, "Process completed with exit code 1.")

	f, _ := call[GetFindingOutput](t, b, "get_finding", map[string]any{"request_id": an.RequestID, "fingerprint": top.Fingerprint})
	require.Len(t, f.Finding.Jobs, 12)
	require.Zero(t, fake.LogRequests(), "follow-up tools read the kept logs, not the provider")

	// A job URL narrows the analysis to that job.
	jobURL := fake.JobWebURL(0, 5)
	one, _ := call[AnalyzeBuildOutput](t, b, "analyze_build", map[string]any{"url": jobURL})
	require.Equal(t, 1, one.Summary.JobsAnalyzed)
	require.Equal(t, fake.Scenario().Builds[0].Jobs[5].Name, one.Findings[0].JobName)
}

func TestAnalyzeBuildProviderErrors(t *testing.T) {
	t.Parallel()
	failing := func() providertest.Scenario {
		b := providertest.Build{Provider: providers.KindBuildkite, Org: "acme", Repo: "api", Number: 77}
		b.Jobs = []providertest.Job{
			{Name: "lint", State: "passed", Log: providertest.BuildkiteLog("ok")},
			{Name: "test", State: "failed", ExitStatus: providertest.Int(1), Log: providertest.BuildkiteLog("step 1", "error: cannot connect to database", "exit status 1")},
		}
		return providertest.Scenario{Builds: []providertest.Build{b}}
	}
	for _, tc := range []struct {
		name string
		edit func(*providertest.Scenario)
		env  func(map[string]string)
		url  string
		want string
	}{
		{name: "missing token", env: func(e map[string]string) { delete(e, "BUILDKITE_API_TOKEN") },
			want: "BUILDKITE_API_TOKEN is not set: create an API access token with the read_builds, read_build_logs and read_artifacts scopes (Buildkite → Personal Settings → API Access Tokens) and export BUILDKITE_API_TOKEN. " +
				`destill mcp reads tokens from its own environment, not your shell's: add BUILDKITE_API_TOKEN to the "env" of the destill server in the MCP client's configuration`},
		{name: "wrong token", env: func(e map[string]string) { e["BUILDKITE_API_TOKEN"] = "wrong-token-1" },
			want: "Buildkite rejected the token in BUILDKITE_API_TOKEN (401 Unauthorized)"},
		{name: "no access", edit: func(sc *providertest.Scenario) { sc.Faults = []providertest.Fault{{Status: 403}} },
			want: "the token in BUILDKITE_API_TOKEN lacks access to build acme/api #77 (403 Forbidden"},
		{name: "not found", url: "https://buildkite.com/acme/api/builds/78",
			want: "build acme/api #78 not found (404): check the URL"},
		{name: "not a build URL", url: "https://github.com/acme/api/pull/12",
			want: "cannot read https://github.com/acme/api/pull/12: "},
		{name: "logs expired", edit: func(sc *providertest.Scenario) { sc.Builds[0].Jobs[1].LogStatus = 410 },
			want: "no job log could be read: "},
		{name: "running", edit: func(sc *providertest.Scenario) { sc.Builds[0].Jobs[1].State = "running" },
			want: "build is still running and no job has failed yet; try again when it finishes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sc := failing()
			if tc.edit != nil {
				tc.edit(&sc)
			}
			b, fake := setupProvider(t, sc, tc.env)
			url := tc.url
			if url == "" {
				url = fake.WebURL(0)
			}
			res := callAny(t, b, "analyze_build", map[string]any{"url": url})
			require.True(t, res.IsError, resultText(res))
			require.Contains(t, resultText(res), tc.want)
			require.NotContains(t, resultText(res), "passed")
			require.Equal(t, 0, b.store.Len())
			requireNoKeptLogs(t, b.tmp)
		})
	}

	t.Run("passed", func(t *testing.T) {
		t.Parallel()
		sc := failing()
		sc.Builds[0].Jobs[1].State = "passed"
		b, fake := setupProvider(t, sc, nil)
		out, text := call[AnalyzeBuildOutput](t, b, "analyze_build", map[string]any{"url": fake.WebURL(0)})
		require.Equal(t, statusPassed, out.Status)
		require.Contains(t, text, "No job failed")
	})
}

// TestAnalyzeBuildProviderCancel cancels an analysis while a log is
// downloading and checks no further log is requested from the provider.
func TestAnalyzeBuildProviderCancel(t *testing.T) {
	t.Parallel()
	sc := providertest.DemoSlow() // four slow logs
	sc.Token = providerToken
	fake := providertest.New(t, sc)
	env := fake.EnvMap()
	b := setupWith(t, Options{Getenv: func(k string) string { return env[k] }, Concurrency: 1})

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := b.session.CallTool(ctx, &mcp.CallToolParams{Name: "analyze_build", Arguments: map[string]any{"url": fake.WebURL(0)}})
		errc <- err
	}()
	require.Eventually(t, func() bool { return fake.LogRequests() >= 1 }, 10*time.Second, 5*time.Millisecond)
	cancel()
	select {
	case err := <-errc:
		require.ErrorIs(t, err, context.Canceled)
	case <-time.After(10 * time.Second):
		t.Fatal("the call did not return after it was cancelled")
	}
	n := fake.LogRequests()
	time.Sleep(1500 * time.Millisecond) // longer than the logs' delays
	require.Equal(t, n, fake.LogRequests(), "logs were still requested after the cancel")
	require.Less(t, n, 4)
	require.Eventually(t, func() bool { return noKeptLogs(b.tmp) }, 10*time.Second, 10*time.Millisecond)
	require.True(t, strings.HasPrefix(fake.WebURL(0), "https://buildkite.com/"))
}

// TestAnalyzeBuildReadsTestReports: failed tests of the build's JUnit
// reports join the findings, as in `destill analyze`.
func TestAnalyzeBuildReadsTestReports(t *testing.T) {
	t.Parallel()
	b, fake := setupProvider(t, providertest.DemoBuildkite(), nil)
	an, text := call[AnalyzeBuildOutput](t, b, "analyze_build", map[string]any{"url": fake.WebURL(0), "top": 50})
	var fromReport *FindingBrief
	for i, f := range an.Findings {
		if strings.Contains(f.Message, "TestUploadResume: resume offset 0, want 512") {
			fromReport = &an.Findings[i]
		}
	}
	require.NotNil(t, fromReport, "a failed test only the JUnit report names: %s", text)
	f, _ := call[GetFindingOutput](t, b, "get_finding", map[string]any{"request_id": an.RequestID, "fingerprint": fromReport.Fingerprint})
	require.NotNil(t, f.Finding.Test)
	require.Equal(t, "reports/junit/unit.xml", f.Finding.Test.Report)
}
