package backend

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/providers"
)

// ErrNotFound is returned, wrapped with the ID, for an unknown request.
var ErrNotFound = errors.New("not found")

// ErrExists is returned when creating a request whose ID is taken.
var ErrExists = errors.New("already exists")

// Status is where a request stands. It only moves forward:
// queued → fetching → analyzing → done, or to failed from any state but done.
type Status string

// Request statuses.
const (
	StatusQueued    Status = "queued"
	StatusFetching  Status = "fetching"
	StatusAnalyzing Status = "analyzing"
	StatusDone      Status = "done"
	StatusFailed    Status = "failed"
)

// Terminal reports whether no status follows s.
func (s Status) Terminal() bool { return s == StatusDone || s == StatusFailed }

// CanMoveTo reports whether a request in status s may move to next: never
// out of a terminal status, to failed or done from any other, and otherwise
// only forward.
func (s Status) CanMoveTo(next Status) bool {
	if s.Terminal() || s == next {
		return false
	}
	if next == StatusFailed || next == StatusDone {
		return true
	}
	return statusOrder(next) > statusOrder(s)
}

func statusOrder(s Status) int {
	switch s {
	case StatusQueued:
		return 0
	case StatusFetching:
		return 1
	case StatusAnalyzing:
		return 2
	}
	return 3
}

// AnalysisOptions are what a submitter chose about the analysis.
type AnalysisOptions struct {
	// AllJobs analyzes passed jobs too.
	AllJobs bool `json:"all_jobs,omitempty"`
	// JobIDs restricts the analysis to these jobs.
	JobIDs []string `json:"job_ids,omitempty"`
	// ContextBefore and ContextAfter are analysis.Options' fields of the
	// same name (0: default, negative: none).
	ContextBefore int `json:"context_before,omitempty"`
	ContextAfter  int `json:"context_after,omitempty"`
}

// Progress counts how far a request got.
type Progress struct {
	// Planned is set once the build was fetched and its jobs selected.
	Planned bool `json:"planned"`
	// JobsSelected is how many job logs will be analyzed; JobsFetched how
	// many of them were read to the end (or given up on).
	JobsSelected int `json:"jobs_selected"`
	JobsFetched  int `json:"jobs_fetched"`
	// ChunksTotal is how many chunks the fetched logs were cut into.
	// ChunksDone is how many chunk results of selected jobs are stored,
	// leaving out those at or past their job's final count.
	ChunksTotal int `json:"chunks_total"`
	ChunksDone  int `json:"chunks_done"`
}

// Complete reports whether every selected log was read and every chunk of
// it analyzed: the request's findings can be merged.
func (p Progress) Complete() bool {
	return p.Planned && p.JobsFetched == p.JobsSelected && p.ChunksDone == p.ChunksTotal
}

