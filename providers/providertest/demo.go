package providertest

import (
	"fmt"
	"sort"
	"time"

	"github.com/destill-dev/destill/providers"
)

// Demos are ready-made scenarios by name, for tests and the fakeci program.
var Demos = map[string]func() Scenario{
	"baseline":  DemoBaseline,
	"buildkite": DemoBuildkite,
	"github":    DemoGitHubMatrix,
	"gitlab":    DemoGitLab,
	"history":   func() Scenario { return HistoryPipeline(providers.KindGitHubActions) },
	"jenkins":   DemoJenkins,
	"slow":      DemoSlow,
}

// DemoNames lists the Demos, sorted.
func DemoNames() []string {
	var out []string
	for k := range Demos {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// FailingGoTest is a Go test failure used by the demos' logs.
var FailingGoTest = []string{
	"=== RUN   TestUploadRetry",
	"    retry_test.go:88: got 2 attempts, want 3",
	"--- FAIL: TestUploadRetry (0.31s)",
	"FAIL",
	"FAIL\tgithub.com/acme/api/internal/upload\t0.412s",
}

// DemoBuildkite is a failed Buildkite build (acme/api #4211): a passing
// lint job, a hard failure with a JUnit artifact, a soft failure, a job
// whose exit status is null (lost agent), a broken job that never ran, a
// retried job and a wait step.
func DemoBuildkite() Scenario {
	junit := `<?xml version="1.0"?><testsuites><testsuite name="github.com/acme/api/internal/upload">` +
		`<testcase name="TestUploadRetry" classname="github.com/acme/api/internal/upload"><failure message="Failed">retry_test.go:88: got 2 attempts, want 3</failure></testcase>` +
		`<testcase name="TestUploadResume" classname="github.com/acme/api/internal/upload"><failure message="resume offset 0, want 512">upload_test.go:140: resume offset 0, want 512</failure></testcase>` +
		`</testsuite></testsuites>`
	return Scenario{Builds: []Build{{
		Provider: providers.KindBuildkite, Org: "acme", Repo: "api", Number: 4211,
		Jobs: []Job{
			{Name: ":golangci-lint: Lint", StepKey: "lint", State: "passed", Log: BuildkiteLog("~~~ Running lint", "$ make lint", "0 issues.")},
			{Name: ":go: Unit tests", StepKey: "unit", State: "failed", Retried: true, Log: BuildkiteLog("+++ :go: Running tests", "dial tcp 10.0.0.7:5432: connect: connection refused")},
			{Name: ":go: Unit tests", StepKey: "unit", State: "failed", Attempt: 2,
				Log:       BuildkiteLog(append(append([]string{"~~~ Preparing working directory", "+++ :go: Running tests", "$ go test ./..."}, FailingGoTest...), "^^^ +++", "\x1b[31m🚨 Error: The command exited with status 1\x1b[0m")...),
				Artifacts: []Artifact{{Path: "reports/junit/unit.xml", Content: junit}}},
			{Name: "Integration (postgres)", StepKey: "integration", State: "failed", SoftFailed: true, ExitStatus: Int(2),
				Log: BuildkiteLog("+++ Integration", "Error: database \"ci\" does not exist", "🚨 Error: The command exited with status 2")},
			{Name: "Agent lost", StepKey: "e2e", State: "failed", NullExit: true,
				Log: BuildkiteLog("+++ e2e", "Running e2e suite", "fatal: agent lost connection: context deadline exceeded")},
			{Name: "", Type: "waiter", State: "passed"},
			{Name: ":rocket: Deploy preview", StepKey: "deploy", State: "broken"},
		},
	}}}
}

// DemoGitHubMatrix is a failed GitHub Actions run (acme/api 9876543210,
// attempt 2) of 12 matrix jobs failing with the same test, a passing lint
// job that prints the same flaky network error, and a skipped deploy job.
func DemoGitHubMatrix() Scenario {
	b := Build{Provider: providers.KindGitHubActions, Org: "acme", Repo: "api", Number: 9876543210, Attempt: 2}
	b.Jobs = append(b.Jobs, Job{Name: "lint", State: "passed", Log: GitHubLog("##[group]Run make lint", "error: failed to fetch https://proxy.golang.org: dial tcp: i/o timeout", "##[endgroup]", "0 issues.")})
	b.Jobs = append(b.Jobs, Job{Name: "test (ubuntu-latest, 1.25)", State: "failed", Attempt: 1, Retried: true, Log: GitHubLog("flaky network", "##[error]Process completed with exit code 1.")})
	for _, os := range []string{"ubuntu-latest", "macos-latest", "windows-latest"} {
		for _, v := range []string{"1.23", "1.24", "1.25", "1.26"} {
			lines := append([]string{"##[group]Run go test ./...", "go test ./...", "##[endgroup]", "error: failed to fetch https://proxy.golang.org: dial tcp: i/o timeout"}, FailingGoTest...)
			lines = append(lines, "##[error]Process completed with exit code 1.")
			b.Jobs = append(b.Jobs, Job{Name: fmt.Sprintf("test (%s, %s)", os, v), Step: "Run go test ./...", State: "failed", Log: GitHubLog(lines...)})
		}
	}
	b.Jobs = append(b.Jobs, Job{Name: "deploy-preview", State: "skipped"})
	b.Artifacts = []Artifact{{Path: "junit-ubuntu-latest-1.26", Files: map[string]string{"report.xml": `<testsuite name="upload"><testcase name="TestUploadRetry" classname="github.com/acme/api/internal/upload"><failure message="Failed">retry_test.go:88: got 2 attempts, want 3</failure></testcase></testsuite>`}}}
	return Scenario{Builds: []Build{b}, MaxPerPage: 5}
}

// DemoGitLab is a failed GitLab pipeline (acme/platform/api 1234567) with
// a hard failure, an allowed failure and a timed-out job.
func DemoGitLab() Scenario {
	return Scenario{Builds: []Build{{
		Provider: providers.KindGitLab, Repo: "acme/platform/api", Number: 1234567,
		Jobs: []Job{
			{Name: "build", Step: "build", State: "passed", Log: GitLabLog("$ go build ./...")},
			{Name: "test:unit", Step: "test", State: "failed", Log: GitLabLog(append(append([]string{"\x1b[32;1m$ go test ./...\x1b[0;m"}, FailingGoTest...), "\x1b[31;1mERROR: Job failed: exit code 1\x1b[0;m")...)},
			{Name: "test:integration", Step: "test", State: "failed", SoftFailed: true, Log: GitLabLog("Error: connect ECONNREFUSED 127.0.0.1:6379", "ERROR: Job failed: exit code 1")},
			{Name: "e2e 1/2", Step: "e2e", State: "timed_out", Log: GitLabLog("Running e2e", "ERROR: Job failed: execution took longer than 1h0m0s seconds")},
			{Name: "deploy", Step: "deploy", State: "skipped"},
		},
	}}}
}

// DemoSlow is a Buildkite build (acme/slow #7) of four failed jobs whose
// logs arrive slowly, one after another, for progress and streaming UIs.
func DemoSlow() Scenario {
	b := Build{Provider: providers.KindBuildkite, Org: "acme", Repo: "slow", Number: 7}
	for i := 0; i < 4; i++ {
		b.Jobs = append(b.Jobs, Job{
			Name: fmt.Sprintf("shard %d", i+1), StepKey: "shard", State: "failed",
			Log:      BuildkiteLog(append([]string{"+++ tests"}, FailingGoTest...)...),
			LogSize:  2 << 20,
			LogDelay: Duration(time.Duration(i+1) * 300 * time.Millisecond), LogThrottle: Duration(5 * time.Millisecond),
		})
	}
	return Scenario{Builds: []Build{b}}
}

// DemoJenkins is a failed Jenkins Pipeline build (team/api, branch main of
// a multibranch project, #1234) whose Test stage failed a Go test (with
// Timestamper prefixes and AnsiColor escapes in its log) and whose Deploy
// stage was skipped, with a JUnit test report; and the passing build
// before it, the automatic baseline.
func DemoJenkins() Scenario {
	test := append([]string{"[Pipeline] sh", "+ go test ./...", "ok  \tgithub.com/acme/api/internal/auth\t0.210s"}, FailingGoTest...)
	test[len(test)-2] = "\x1b[31mFAIL\x1b[0m"
	junit := `<testsuites><testsuite name="github.com/acme/api/internal/upload">` +
		`<testcase name="TestUploadRetry" classname="github.com/acme/api/internal/upload"><failure message="Failed">retry_test.go:88: got 2 attempts, want 3</failure></testcase>` +
		`<testcase name="TestUploadResume" classname="github.com/acme/api/internal/upload"><failure message="resume offset 0, want 512">upload_test.go:140: resume offset 0, want 512</failure></testcase>` +
		`<testcase name="TestUploadSmall" classname="github.com/acme/api/internal/upload"></testcase>` +
		`</testsuite></testsuites>`
	build := func(number int64, testState string, testLog []string) Build {
		b := Build{Provider: providers.KindJenkins, Repo: "team/api/main", Multibranch: true, Number: number, Jobs: []Job{
			{Name: "Build", State: "passed", Log: JenkinsLog("[Pipeline] sh", "+ go build ./...")},
			{Name: "Test", State: testState, Log: JenkinsLog(testLog...)},
			{Name: "Deploy", State: "passed", Log: JenkinsLog("[Pipeline] echo", "deploying 3f9c2d1")},
		}}
		if testState == "failed" {
			b.Jobs[1].Artifacts = []Artifact{{Path: "reports/junit.xml", Content: junit}}
			b.Jobs[2].State = "skipped"
		}
		return b
	}
	return Scenario{Builds: []Build{
		build(1234, "failed", test),
		build(1233, "passed", []string{"[Pipeline] sh", "+ go test ./...", "ok  \tgithub.com/acme/api/internal/upload\t0.402s"}),
	}}
}
