package analysis

// Schema names the version of the JSON document destill prints and reads.
const Schema = "destill.findings/v1"

// Report is the findings document: what was analyzed and what was found.
// Every output format (text, JSON, markdown, TUI, MCP) renders a Report.
type Report struct {
	Schema      string `json:"schema"`
	Tool        Tool   `json:"tool"`
	GeneratedAt string `json:"generated_at,omitempty"`
	// RequestID and Status are set for reports read from a store.
	RequestID string        `json:"request_id,omitempty"`
	Status    string        `json:"status,omitempty"`
	Source    Origin        `json:"source"`
	Baseline  *BaselineInfo `json:"baseline,omitempty"`
	Jobs      []JobSummary  `json:"jobs"`
	// FingerprintVersion is the FingerprintVersion of the findings'
	// fingerprints; absent in reports written before it was recorded
	// (version 1). Fingerprints of two versions are never compared.
	FingerprintVersion int       `json:"fingerprint_version,omitempty"`
	Findings           []Finding `json:"findings"`
	Summary            Summary   `json:"summary"`
	// Notes are things the reader should know about the analysis itself:
	// jobs still running, logs that could not be read, what a cap left out
	// (CapNotes).
	Notes []string `json:"notes,omitempty"`
	// History describes the builds the findings' histories come from.
	History *HistoryWindow `json:"history,omitempty"`
}

// Tool names the program that wrote a report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Origin says what was analyzed.
type Origin struct {
	// Kind is "file", "stdin", "buildkite", "github-actions" or "gitlab".
	Kind  string     `json:"kind"`
	Path  string     `json:"path,omitempty"`
	URL   string     `json:"url,omitempty"`
	Build *BuildInfo `json:"build,omitempty"`
}

// BuildInfo describes a CI build (a Buildkite build, a GitHub Actions run
// attempt, a GitLab pipeline).
type BuildInfo struct {
	ID       string `json:"id"`
	Number   int64  `json:"number,omitempty"`
	Pipeline string `json:"pipeline,omitempty"`
	State    string `json:"state"`
	Branch   string `json:"branch,omitempty"`
	Commit   string `json:"commit,omitempty"`
	Attempt  int    `json:"attempt,omitempty"`
	URL      string `json:"url,omitempty"`
}

// BaselineInfo says which passing logs the failing logs were compared with.
type BaselineInfo struct {
	// Kind is "files", "sibling-jobs", "previous-build" or "none".
	Kind  string   `json:"kind"`
	Build string   `json:"build,omitempty"`
	URL   string   `json:"url,omitempty"`
	Paths []string `json:"paths,omitempty"`
	Note  string   `json:"note,omitempty"`
}

// JobSummary describes one job of the build and what became of its log.
type JobSummary struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Step       string `json:"step,omitempty"`
	State      string `json:"state"`
	ExitStatus *int   `json:"exit_status"`
	// Failed is true when the job's outcome counts as a failure (failed,
	// timed out, cancelled), false for passed and soft-failed jobs.
	Failed     bool `json:"failed"`
	SoftFailed bool `json:"soft_failed,omitempty"`
	// Retried is set on a job that a later attempt replaced.
	Retried bool   `json:"retried,omitempty"`
	Attempt int    `json:"attempt,omitempty"`
	URL     string `json:"url,omitempty"`
	// LineURL is URL with a "{line}" placeholder for a line anchor, where
	// the provider has one.
	LineURL string `json:"line_url,omitempty"`
	// StartedAt and FinishedAt are RFC 3339 times, when the provider has them.
	StartedAt  string `json:"started_at,omitempty"`
	FinishedAt string `json:"finished_at,omitempty"`
	Analyzed   bool   `json:"analyzed"`
	LogLines   int    `json:"log_lines"`
	LogBytes   int64  `json:"log_bytes"`
	// Error says why the log was not analyzed (download failed, expired, ...).
	Error string `json:"error,omitempty"`
	// Baseline says which passing logs this job was compared with.
	Baseline *BaselineInfo `json:"baseline,omitempty"`
}

// Summary counts what a report holds.
type Summary struct {
	JobsTotal    int `json:"jobs_total"`
	JobsFailed   int `json:"jobs_failed"`
	JobsAnalyzed int `json:"jobs_analyzed"`
	Findings     int `json:"findings"`
}
