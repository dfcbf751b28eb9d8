// Package providertest serves httptest fakes of the Buildkite, GitHub
// Actions and GitLab REST APIs and of Jenkins' remote access API (JSON
// and text endpoints, Stage View, Blue Ocean), driven by a Scenario: builds, jobs with
// states, logs (streamed, any size, slow if asked), JUnit artifacts behind
// a redirect to a second, credential-rejecting blob host, pagination, and
// injected faults (429 with Retry-After, 5xx that recovers, 401, 404, 410).
// It counts requests per path so tests can assert what was fetched.
//
// Use it from any package's tests:
//
//	fake := providertest.New(t, providertest.Scenario{Builds: []providertest.Build{{
//		Provider: providers.KindGitHubActions, Org: "acme", Repo: "api", Number: 42,
//		Jobs: []providertest.Job{{Name: "test", State: "failed", Log: providertest.GitHubLog("--- FAIL: TestX")}},
//	}}})
//	streams, out, _ := app.TestStreams("", fake.Env()...)
//	app.Main(ctx, []string{"destill", "analyze", fake.WebURL(0)}, streams)
//
// and from tests that run the real binary, through the fakeci program.
package providertest

import (
	"fmt"
	"strings"
	"time"

	"github.com/destill-dev/destill/providers"
)

// DefaultToken is the token a Fake accepts when the Scenario names none.
const DefaultToken = "fake-ci-token-0123456789"

// Scenario is everything a Fake serves.
type Scenario struct {
	// Token is the one credential the fake accepts (default DefaultToken).
	Token  string  `json:"token,omitempty"`
	Builds []Build `json:"builds"`
	// Faults are injected answers, tried in order before normal routing.
	Faults []Fault `json:"faults,omitempty"`
	// MaxPerPage caps list pages below each API's own cap (100), so small
	// builds paginate too (0: no extra cap).
	MaxPerPage int `json:"max_per_page,omitempty"`
	// DefaultBranch is every pipeline's, repository's and project's default
	// branch (default "main").
	DefaultBranch string `json:"default_branch,omitempty"`
	// NoBuildkiteJobList serves Buildkite without the newer job-list
	// endpoint (…/builds/N/jobs answers 404, as an older API or a proxy
	// that does not know it does); the build still embeds its jobs.
	NoBuildkiteJobList bool `json:"no_buildkite_job_list,omitempty"`
	// JenkinsUser is the Jenkins user whose API token Token is (default
	// DefaultJenkinsUser). JenkinsAnonymous lets anonymous users read
	// (Overall/Read and Job/Read), as a public Jenkins does; otherwise they
	// get 403.
	JenkinsUser      string `json:"jenkins_user,omitempty"`
	JenkinsAnonymous bool   `json:"jenkins_anonymous,omitempty"`
	// NoStageView serves Jenkins without the Pipeline Stage View plugin
	// (wfapi answers 404): stages come from Blue Ocean only.
	NoStageView bool `json:"no_stage_view,omitempty"`
	// APIDelay holds every API answer back this long: the round trip of a
	// provider across the internet, for benchmarks (blob downloads are
	// not delayed).
	APIDelay Duration `json:"api_delay,omitempty"`
}

// Build is one build: a Buildkite build, a GitHub Actions run, a GitLab
// pipeline, a Jenkins build. A Jenkins Pipeline build's Jobs are its
// stages, whose logs its console log holds between the Pipeline's own
// "[Pipeline] …" lines; a freestyle build's console is its one job's log.
type Build struct {
	Provider providers.Kind `json:"provider"`
	// Org is the Buildkite organization or GitHub owner (unused for GitLab).
	Org string `json:"org,omitempty"`
	// Repo is the Buildkite pipeline, GitHub repository, GitLab project
	// path ("group/sub/project") or Jenkins job's full name ("team/api/main";
	// a multibranch branch with a slash keeps Jenkins' "%2F" in its name).
	Repo string `json:"repo"`
	// Number is the Buildkite build number, GitHub run ID or GitLab
	// pipeline ID. The builds of one pipeline (repository and workflow,
	// project) are listed newest first by Number, so an earlier build has a
	// lower one.
	Number int64 `json:"number"`
	// Workflow is the GitHub Actions workflow's name (default "CI").
	Workflow string `json:"workflow,omitempty"`
	// State overrides the provider's build state word ("failed", "running",
	// a GitHub conclusion such as "startup_failure", a Jenkins result such
	// as "UNSTABLE"); by default it follows from the jobs.
	State string `json:"state,omitempty"`
	// Attempt is the latest GitHub run attempt (default 1).
	Attempt int    `json:"attempt,omitempty"`
	Branch  string `json:"branch,omitempty"`
	Commit  string `json:"commit,omitempty"`
	Jobs    []Job  `json:"jobs"`
	// Freestyle makes a Jenkins build a freestyle one (no stages);
	// Multibranch makes its job a branch of the multibranch project named
	// by Repo without its last name.
	Freestyle   bool `json:"freestyle,omitempty"`
	Multibranch bool `json:"multibranch,omitempty"`
	// Artifacts are run-level artifacts (GitHub Actions); Buildkite
	// artifacts belong to jobs.
	Artifacts []Artifact `json:"artifacts,omitempty"`
	// FinishedAt is when a finished build finished (default: a fixed time;
	// for Jenkins, one minute per build number after it).
	FinishedAt time.Time `json:"finished_at,omitzero"`
}

