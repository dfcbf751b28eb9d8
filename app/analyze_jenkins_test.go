package app

import (
	"context"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/providertest"
)

// TestAnalyzeJenkinsBuild analyzes the demo Pipeline build through the
// whole analyze command: the failed stage names the findings, the test
// report's failed tests are linked or added, the previous successful
// build is the baseline, and every URL form of the build gives the same
// answer.
func TestAnalyzeJenkinsBuild(t *testing.T) {
	t.Parallel()
	fake := newFake(t, providertest.DemoJenkins())
	r := analyzeURL(t, fake, fake.WebURL(0), nil)
	require.Equal(t, 0, r.code, r.err)

	require.Equal(t, "jenkins", r.rep.Source.Kind)
	require.Equal(t, int64(1234), r.rep.Source.Build.Number)
	require.Equal(t, "FAILURE", r.rep.Source.Build.State)
	require.Equal(t, "main", r.rep.Source.Build.Branch)
	job := jobSummary(r.rep, "team/api/main")
	require.NotNil(t, job)
	require.Equal(t, "Test", job.Step, "the stage that failed")
	require.True(t, job.Analyzed)

	top := r.rep.Findings[0]
	require.Contains(t, top.Message, "--- FAIL: TestUploadRetry")
	require.Equal(t, "Test", top.Step)
	require.Contains(t, top.Reasons, "in-failed-step")
	require.Equal(t, fake.WebURL(0), top.URL)
	require.NotNil(t, top.Test, "the test report's failed test is linked to the log finding")
	require.Equal(t, "testReport", top.Test.Report)
	resume := findingFor(r.rep, "TestUploadResume")
	require.NotNil(t, resume, "a failed test the log does not name becomes a finding")
	for _, f := range r.rep.Findings {
		require.NotContains(t, f.Message, "[Pipeline]")
	}
	require.NotNil(t, r.rep.Baseline)
	require.Equal(t, "previous-build", r.rep.Baseline.Kind)
	require.Equal(t, "1233", r.rep.Baseline.Build)
	require.Contains(t, r.rep.Baseline.Note, "build #1233 on main")

	base := strings.TrimSuffix(fake.WebURL(0), "1234/")
	for _, u := range []string{
		fake.WebURL(0) + "console",
		fake.WebURL(0) + "consoleFull",
		fake.WebURL(0) + "display/redirect",
		base + "lastFailedBuild/",
		fake.JenkinsURL() + "/blue/organizations/jenkins/team%2Fapi/detail/main/1234/pipeline",
	} {
		other := analyzeURL(t, fake, u, nil)
		require.Equal(t, 0, other.code, u+": "+other.err)
		require.Equal(t, int64(1234), other.rep.Source.Build.Number, u)
		require.Equal(t, top.Message, other.rep.Findings[0].Message, u)
	}
}

