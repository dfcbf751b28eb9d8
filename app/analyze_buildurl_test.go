package app

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/providertest"
)

// secretToken is the fakes' token in these tests; it must never be printed.
const secretToken = "tok-SECRET-5f2a9c81d7"

type run struct {
	code     int
	out, err string
	rep      analysis.Report
}

// analyzeURL runs "destill analyze --json URL args..." against fake.
func analyzeURL(t *testing.T, fake *providertest.Fake, url string, env []string, args ...string) run {
	t.Helper()
	if env == nil {
		env = fake.Env()
	}
	streams, out, errOut := TestStreams("", env...)
	argv := append([]string{"destill", "analyze", "--json"}, args...)
	argv = append(argv, url)
	code := Main(context.Background(), argv, streams)
	r := run{code: code, out: out.String(), err: errOut.String()}
	require.NotContains(t, r.out+r.err, secretToken, "the token leaked into the output")
	require.NotContains(t, r.out+r.err, "FAKESIGNATURE", "a signed blob URL leaked into the output")
	if code == 0 || strings.HasPrefix(r.out, "{") {
		require.NoError(t, json.Unmarshal(out.Bytes(), &r.rep), r.out)
	}
	return r
}

func newFake(t *testing.T, sc providertest.Scenario) *providertest.Fake {
	sc.Token = secretToken
	return providertest.New(t, sc)
}

func findingFor(rep analysis.Report, substr string) *analysis.Finding {
	for i := range rep.Findings {
		if strings.Contains(rep.Findings[i].Message, substr) {
			return &rep.Findings[i]
		}
	}
	return nil
}

// jobSummary returns the last job named name (the latest attempt).
func jobSummary(rep analysis.Report, name string) *analysis.JobSummary {
	var found *analysis.JobSummary
	for i := range rep.Jobs {
		if rep.Jobs[i].Name == name {
			found = &rep.Jobs[i]
		}
	}
	return found
}

func TestAnalyzeGitHubMatrixRun(t *testing.T) {
	fake := newFake(t, providertest.DemoGitHubMatrix())
	r := analyzeURL(t, fake, fake.WebURL(0), nil)
	require.Equal(t, 0, r.code, r.err)

	require.Equal(t, "github-actions", r.rep.Source.Kind)
	require.Equal(t, 2, r.rep.Source.Build.Attempt)
	require.Equal(t, 12, r.rep.Summary.JobsAnalyzed)
	top := r.rep.Findings[0]
	require.Contains(t, top.Message, "--- FAIL: TestUploadRetry")
	require.Equal(t, 12, top.Occurrences, "one finding for the same failure in 12 matrix jobs")
	require.Len(t, top.Jobs, 12)
	require.Equal(t, "Run go test ./...", jobSummary(r.rep, top.JobName).Step)
	require.True(t, strings.HasPrefix(top.URL, "https://github.com/acme/api/actions/runs/9876543210/job/"), top.URL)
	require.NotNil(t, top.Test, "the JUnit artifact's failed test is linked to the log finding")
	require.Equal(t, "TestUploadRetry", top.Test.Name)
	require.Equal(t, "junit-ubuntu-latest-1.26/report.xml", top.Test.Report)

	// Skipped and retried jobs are listed but never fetched; the pages
	// (5 jobs each) were followed through GitHub's /repositories/ links.
	require.Equal(t, "skipped", jobSummary(r.rep, "deploy-preview").State)
	require.False(t, jobSummary(r.rep, "deploy-preview").Analyzed)
	require.Equal(t, 12, fake.Requests("/github/repos/acme/api/actions/jobs/"))
	require.Equal(t, 12+1, fake.Requests("/actions-results/"), "12 logs and 1 artifact from the blob host")
	require.Positive(t, fake.Requests("/github/repositories/"))
}

func TestAnalyzeGitHubAllJobsMarksPassingJobs(t *testing.T) {
	fake := newFake(t, providertest.DemoGitHubMatrix())
	r := analyzeURL(t, fake, fake.WebURL(0), nil, "--all-jobs")
	require.Equal(t, 0, r.code, r.err)
	require.Equal(t, 13, r.rep.Summary.JobsAnalyzed)
	f := findingFor(r.rep, "failed to fetch https://proxy.golang.org")
	require.NotNil(t, f, "the error printed by failed and passing jobs")
	require.True(t, f.AlsoInPassingJobs)
	require.True(t, f.Jobs[0].Failed, "failed jobs come first")
	require.Less(t, f.Confidence, r.rep.Findings[0].Confidence)
}