// Job is one job of a Build.
type Job struct {
	// ID defaults to a provider-shaped ID (a UUID for Buildkite, a large
	// integer otherwise).
	ID   string `json:"id,omitempty"`
	Name string `json:"name"`
	// Step is the Buildkite group key, GitHub failed step name or GitLab
	// stage.
	Step    string `json:"step,omitempty"`
	StepKey string `json:"step_key,omitempty"`
	// State is provider-neutral: passed, failed, timed_out, cancelled,
	// running, pending, skipped, broken, blocked (waits for a person: a
	// GitLab manual job, a Buildkite block step, a GitHub environment
	// awaiting approval), created (never started: GitLab created, Buildkite
	// waiting, GitHub queued).
	State string `json:"state"`
	// Raw replaces the provider's state word as served (a Buildkite state,
	// a GitHub conclusion, a GitLab status).
	Raw string `json:"raw,omitempty"`
	// ExitStatus overrides the Buildkite exit status; NullExit serves null.
	ExitStatus *int `json:"exit_status,omitempty"`
	NullExit   bool `json:"null_exit,omitempty"`
	// SoftFailed is Buildkite's soft_failed, GitLab's allow_failure.
	SoftFailed bool `json:"soft_failed,omitempty"`
	// Retried marks a job a later attempt replaced; Attempt is the GitHub
	// run attempt it belongs to (default the build's).
	Retried bool `json:"retried,omitempty"`
	Attempt int  `json:"attempt,omitempty"`
	// Type is the Buildkite job type (default "script").
	Type string `json:"type,omitempty"`
	// Log is the job's log as served. With LogSize, the log is LogSize
	// bytes of generated output in the provider's format, ending in Log.
	Log     string `json:"log,omitempty"`
	LogSize int64  `json:"log_size,omitempty"`
	// LogStatus answers the log request with this status (404, 410).
	LogStatus int `json:"log_status,omitempty"`
	// LogDelay holds the log's first byte back; LogThrottle pauses after
	// every 64 KiB. Together they make slow jobs.
	LogDelay    Duration `json:"log_delay,omitempty"`
	LogThrottle Duration `json:"log_throttle,omitempty"`
	// Artifacts are the job's artifacts (Buildkite); a Jenkins build's
	// JUnit XML artifacts are its test report.
	Artifacts []Artifact `json:"artifacts,omitempty"`
}

// Artifact is a file a job uploaded. For GitHub Actions an artifact is a
// zip of Files; elsewhere Path and Content are the one file.
type Artifact struct {
	Path    string            `json:"path"`
	Content string            `json:"content,omitempty"`
	Files   map[string]string `json:"files,omitempty"`
	// Expired serves the artifact as expired (GitHub: 410 on download).
	Expired bool `json:"expired,omitempty"`
}

// Fault is an injected answer to matching requests.
type Fault struct {
	// Provider limits the fault to one API ("" for all, "blob" for the
	// blob host).
	Provider providers.Kind `json:"provider,omitempty"`
	// Path is a substring of the request path ("" matches all).
	Path string `json:"path,omitempty"`
	// Status is the answer (429, 500, 503, 401, 403, 404, 410, ...).
	Status int `json:"status"`
	// Times is how many matching requests get the fault (0: all).
	Times int `json:"times,omitempty"`
	// RetryAfter sets the Retry-After header, in seconds.
	RetryAfter int `json:"retry_after,omitempty"`
	// Header and Body complete the answer (default: the provider's own
	// error body for Status).
	Header map[string]string `json:"header,omitempty"`
	Body   string            `json:"body,omitempty"`
}

// Duration is a time.Duration that reads and writes as "1.5s" in JSON.
type Duration time.Duration

// MarshalText writes the duration as Go's time.Duration string.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// UnmarshalText reads a Go duration string ("250ms").
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	*d = Duration(v)
	return err
}

// Int returns a pointer to n, for Job.ExitStatus.
func Int(n int) *int { return &n }

// GitHubLog formats lines the way a GitHub Actions job log looks: a byte
// order mark, then a 7-digit-fraction UTC timestamp on every line.
func GitHubLog(lines ...string) string {
	var b strings.Builder
	b.WriteString("\ufeff")
	t := time.Date(2026, 3, 4, 9, 24, 20, 0, time.UTC)
	for i, l := range lines {
		fmt.Fprintf(&b, "%s %s\n", t.Add(time.Duration(i)*time.Millisecond).Format("2006-01-02T15:04:05.0000000Z"), l)
	}
	return b.String()
}

// BuildkiteLog formats lines the way a Buildkite job log looks: an
// "\x1b_bk;t=<ms>\x07" timestamp before every line, CRLF line ends.
func BuildkiteLog(lines ...string) string {
	var b strings.Builder
	for i, l := range lines {
		fmt.Fprintf(&b, "\x1b_bk;t=%d\x07%s\r\n", 1772615523552+int64(i), l)
	}
	return b.String()
}

// GitLabLog formats lines the way a GitLab job trace looks: runner
// preamble, the script inside a step_script section, the job verdict.
func GitLabLog(lines ...string) string {
	var b strings.Builder
	b.WriteString("Running with gitlab-runner 18.2.1 (a1b2c3d4)\n")
	b.WriteString("section_start:1772615531:step_script\r\x1b[0K\x1b[0K\x1b[36;1mExecuting \"step_script\" stage of the job script\x1b[0;m\n")
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	b.WriteString("section_end:1772615804:step_script\r\x1b[0K\n")
	return b.String()
}