// TestAnalyzeJenkinsErrors checks each way a Jenkins build cannot be read
// gives one line saying what to do.
func TestAnalyzeJenkinsErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		edit   func(*providertest.Scenario)
		env    func(*providertest.Fake) []string
		url    func(*providertest.Fake) string
		expect string
	}{
		{name: "wrong token (401)",
			env:    func(f *providertest.Fake) []string { return setEnv(f.Env(), "JENKINS_API_TOKEN", "wrong-token-1") },
			expect: "Jenkins rejected the user and API token in JENKINS_USER_ID and JENKINS_API_TOKEN (401 Unauthorized)"},
		{name: "anonymous (403)",
			env:    func(f *providertest.Fake) []string { return dropEnv(f.Env(), "JENKINS_USER_ID", "JENKINS_API_TOKEN") },
			expect: "refused anonymous access to build team/api/main #1234 (403 Forbidden): the request was anonymous; to send credentials, set JENKINS_URL="},
		{name: "credentials without JENKINS_URL",
			env:    func(f *providertest.Fake) []string { return dropEnv(f.Env(), "JENKINS_URL") },
			expect: "JENKINS_USER_ID and JENKINS_API_TOKEN were not sent because JENKINS_URL is not set; set JENKINS_URL=http://127.0.0.1:"},
		{name: "no access (403)",
			edit: func(sc *providertest.Scenario) {
				sc.Faults = []providertest.Fault{{Provider: providers.KindJenkins, Status: 403}}
			},
			expect: "the Jenkins user in JENKINS_USER_ID lacks access to build team/api/main #1234 (403 Forbidden): it needs Overall/Read and Job/Read"},
		{name: "not found (404)",
			url:    func(f *providertest.Fake) string { return strings.Replace(f.WebURL(0), "/1234/", "/77/", 1) },
			expect: "build team/api/main #77 not found (404): check the URL; Jenkins also answers 404 when the user in JENKINS_USER_ID lacks Job/Read"},
		{name: "no failed build (404)",
			url: func(f *providertest.Fake) string {
				return strings.Replace(f.WebURL(0), "/1233/", "/lastFailedBuild/", 1)
			},
			edit:   func(sc *providertest.Scenario) { sc.Builds = sc.Builds[1:] },
			expect: "the lastFailedBuild of team/api/main not found (404)"},
		{name: "half the credentials",
			env:    func(f *providertest.Fake) []string { return dropEnv(f.Env(), "JENKINS_USER_ID") },
			expect: "JENKINS_API_TOKEN is set but JENKINS_USER_ID is not"},
		{name: "build passed",
			url:    func(f *providertest.Fake) string { return f.WebURL(1) },
			expect: "build passed: nothing to analyze"},
		{name: "running, nothing failed yet",
			edit:   func(sc *providertest.Scenario) { sc.Builds[0].Jobs[1].State = "running" },
			expect: "build is still running and no job has failed yet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sc := providertest.DemoJenkins()
			if tt.edit != nil {
				tt.edit(&sc)
			}
			fake := newFake(t, sc)
			var env []string
			if tt.env != nil {
				env = tt.env(fake)
			}
			url := fake.WebURL(0)
			if tt.url != nil {
				url = tt.url(fake)
			}
			r := analyzeURL(t, fake, url, env)
			require.NotEqual(t, 0, r.code)
			require.Contains(t, r.err, tt.expect)
			lines := strings.Split(strings.TrimSpace(r.err), "\n")
			require.True(t, len(lines) == 1 || lines[1] == "Run 'destill analyze --help' for usage.", r.err)
			require.NotContains(t, r.err, "<html>")
			require.Empty(t, r.out)
		})
	}
}

// TestAnalyzeJenkinsRunningBuild analyzes a build whose Test stage failed
// while Deploy still runs: the console is read as far as it has got, the
// report says so, and nothing of it is cached.
func TestAnalyzeJenkinsRunningBuild(t *testing.T) {
	t.Parallel()
	sc := providertest.DemoJenkins()
	sc.Builds[0].Jobs[2].State = "running"
	fake := newFake(t, sc)
	dir := t.TempDir()
	for range 2 {
		fake.ResetCounts()
		r := analyzeURL(t, fake, fake.WebURL(0), withCache(fake, dir), "--no-baseline", "--no-history")
		require.Equal(t, 0, r.code, r.err)
		require.Contains(t, r.rep.Findings[0].Message, "--- FAIL: TestUploadRetry")
		require.Contains(t, r.rep.Notes, `build is still running: the log of job "team/api/main" was analyzed as far as it had got`)
		require.Equal(t, 1, fake.Requests("/jenkins/job/team/job/api/job/main/1234/logText/progressiveText"))
	}
	require.Empty(t, cacheFiles(t, dir, "logs"))
}

// TestAnalyzeJenkinsCached analyzes a finished build twice: the second
// time the console log comes from the cache.
func TestAnalyzeJenkinsCached(t *testing.T) {
	t.Parallel()
	fake := newFake(t, providertest.DemoJenkins())
	dir := t.TempDir()
	first := analyzeURL(t, fake, fake.WebURL(0), withCache(fake, dir), "--no-baseline", "--no-history")
	require.Equal(t, 0, first.code, first.err)
	require.Equal(t, 1, fake.LogRequests())
	fake.ResetCounts()
	second := analyzeURL(t, fake, fake.WebURL(0), withCache(fake, dir), "--no-baseline", "--no-history")
	require.Equal(t, 0, second.code, second.err)
	require.Zero(t, fake.LogRequests(), "the console log came from the cache")
	require.Equal(t, first.out, second.out)
}

