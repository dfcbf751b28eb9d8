package mcpserver

import (
	"context"
	"errors"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/backend"
	"github.com/destill-dev/destill/providers"
)

// ErrUnknownRequest is returned by Requests for a request_id it does
// not hold (never issued, or evicted).
var ErrUnknownRequest = errors.New("unknown request_id")

// ErrClosed is returned by Requests that were closed.
var ErrClosed = errors.New("request store closed")

// ErrNotShared is wrapped by Requests.Put when it kept the request
// for this server's tools but could not save it where other processes
// read it (the database).
var ErrNotShared = errors.New("not saved to the shared store")

// Request is one analyze_build call, kept for the follow-up tools.
type Request struct {
	ID string
	// Input is what was analyzed: the build URL or log file path given.
	Input string
	// Status is where the request stands: done for an analysis this server
	// made; a request read from a shared store may also be queued,
	// fetching, analyzing or failed, and then has no findings.
	Status backend.Status
	// Error says why a failed request failed.
	Error string
	// Progress is how far a request read from a shared store got.
	Progress backend.Progress
	// Stored is set for a request read back from a shared store: it has a
	// report, but no logs here.
	Stored bool
	// Report is the analysis, as `destill analyze --json` would print it.
	Report analysis.Report
	// Build is the build as the provider described it (job times, steps);
	// its zero value when unknown.
	Build providers.Build
	// Steps are the step and group headers found in each job's log, by job ID.
	Steps map[string][]analysis.Section
	// Logs are the job logs that were read, by job ID.
	Logs map[string]JobLog
	// Results are the analysis results of the jobs whose logs were read, by
	// job ID, for a shared store to save (nil for the server's own store).
	// A store drops them once kept.
	Results map[string]analysis.JobResult
	// Secrets are the credentials the analysis used, redacted everywhere.
	Secrets []string
	// Bytes is the disk space the kept logs take.
	Bytes int64
	// CloseFunc releases what the request holds (deletes its kept logs).
	// It may be nil. A store calls it once, when it drops the request.
	CloseFunc func() error
}

// close releases the request's resources.
func (r *Request) close() error {
	if r.CloseFunc == nil {
		return nil
	}
	return r.CloseFunc()
}

// JobLog reads back one job's log as destill analyzed it.
type JobLog interface {
	// Lines returns how many lines the log has.
	Lines() int
	// Scan calls fn with each line from..to (1-based, inclusive, clamped to
	// the log), cleaned of terminal escapes and CI markers and with secrets
	// redacted, until fn returns false. It stops with ctx's error when ctx
	// is done.
	Scan(ctx context.Context, from, to int, fn func(n int, text string) bool) error
}

// Requests keeps analyses for the follow-up tools. The server's own
// is NewRecentRequests; NewSharedRequests also saves them to, and reads them
// from, a backend.Store (PostgreSQL), where `destill submit` requests are
// too. Implementations must be safe for concurrent use.
type Requests interface {
	// Put keeps req under req.ID. It may drop other requests to stay within
	// its bounds, calling their CloseFunc. On an error wrapping
	// ErrNotShared req was kept, but for this server only; on any other
	// error req was not kept and the caller still owns it.
	Put(ctx context.Context, req *Request) error
	// Get returns the request with id, or an error wrapping
	// ErrUnknownRequest. The request stays valid after it is dropped for
	// what was already read, but its logs may be gone.
	Get(ctx context.Context, id string) (*Request, error)
	// Close drops every request, calling their CloseFunc. Put fails with
	// ErrClosed afterwards.
	Close() error
}