func TestAnalyzeGitHubJobAndAttemptURLs(t *testing.T) {
	fake := newFake(t, providertest.DemoGitHubMatrix())
	sc := fake.Scenario()
	job := sc.Builds[0].Jobs[5]
	r := analyzeURL(t, fake, fake.WebURL(0)+"/job/"+job.ID, nil)
	require.Equal(t, 0, r.code, r.err)
	require.Equal(t, 1, r.rep.Summary.JobsAnalyzed)
	require.Equal(t, job.Name, r.rep.Findings[0].JobName)

	r = analyzeURL(t, fake, fake.WebURL(0)+"/attempts/1", nil)
	require.Equal(t, 0, r.code, r.err)
	require.Equal(t, 1, r.rep.Source.Build.Attempt)
	require.Equal(t, 1, r.rep.Summary.JobsAnalyzed, "attempt 1 had one failed job")
	shown := ""
	for _, f := range r.rep.Findings {
		shown += strings.Join(f.Text, "\n") + "\n"
	}
	require.Contains(t, shown, "exit code 1", "the runner's verdict is shown")
}

func TestAnalyzeBuildkiteBuild(t *testing.T) {
	fake := newFake(t, providertest.DemoBuildkite())
	r := analyzeURL(t, fake, fake.WebURL(0), nil)
	require.Equal(t, 0, r.code, r.err)

	unit := jobSummary(r.rep, ":go: Unit tests")
	require.True(t, unit.Analyzed)
	require.Equal(t, 2, unit.Attempt)
	lost := jobSummary(r.rep, "Agent lost")
	require.True(t, lost.Failed, "a failed job with a null exit status is a failure")
	require.Nil(t, lost.ExitStatus)
	require.True(t, lost.Analyzed)
	soft := jobSummary(r.rep, "Integration (postgres)")
	require.True(t, soft.SoftFailed)
	require.False(t, soft.Failed)
	require.False(t, soft.Analyzed)
	require.Equal(t, "broken", jobSummary(r.rep, ":rocket: Deploy preview").State)
	require.Contains(t, strings.Join(r.rep.Notes, "\n"), "1 job(s) never ran")
	require.Equal(t, 2, r.rep.Summary.JobsAnalyzed, "the retried attempt, soft failure, broken job and waiter are not fetched")
	require.Equal(t, 2, fake.LogRequests())

	f := findingFor(r.rep, "--- FAIL: TestUploadRetry")
	require.NotNil(t, f)
	require.Equal(t, ":go: Unit tests", f.JobName)
	require.Equal(t, fake.JobWebURL(0, 2), f.URL)
	require.NotNil(t, f.Test)
	require.Equal(t, "reports/junit/unit.xml", f.Test.Report)
	// A failed test that the log does not name becomes its own finding.
	resume := findingFor(r.rep, "TestUploadResume")
	require.NotNil(t, resume)
	require.Equal(t, "TestUploadResume", resume.Test.Name)
	require.Equal(t, "resume offset 0, want 512", strings.TrimPrefix(resume.Message, "github.com/acme/api/internal/upload.TestUploadResume: "))
	require.Equal(t, []string{"upload_test.go:140: resume offset 0, want 512"}, resume.Text)
	require.Equal(t, fake.JobWebURL(0, 2), resume.URL, "no line anchor for a test report")
	require.Equal(t, 1, fake.Requests("/actions-results/"), "the artifact came from the blob host")
}

func TestAnalyzeBuildkiteOneJob(t *testing.T) {
	fake := newFake(t, providertest.DemoBuildkite())
	job := fake.Scenario().Builds[0].Jobs[4]
	r := analyzeURL(t, fake, fake.WebURL(0)+"#"+job.ID, nil)
	require.Equal(t, 0, r.code, r.err)
	require.Equal(t, 1, r.rep.Summary.JobsAnalyzed)
	require.Equal(t, "Agent lost", r.rep.Findings[0].JobName)
}