// Request is one analysis request and how far it got.
type Request struct {
	ID string
	// Input is what was submitted: a build URL.
	Input string
	// BuildURL is the build's own URL, once the build was fetched.
	BuildURL string
	Options  AnalysisOptions
	Status   Status
	// Error says why a failed request failed.
	Error    string
	Progress Progress
	// Report is the findings document without its findings: source, jobs,
	// notes and summary. It is empty until the build was fetched.
	Report analysis.Report
	// TestReports are the failed tests of the build's test reports (JUnit
	// artifacts), merged into the findings when the request finishes.
	TestReports []providers.TestReport
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// StatusLine says in one line where the request stands: its status with the
// progress the workers recorded, or, for a failed request, why it failed.
func (r Request) StatusLine() string {
	p := r.Progress
	switch r.Status {
	case StatusQueued:
		return "queued, waiting for an ingest-worker"
	case StatusFetching:
		if !p.Planned {
			return "fetching the build"
		}
		return fmt.Sprintf("fetching logs: %d of %d read, %d chunk(s) analyzed", p.JobsFetched, p.JobsSelected, p.ChunksDone)
	case StatusAnalyzing:
		return fmt.Sprintf("analyzing: %d of %d chunk(s) done", p.ChunksDone, p.ChunksTotal)
	case StatusDone:
		return fmt.Sprintf("done: %d log(s), %d chunk(s)", p.JobsSelected, p.ChunksTotal)
	case StatusFailed:
		return "failed: " + r.Error
	}
	return string(r.Status)
}

// RequestSummary is a request in a list, with its best finding.
type RequestSummary struct {
	Request
	// Findings counts the findings of a done request.
	Findings int
	// Top is the finding ranked first, if any.
	Top *analysis.Finding
}

// Plan is what the ingest stage decided after fetching the build.
type Plan struct {
	BuildURL string
	// Report is the findings document without findings: source, every job
	// of the build, notes.
	Report analysis.Report
	// Jobs are the IDs of the jobs whose logs are analyzed, in build order.
	Jobs []string
	// TestReports are the build's test reports, if the provider has any.
	TestReports []providers.TestReport
}

// JobPlan is one selected job of a request and what became of its log.
type JobPlan struct {
	JobID string
	// Chunks is the number of chunks the log was cut into; -1 while the
	// log is being read.
	Chunks int
	// Error says why the log could not be read.
	Error string
}

// ChunkResult is the analysis of one chunk of one job's log.
type ChunkResult struct {
	RequestID string
	JobID     string
	Seq       int
	// FirstLine is the first line the chunk owns: MergeChunks orders by it.
	FirstLine int
	Result    analysis.JobResult
}

// Requests records analysis requests and where they stand: what submit
// creates, view lists and reads, and every stage moves forward.
type Requests interface {
	// CreateRequest records req, whose ID must be new (ErrExists
	// otherwise), as queued. A zero CreatedAt means now.
	CreateRequest(ctx context.Context, req Request) error
	// GetRequest returns the request with its progress (ErrNotFound).
	GetRequest(ctx context.Context, id string) (Request, error)
	// FindRequests returns the requests whose input or build URL is url,
	// newest first, at most limit of them.
	FindRequests(ctx context.Context, url string, limit int) ([]Request, error)
	// ListRequests returns the newest requests, at most limit of them.
	ListRequests(ctx context.Context, limit int) ([]RequestSummary, error)
	// SetStatus moves a request to status when Status.CanMoveTo allows it,
	// recording errMsg for failed, and reports whether it moved.
	SetStatus(ctx context.Context, id string, status Status, errMsg string) (bool, error)
}

// JobPlans records which jobs of a request the ingest stage selected, and
// what became of each job's log.
type JobPlans interface {
	// PlanRequest records the fetched build and the selected jobs. Planning
	// again keeps what is known of the jobs' logs.
	PlanRequest(ctx context.Context, id string, plan Plan) (Progress, error)
	// Jobs returns the selected jobs of a request in plan order.
	Jobs(ctx context.Context, id string) ([]JobPlan, error)
	// SetJobChunks records how many chunks a job's log was cut into, and
	// why it could not be read to the end (jobErr; chunks is then what was
	// published before the error). Only the first call per job counts.
	SetJobChunks(ctx context.Context, id, jobID string, chunks int, jobErr string) (Progress, error)
}

// Chunks keeps what the analyze stage found in each chunk of a log.
type Chunks interface {
	// SaveChunkResult stores a chunk's result once per (request, job, seq);
	// saving it again changes nothing. It returns the progress after it.
	// Only chunks of selected jobs, below their job's count once known,
	// count as done.
	SaveChunkResult(ctx context.Context, res ChunkResult) (Progress, error)
	// ChunkResults returns every chunk result of a request, ordered by job
	// and seq.
	ChunkResults(ctx context.Context, id string) ([]ChunkResult, error)
}

// Findings keeps the findings merged from a request's chunks.
type Findings interface {
	// FinishRequest stores the report (its findings keyed by fingerprint,
	// the rest as the request's report) and marks the request done, unless
	// it is already done or failed. It reports whether it finished it.
	FinishRequest(ctx context.Context, id string, rep analysis.Report) (bool, error)
	// ListFindings returns a request's findings by rank (ErrNotFound for
	// an unknown request).
	ListFindings(ctx context.Context, id string) ([]analysis.Finding, error)
}

// BaselineModels keeps encoded baseline models (a passing log's, see
// analysis.Baseline.MarshalBinary), so every process reuses them.
type BaselineModels interface {
	// SaveBaseline keeps model under key, replacing any before.
	SaveBaseline(ctx context.Context, key string, model []byte) error
	// LoadBaseline returns the model saved under key (ErrNotFound).
	LoadBaseline(ctx context.Context, key string) ([]byte, error)
}

// Store is the contract of distributed mode's storage: requests, their
// jobs, per-chunk results, findings, baseline models and build history. Every write is
// idempotent, so a redelivered message never duplicates anything. Its
// consumers each name the roles they use; the conformance suite
// (backendtest.RunStoreSuite) checks every implementation of the whole.
type Store interface {
	Requests
	JobPlans
	Chunks
	Findings
	BaselineModels
	History
	// Close releases the store. It is safe to call more than once.
	Close() error
}