// jenkinsElsewhere starts a Hostile and returns a Jenkins build URL on it,
// a host that is not JENKINS_URL's, the line its error must hold, and
// streams with Jenkins credentials whose connections all reach it.
func jenkinsElsewhere(t *testing.T) (h *providertest.Hostile, url, want string, streams *Streams) {
	h = providertest.NewHostile(t, secretToken)
	streams, _, _ = TestStreams("", "JENKINS_URL", "https://ci.example.com", "JENKINS_USER_ID", "ci-bot", "JENKINS_API_TOKEN", secretToken)
	streams.HTTPClient = h.Client()
	return h, h.URL() + "/job/api/12/",
		"is not the Jenkins in JENKINS_URL (https://ci.example.com), so JENKINS_USER_ID and JENKINS_API_TOKEN were not sent to it; set JENKINS_URL=" + h.URL(),
		streams
}

// TestJenkinsBuildOnAnotherHostGetsNoCredentials pastes a Jenkins build URL
// on a host that is not JENKINS_URL's into analyze and into MCP
// analyze_build: the host is asked anonymously, and the error says why.
func TestJenkinsBuildOnAnotherHostGetsNoCredentials(t *testing.T) {
	t.Parallel()
	t.Run("analyze", func(t *testing.T) {
		t.Parallel()
		h, url, want, streams := jenkinsElsewhere(t)
		errOut := &strings.Builder{}
		streams.ErrOut = errOut
		code := Main(context.Background(), []string{"destill", "analyze", url}, streams)
		require.Equal(t, 1, code)
		require.Contains(t, errOut.String(), want)
		require.Equal(t, 1, strings.Count(errOut.String(), "\n"))
		h.RequireNoLeak(t)
	})
	t.Run("mcp", func(t *testing.T) {
		t.Parallel()
		h, url, want, streams := jenkinsElsewhere(t)
		cs := mcpInProcess(t, streams)
		res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "analyze_build", Arguments: map[string]any{"url": url}})
		require.NoError(t, err)
		require.True(t, res.IsError)
		text := res.Content[0].(*mcp.TextContent).Text
		require.Contains(t, text, want)
		require.NotContains(t, text, secretToken)
		h.RequireNoLeak(t)
	})
}

// TestMCPAnalyzesJenkinsBuild gives a Jenkins build URL to analyze_build.
func TestMCPAnalyzesJenkinsBuild(t *testing.T) {
	t.Parallel()
	fake := newFake(t, providertest.DemoJenkins())
	streams, _, _ := TestStreams("", fake.Env()...)
	cs := mcpInProcess(t, streams)
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "analyze_build", Arguments: map[string]any{"url": fake.WebURL(0)}})
	require.NoError(t, err)
	text := res.Content[0].(*mcp.TextContent).Text
	require.False(t, res.IsError, text)
	require.Contains(t, text, "--- FAIL: TestUploadRetry")
	require.NotContains(t, text, secretToken)
}

// TestJenkinsJobsShareNoCacheEntry analyzes build #7 of two jobs of one
// Jenkins: build numbers are per job, so the second is not served the
// first's cached log.
func TestJenkinsJobsShareNoCacheEntry(t *testing.T) {
	t.Parallel()
	build := func(repo, log string) providertest.Build {
		return providertest.Build{Provider: providers.KindJenkins, Repo: repo, Number: 7, Freestyle: true,
			Jobs: []providertest.Job{{Name: repo, State: "failed", Log: log}}}
	}
	fake := newFake(t, providertest.Scenario{Builds: []providertest.Build{
		build("api", "error: cannot connect to database\n"),
		build("web", "npm ERR! code ERESOLVE\n"),
	}})
	dir := t.TempDir()
	for i, want := range []string{"cannot connect to database", "ERESOLVE"} {
		for range 2 {
			r := analyzeURL(t, fake, fake.WebURL(i), withCache(fake, dir), "--no-baseline")
			require.Equal(t, 0, r.code, r.err)
			require.NotNil(t, findingFor(r.rep, want), "build %d: %v", i, r.rep.Findings)
		}
	}
	require.Len(t, cacheFiles(t, dir, "logs"), 2)
}
