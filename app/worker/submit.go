package worker

import (
	"context"
	"fmt"
	"time"

	"github.com/destill-dev/destill/backend"
)

// StaleAfter is how long a request may stay queued before it counts as
// stale: no ingest-worker took it up, because none is running, they are
// far behind, or its message was lost. Resubmitting queues it again.
const StaleAfter = 10 * time.Minute

// StatusStale is what view shows instead of queued for a stale request.
// It is never stored.
const StatusStale backend.Status = "stale"

// ShownStatus is r's status as view shows it at now: StatusStale for a
// request queued StaleAfter or longer, else its status.
func ShownStatus(r backend.Request, now time.Time) backend.Status {
	if r.Status == backend.StatusQueued && now.Sub(r.UpdatedAt) >= StaleAfter {
		return StatusStale
	}
	return r.Status
}

// Submit records a request for input as queued and publishes it to the
// ingest stage. It returns the request's ID.
func Submit(ctx context.Context, tr backend.Transport, store backend.Requests, topics Topics, input string, opts backend.AnalysisOptions) (string, error) {
	id := NewRequestID()
	if err := store.CreateRequest(ctx, backend.Request{ID: id, Input: input, Options: opts, CreatedAt: time.Now()}); err != nil {
		return "", fmt.Errorf("record the request: %w", err)
	}
	msg := backend.Message{
		Topic:   topics.Requests,
		Key:     id,
		Payload: encode(RequestMessage{RequestID: id, Input: input, Options: opts}),
	}
	if err := tr.Publish(ctx, msg); err != nil {
		// Nothing will pick the request up: say so where view looks.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_, _ = store.SetStatus(sctx, id, backend.StatusFailed, "could not be queued: "+err.Error())
		return "", fmt.Errorf("queue request %s: %w", id, err)
	}
	return id, nil
}

// Wait polls the store until the request is done or failed, calling
// onProgress (if not nil) whenever its status or progress changes.
func Wait(ctx context.Context, store backend.Requests, id string, every time.Duration, onProgress func(backend.Request)) (backend.Request, error) {
	var last backend.Request
	for first := true; ; first = false {
		r, err := store.GetRequest(ctx, id)
		if err != nil {
			return r, err
		}
		if onProgress != nil && (first || r.Status != last.Status || r.Progress != last.Progress) {
			onProgress(r)
		}
		last = r
		if r.Status.Terminal() {
			return r, nil
		}
		select {
		case <-ctx.Done():
			return r, fmt.Errorf("waiting for request %s: %w", id, ctx.Err())
		case <-time.After(every):
		}
	}
}
