package analysis

// Severity says how bad a finding is.
type Severity string

// Severities, from worst to mildest.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

// Categories of findings. They are stable strings: part of the JSON contract.
const (
	CategoryTestFailure     = "test-failure"
	CategoryCompileError    = "compile-error"
	CategoryException       = "exception"
	CategoryPanic           = "panic"
	CategoryCrash           = "crash"
	CategoryOOM             = "oom"
	CategoryTimeout         = "timeout"
	CategoryCancelled       = "cancelled"
	CategoryNetwork         = "network"
	CategoryTLS             = "tls"
	CategoryRateLimit       = "rate-limit"
	CategoryHTTPError       = "http-error"
	CategoryPermission      = "permission"
	CategoryDiskFull        = "disk-full"
	CategoryDependency      = "dependency"
	CategoryCommandNotFound = "command-not-found"
	CategoryFileNotFound    = "file-not-found"
	CategoryLint            = "lint"
	CategoryBuildFailure    = "build-failure"
	CategoryDocker          = "docker"
	CategoryTerraform       = "terraform"
	CategoryExitCode        = "exit-code"
	CategorySummary         = "summary"
	CategoryError           = "error"
	CategoryWarning         = "warning"
	CategoryTruncated       = "log-truncated"
)

// Finding is one ranked explanation candidate: a line or a block of lines of
// one job's log, with every other place the same message occurred.
type Finding struct {
	Rank        int      `json:"rank"`
	Fingerprint string   `json:"fingerprint"`
	Confidence  float64  `json:"confidence"`
	Severity    Severity `json:"severity"`
	Category    string   `json:"category"`
	Reasons     []string `json:"reasons"`

	JobID   string `json:"job_id"`
	JobName string `json:"job_name"`
	Step    string `json:"step,omitempty"`
	// URL links to the job in the provider's web UI, with a line anchor where
	// the provider has one.
	URL string `json:"url,omitempty"`

	// LineStart and LineEnd are 1-based and inclusive, in the original log of
	// job JobID.
	LineStart int    `json:"line_start"`
	LineEnd   int    `json:"line_end"`
	Message   string `json:"message"`
	// Text holds the cleaned lines LineStart..LineEnd.
	Text          []string `json:"text"`
	ContextBefore []string `json:"context_before"`
	ContextAfter  []string `json:"context_after"`

	// Occurrences counts every line, in every job, where the fingerprint
	// occurred. Lines lists them for job JobID (capped at MaxOccurrenceLines).
	Occurrences int   `json:"occurrences"`
	Lines       []int `json:"lines"`
	// Jobs lists every job the finding occurred in, the first being JobID.
	Jobs []FindingJob `json:"jobs,omitempty"`

	// AlsoInPassingJobs is set when the same fingerprint occurred in a job
	// of the build that passed.
	AlsoInPassingJobs bool `json:"also_in_passing_jobs,omitempty"`
	// Test is set for findings from test reports (JUnit XML).
	Test *TestCase `json:"test,omitempty"`
	// History is where the fingerprint occurred in the pipeline's earlier
	// builds on the same branch, when it was looked up.
	History *History `json:"history,omitempty"`
}

// FindingJob is one job a finding occurred in.
type FindingJob struct {
	JobID       string `json:"job_id"`
	JobName     string `json:"job_name"`
	Failed      bool   `json:"failed"`
	Occurrences int    `json:"occurrences"`
	Lines       []int  `json:"lines"`
	URL         string `json:"url,omitempty"`
}

// TestCase identifies a failed test from a test report.
type TestCase struct {
	Name      string `json:"name"`
	Classname string `json:"classname,omitempty"`
	File      string `json:"file,omitempty"`
	Report    string `json:"report,omitempty"`
}

// MaxOccurrenceLines caps the line numbers kept per fingerprint and job.
const MaxOccurrenceLines = 1000
