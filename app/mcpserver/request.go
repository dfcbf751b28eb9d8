package mcpserver

import (
	"context"
	"errors"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/providers"
)

// ErrUnknownRequest is returned by a RequestStore for a request_id it does
// not hold (never issued, or evicted).
var ErrUnknownRequest = errors.New("unknown request_id")

// ErrClosed is returned by a RequestStore that was closed.
var ErrClosed = errors.New("request store closed")

// Request is one analyze_build call, kept for the follow-up tools.
type Request struct {
	ID string
	// Report is the analysis, as `destill analyze --json` would print it.
	Report analysis.Report
	// Build is the build as the provider described it (job times, steps);
	// its zero value when unknown.
	Build providers.Build
	// Steps are the step and group headers found in each job's log, by job ID.
	Steps map[string][]analysis.Section
	// Logs are the job logs that were read, by job ID.
	Logs map[string]JobLog
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

// RequestStore keeps analyses for the follow-up tools. The server's own
// is NewMemoryStore; a shared store (Postgres) can implement it to serve
// requests analyzed elsewhere. Implementations must be safe for concurrent
// use.
type RequestStore interface {
	// Put keeps req under req.ID. It may drop other requests to stay within
	// its bounds, calling their CloseFunc. On error, req was not kept and
	// the caller still owns it.
	Put(ctx context.Context, req *Request) error
	// Get returns the request with id, or an error wrapping
	// ErrUnknownRequest. The request stays valid after it is dropped for
	// what was already read, but its logs may be gone.
	Get(ctx context.Context, id string) (*Request, error)
	// Close drops every request, calling their CloseFunc. Put fails with
	// ErrClosed afterwards.
	Close() error
}