func TestAnalyzeGitLabPipeline(t *testing.T) {
	fake := newFake(t, providertest.DemoGitLab())
	r := analyzeURL(t, fake, fake.WebURL(0), nil)
	require.Equal(t, 0, r.code, r.err)
	require.Equal(t, "gitlab", r.rep.Source.Kind)
	require.Equal(t, 2, r.rep.Summary.JobsAnalyzed, "the failure and the timeout; not the allowed failure")
	require.Equal(t, "timed_out", jobSummary(r.rep, "e2e 1/2").State)
	require.True(t, jobSummary(r.rep, "test:integration").SoftFailed)
	f := findingFor(r.rep, "--- FAIL: TestUploadRetry")
	require.NotNil(t, f)
	require.Equal(t, "test:unit", f.JobName)
	require.Equal(t, fake.JobWebURL(0, 1)+"#L"+strconv.Itoa(f.LineStart), f.URL, "GitLab links to the log line")
	// Both traces (odd-indexed jobs) came by redirect from the blob host,
	// which refuses any request that carries PRIVATE-TOKEN.
	require.Equal(t, 2, fake.Requests("/actions-results/"))

	job := fake.Scenario().Builds[0].Jobs[3]
	r = analyzeURL(t, fake, "https://gitlab.com/acme/platform/api/-/jobs/"+job.ID, nil)
	require.Equal(t, 0, r.code, r.err)
	require.Equal(t, 1, r.rep.Summary.JobsAnalyzed)
	require.Equal(t, "e2e 1/2", r.rep.Findings[0].JobName)
}

// oneFailedBuild is a build of each provider with one failed job.
func oneFailedBuild(kind providers.Kind, log string) providertest.Scenario {
	b := providertest.Build{Provider: kind, Org: "acme", Repo: "api", Number: 77}
	if kind == providers.KindGitLab {
		b.Repo = "acme/api"
	}
	b.Jobs = []providertest.Job{
		{Name: "ok", State: "passed", Log: "fine\n"},
		{Name: "broken-test", State: "failed", Log: log},
	}
	return providertest.Scenario{Builds: []providertest.Build{b}}
}

var allKinds = []providers.Kind{providers.KindBuildkite, providers.KindGitHubActions, providers.KindGitLab}

