package providers

import "time"

// Kind names a CI provider, or a local source of logs.
type Kind string

// Kinds of sources.
const (
	KindBuildkite     Kind = "buildkite"
	KindGitHubActions Kind = "github-actions"
	KindGitLab        Kind = "gitlab"
	KindJenkins       Kind = "jenkins"
	KindFile          Kind = "file"
	KindStdin         Kind = "stdin"
)

// JobState is a job's outcome, mapped from each provider's own states.
type JobState string

// Job states.
const (
	JobPassed    JobState = "passed"
	JobFailed    JobState = "failed"
	JobTimedOut  JobState = "timed_out"
	JobCancelled JobState = "cancelled"
	JobRunning   JobState = "running"
	JobPending   JobState = "pending"
	JobSkipped   JobState = "skipped"
	// JobBroken jobs never ran because something before them failed
	// (Buildkite "broken", a dependency that failed).
	JobBroken JobState = "broken"
	// JobBlocked and JobManual jobs wait for a person: a Buildkite block
	// step, a GitHub job whose environment awaits approval, a GitLab manual
	// job. They never make a build "still running".
	JobBlocked JobState = "blocked"
	JobManual  JobState = "manual"
	// JobNotRun jobs were created but never started, and their build is not
	// running: they wait behind a manual job, or never will run.
	JobNotRun  JobState = "not_run"
	JobUnknown JobState = "unknown"
)

// Build is one run of a pipeline: a Buildkite build, a GitHub Actions
// workflow run attempt, a GitLab pipeline.
type Build struct {
	Provider Kind
	ID       string
	Number   int64
	// Pipeline names what ran: "org/pipeline", "owner/repo/workflow".
	Pipeline string
	// State is the provider's own word for the build's state.
	State   string
	Branch  string
	Commit  string
	Attempt int
	URL     string
	// Running is true while the build has jobs that have not finished.
	Running bool
	Jobs    []Job
	// FinishedAt is when a finished build finished, where a list of builds
	// says (zero otherwise).
	FinishedAt time.Time
	// Revision, in a list of builds, changes when the build's jobs do (a
	// retry): the run attempt and update time. "" where the list holds the
	// jobs themselves.
	Revision string
}

// Settle records that a build which is not running has no pending job: a
// job still pending then never started (JobNotRun). Providers call it once
// Running says what the build's own status says.
func (b *Build) Settle() {
	if b.Running {
		return
	}
	for i := range b.Jobs {
		if b.Jobs[i].State == JobPending {
			b.Jobs[i].State = JobNotRun
		}
	}
}

// Job is one unit of a build that has its own log.
type Job struct {
	ID   string
	Name string
	// Step is the step, stage or group the job belongs to.
	Step string
	// StepKey identifies the same job across builds and across the cells
	// of a matrix: the step key, the workflow job name without its matrix
	// values, the GitLab job name without its parallel index.
	StepKey    string
	State      JobState
	ExitStatus *int
	SoftFailed bool
	// Retried is set on a job that a later attempt replaced.
	Retried bool
	Attempt int
	URL     string
	// LineURL is URL with a "{line}" placeholder, where the provider can
	// link to a line of the log.
	LineURL    string
	StartedAt  time.Time
	FinishedAt time.Time
	// HasLog is false for jobs that never ran or have no log (Buildkite
	// waiters and block steps, skipped jobs).
	HasLog bool
	// Partial is set on a job that is still running but whose log can be
	// read as far as it has got (a running Jenkins build with a failed
	// stage): it is analyzed if it failed, and the report says it was cut.
	Partial bool
}

// Failed reports whether the job's outcome is a failure that a user wants
// explained: failed, timed out or cancelled, and not soft-failed.
func (j Job) Failed() bool {
	switch j.State {
	case JobFailed, JobTimedOut, JobCancelled:
		return !j.SoftFailed
	}
	return false
}

// Finished reports whether the job will not change by itself: it reached a
// final state, or it waits for a person (blocked, manual).
func (j Job) Finished() bool {
	switch j.State {
	case JobRunning, JobPending:
		return false
	}
	return true
}