func TestAnalyzeBuildURLErrors(t *testing.T) {
	failingLog := "step 1\nerror: cannot connect to database\nexit status 1\n"
	tests := []struct {
		name   string
		edit   func(*providertest.Scenario)
		env    func(fake *providertest.Fake, kind providers.Kind) []string
		code   int
		expect map[providers.Kind]string
	}{
		{
			name: "missing token",
			env: func(fake *providertest.Fake, kind providers.Kind) []string {
				return dropEnv(fake.Env(), "BUILDKITE_API_TOKEN", "GITHUB_TOKEN", "GITLAB_TOKEN")
			},
			code: 1,
			expect: map[providers.Kind]string{
				providers.KindBuildkite:     "BUILDKITE_API_TOKEN is not set: create an API access token with the read_builds, read_build_logs and read_artifacts scopes",
				providers.KindGitHubActions: "GITHUB_TOKEN is not set (GH_TOKEN works too): create a token with the repo scope (classic token) or Actions: read",
				providers.KindGitLab:        "GITLAB_TOKEN is not set: create a personal access token with the read_api scope",
			},
		},
		{
			name: "wrong token (401)",
			env: func(fake *providertest.Fake, kind providers.Kind) []string {
				return setEnv(fake.Env(), "BUILDKITE_API_TOKEN", "wrong-token-1", "GITHUB_TOKEN", "wrong-token-1", "GITLAB_TOKEN", "wrong-token-1")
			},
			code: 1,
			expect: map[providers.Kind]string{
				providers.KindBuildkite:     "Buildkite rejected the token in BUILDKITE_API_TOKEN (401 Unauthorized)",
				providers.KindGitHubActions: "GitHub rejected the token in GITHUB_TOKEN (401 Unauthorized)",
				providers.KindGitLab:        "GitLab rejected the token in GITLAB_TOKEN (401 Unauthorized)",
			},
		},
		{
			name: "no access (403)",
			edit: func(sc *providertest.Scenario) { sc.Faults = []providertest.Fault{{Status: 403}} },
			code: 1,
			expect: map[providers.Kind]string{
				providers.KindBuildkite:     "the token in BUILDKITE_API_TOKEN lacks access to build acme/api #77 (403 Forbidden: Your access token doesn't have the read_builds scope): it needs the read_builds",
				providers.KindGitHubActions: "lacks access to workflow run acme/api 77 (403 Forbidden: Resource not accessible by personal access token): it needs the repo scope (classic token) or Actions: read (fine-grained token), and SSO authorization",
				providers.KindGitLab:        "the token in GITLAB_TOKEN lacks access to pipeline 77 of acme/api (403 Forbidden): it needs the read_api scope",
			},
		},
		{
			name: "not found (404)",
			edit: func(sc *providertest.Scenario) { sc.Builds[0].Number = 78 },
			code: 1,
			expect: map[providers.Kind]string{
				providers.KindBuildkite:     "build acme/api #77 not found (404): check the URL; if it is private, the token in BUILDKITE_API_TOKEN needs access",
				providers.KindGitHubActions: "workflow run acme/api 77 not found (404)",
				providers.KindGitLab:        "pipeline 77 of acme/api not found (404)",
			},
		},
		{
			name: "build passed",
			edit: func(sc *providertest.Scenario) { sc.Builds[0].Jobs[1].State = "passed" },
			code: 1,
			expect: map[providers.Kind]string{
				providers.KindBuildkite:     "build passed: nothing to analyze",
				providers.KindGitHubActions: "build passed: nothing to analyze",
				providers.KindGitLab:        "build passed: nothing to analyze",
			},
		},
		{
			name: "running, nothing failed yet",
			edit: func(sc *providertest.Scenario) { sc.Builds[0].Jobs[1].State = "running" },
			code: 1,
			expect: map[providers.Kind]string{
				providers.KindBuildkite:     "build is still running and no job has failed yet",
				providers.KindGitHubActions: "build is still running and no job has failed yet",
				providers.KindGitLab:        "build is still running and no job has failed yet",
			},
		},
	}
	for _, tt := range tests {
		for _, kind := range allKinds {
			t.Run(tt.name+"/"+string(kind), func(t *testing.T) {
				sc := oneFailedBuild(kind, failingLog)
				if tt.edit != nil {
					tt.edit(&sc)
				}
				fake := newFake(t, sc)
				var env []string
				if tt.env != nil {
					env = tt.env(fake, kind)
				}
				url := fake.WebURL(0)
				if tt.name == "not found (404)" {
					url = strings.Replace(url, "78", "77", 1)
				}
				r := analyzeURL(t, fake, url, env)
				require.Equal(t, tt.code, r.code, r.err)
				require.Contains(t, r.err, tt.expect[kind])
				require.Equal(t, 1, strings.Count(r.err, "\n"), "one line: %q", r.err)
				require.Empty(t, r.out)
			})
		}
	}
}

func TestAnalyzeBuildURLRecoversAndReportsPerJobFailures(t *testing.T) {
	t.Parallel()
	for _, kind := range allKinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel() // each waits for a Retry-After
			sc := oneFailedBuild(kind, "error: cannot connect to database at "+secretToken+"\n")
			sc.Builds[0].Jobs = append(sc.Builds[0].Jobs,
				providertest.Job{Name: "expired", State: "failed", Log: "gone\n", LogStatus: 410},
				providertest.Job{Name: "still running", State: "running", Log: "partial\n"},
			)
			// One 429 with Retry-After, then a 503, before anything works.
			sc.Faults = []providertest.Fault{
				{Status: 429, RetryAfter: 1, Times: 1},
				{Status: 503, Times: 1},
			}
			fake := newFake(t, sc)
			r := analyzeURL(t, fake, fake.WebURL(0), nil)
			require.Equal(t, 0, r.code, r.err)
			f := findingFor(r.rep, "cannot connect to database")
			require.NotNil(t, f, "the failed log's finding is not hidden by the expired log")
			require.Contains(t, f.Message, analysis.Redacted, "a token printed in a log is redacted")
			expired := jobSummary(r.rep, "expired")
			require.False(t, expired.Analyzed)
			if kind == providers.KindGitHubActions {
				require.Equal(t, "log expired or deleted (410 Gone)", expired.Error)
			} else {
				require.Contains(t, expired.Error, "(410")
			}
			notes := strings.Join(r.rep.Notes, "\n")
			require.Contains(t, notes, "build is still running: 1 job(s) not finished were not analyzed")
			require.Contains(t, notes, `job "expired" was not analyzed: `+expired.Error)
		})
	}
}

func TestAnalyzeHugeLogStreams(t *testing.T) {
	sc := oneFailedBuild(providers.KindGitHubActions, providertest.GitHubLog("panic: runtime error: invalid memory address or nil pointer dereference"))
	sc.Builds[0].Jobs[1].LogSize = 50 << 20
	fake := newFake(t, sc)
	r := analyzeURL(t, fake, fake.WebURL(0), nil)
	require.Equal(t, 0, r.code, r.err)
	require.Equal(t, int64(50<<20), jobSummary(r.rep, "broken-test").LogBytes)
	f := findingFor(r.rep, "nil pointer dereference")
	require.NotNil(t, f, "the failure at the end of a 50 MB log")
	require.Greater(t, f.LineStart, 500000)
}

func TestAnalyzeBuildURLProgressOnlyOnTerminal(t *testing.T) {
	fake := newFake(t, providertest.DemoSlow())
	for _, tty := range []bool{false, true} {
		streams, out, errOut := TestStreams("", fake.Env()...)
		streams.StderrTTY = tty
		code := Main(context.Background(), []string{"destill", "analyze", fake.WebURL(0)}, streams)
		require.Equal(t, 0, code, errOut.String())
		require.Contains(t, out.String(), "--- FAIL: TestUploadRetry")
		if tty {
			require.Contains(t, errOut.String(), "/4 job logs fetched, ")
			require.Contains(t, errOut.String(), " MB")
		} else {
			require.Empty(t, errOut.String())
		}
	}
}

func TestAnalyzeAPIURLFlag(t *testing.T) {
	fake := newFake(t, providertest.DemoGitLab())
	env := setEnv(fake.Env(), "GITLAB_API_URL", "http://127.0.0.1:1/nowhere")
	r := analyzeURL(t, fake, fake.WebURL(0), env, "--gitlab-api-url", fake.GitLabURL())
	require.Equal(t, 0, r.code, r.err)

	r = analyzeURL(t, fake, fake.WebURL(0), env, "--gitlab-api-url", "ftp://x")
	require.Equal(t, 2, r.code)
	require.Contains(t, r.err, "GITLAB_API_URL (or its flag) is not an http(s) URL")
}

func TestAnalyzeGHTokenFallback(t *testing.T) {
	fake := newFake(t, providertest.DemoGitHubMatrix())
	env := setEnv(dropEnv(fake.Env(), "GITHUB_TOKEN"), "GH_TOKEN", secretToken)
	r := analyzeURL(t, fake, fake.WebURL(0), env)
	require.Equal(t, 0, r.code, r.err)
}

func TestAnalyzeRateLimitWaitIsAnnounced(t *testing.T) {
	t.Parallel() // it waits 10 seconds
	sc := oneFailedBuild(providers.KindBuildkite, "error: boom\n")
	sc.Faults = []providertest.Fault{{Status: 429, RetryAfter: 10, Times: 1}}
	fake := newFake(t, sc)
	r := analyzeURL(t, fake, fake.WebURL(0), nil)
	require.Equal(t, 0, r.code, r.err)
	require.Contains(t, r.err, "destill: Buildkite: rate limit reached; waiting 10s before retrying\n")
}

func dropEnv(env []string, keys ...string) []string {
	var out []string
	for i := 0; i+1 < len(env); i += 2 {
		drop := false
		for _, k := range keys {
			drop = drop || env[i] == k
		}
		if !drop {
			out = append(out, env[i], env[i+1])
		}
	}
	return out
}

func setEnv(env []string, kv ...string) []string {
	for i := 0; i+1 < len(kv); i += 2 {
		env = append(dropEnv(env, kv[i]), kv[i], kv[i+1])
	}
	return env
}

func TestRenderTestReportFindings(t *testing.T) {
	fake := newFake(t, providertest.DemoBuildkite())
	for format, want := range map[string][]string{
		"text":     {"test: TestUploadRetry (reports/junit/unit.xml)", ":go: Unit tests (test report)", "upload.TestUploadResume: resume offset 0, want 512"},
		"markdown": {"| test report |", "— :go: Unit tests test TestUploadResume</summary>", "Test: TestUploadRetry (reports/junit/unit.xml)"},
	} {
		streams, out, errOut := TestStreams("", fake.Env()...)
		code := Main(context.Background(), []string{"destill", "analyze", "--format", format, "--top", "0", fake.WebURL(0)}, streams)
		require.Equal(t, 0, code, errOut.String())
		for _, w := range want {
			require.Contains(t, out.String(), w, format)
		}
		require.NotContains(t, out.String(), "line 0", format)
	}
}
