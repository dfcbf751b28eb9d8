package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/destill-dev/destill/backend"
)

// permanentError marks a failure that retrying cannot fix.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks err as a failure no retry can fix (a malformed message):
// it goes to the dead-letter topic at once.
func Permanent(err error) error { return permanentError{err} }

// IsPermanent reports whether err was marked Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// Defaults for RetryPolicy.
const (
	DefaultAttempts   = 5
	DefaultBackoff    = time.Second
	DefaultMaxBackoff = 30 * time.Second
)

// RetryPolicy bounds how often a failing message is tried.
type RetryPolicy struct {
	// Attempts before the message is dead-lettered (0: DefaultAttempts).
	Attempts int
	// Backoff is the first pause between attempts; it doubles up to
	// MaxBackoff (0: DefaultBackoff, DefaultMaxBackoff).
	Backoff    time.Duration
	MaxBackoff time.Duration
	// Logger is told of every retry (at WARN) and every message given up
	// on (at ERROR). Nil: nothing is logged.
	Logger *slog.Logger
}

// Headers set on a dead-lettered message.
const (
	HeaderError         = "destill-error"
	HeaderAttempts      = "destill-attempts"
	HeaderOriginalTopic = "destill-original-topic"
	HeaderPartition     = "destill-original-partition"
	HeaderOffset        = "destill-original-offset"
	HeaderFailedAt      = "destill-failed-at"
)

// DeadLetter is where messages go that keep failing.
type DeadLetter struct {
	Transport backend.Transport
	Topic     string
	// OnDead is told about each dead-lettered message (to mark its
	// request failed). Its error makes the message go round again.
	OnDead func(ctx context.Context, msg backend.Message, err error, attempts int) error
}

// Observer is told about every handled message, for metrics.
type Observer interface {
	// Handled is told about each attempt at a message.
	Handled(msg backend.Message, took time.Duration, err error)
	// DeadLettered is told about each message given up on.
	DeadLettered(topic string)
}

// WithRetry wraps h: a failing message is tried again with growing pauses,
// up to p.Attempts times (once for a Permanent error), then published to
// the dead-letter topic with the error in its headers and acknowledged, so
// it no longer blocks its partition. When ctx ends mid-way the error is
// returned unacknowledged: the transport hands the message to the next
// worker. obs may be nil.
func WithRetry(h backend.Handler, p RetryPolicy, dl DeadLetter, obs Observer) backend.Handler {
	if p.Attempts <= 0 {
		p.Attempts = DefaultAttempts
	}
	if p.Backoff <= 0 {
		p.Backoff = DefaultBackoff
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = DefaultMaxBackoff
	}
	return func(ctx context.Context, msg backend.Message) error {
		var err error
		pause := p.Backoff
		attempt := 0
		for attempt < p.Attempts {
			attempt++
			start := time.Now()
			err = h(ctx, msg)
			if obs != nil {
				obs.Handled(msg, time.Since(start), err)
			}
			if err == nil {
				return nil
			}
			if ctx.Err() != nil {
				return err
			}
			if IsPermanent(err) || attempt == p.Attempts {
				break
			}
			if p.Logger != nil {
				p.Logger.Warn("message failed, retrying", messageAttrs(msg, "attempt", attempt, "attempts", p.Attempts,
					"retry_in", pause.String(), "error", err.Error())...)
			}
			select {
			case <-ctx.Done():
				return err
			case <-time.After(pause):
			}
			pause = min(2*pause, p.MaxBackoff)
		}
		dead := backend.Message{
			Topic:   dl.Topic,
			Key:     msg.Key,
			Payload: msg.Payload,
			Headers: map[string]string{},
		}
		for k, v := range msg.Headers {
			dead.Headers[k] = v
		}
		dead.Headers[HeaderError] = err.Error()
		dead.Headers[HeaderAttempts] = strconv.Itoa(attempt)
		dead.Headers[HeaderOriginalTopic] = msg.Topic
		dead.Headers[HeaderPartition] = strconv.Itoa(int(msg.Partition))
		dead.Headers[HeaderOffset] = strconv.FormatInt(msg.Offset, 10)
		dead.Headers[HeaderFailedAt] = time.Now().UTC().Format(time.RFC3339)
		if perr := dl.Transport.Publish(ctx, dead); perr != nil {
			return fmt.Errorf("dead-letter a message that failed (%v): %w", err, perr)
		}
		if obs != nil {
			obs.DeadLettered(msg.Topic)
		}
		if p.Logger != nil {
			p.Logger.Error("message dead-lettered", messageAttrs(msg, "tries", attempt, "dead_letter_topic", dl.Topic,
				"permanent", IsPermanent(err), "error", err.Error())...)
		}
		if dl.OnDead != nil {
			if derr := dl.OnDead(ctx, msg, err, attempt); derr != nil {
				return derr
			}
		}
		return nil
	}
}

// messageRef is what a request or chunk message says it belongs to.
type messageRef struct {
	RequestID string `json:"request_id"`
	JobID     string `json:"job_id"`
	Chunk     *struct {
		Seq int `json:"seq"`
	} `json:"chunk"`
}

// refOf reads what msg belongs to; ok is false for a message naming no
// request (malformed).
func refOf(msg backend.Message) (m messageRef, ok bool) {
	body := msg.Payload
	if meta, found := msg.Headers[HeaderChunk]; found {
		body = []byte(meta)
	}
	if json.Unmarshal(body, &m) != nil || m.RequestID == "" {
		return m, false
	}
	return m, true
}

// messageAttrs are the log attributes naming msg, followed by more.
func messageAttrs(msg backend.Message, more ...any) []any {
	attrs := []any{"topic", msg.Topic, "partition", msg.Partition, "offset", msg.Offset}
	if m, ok := refOf(msg); ok {
		attrs = append(attrs, "request_id", m.RequestID)
		if m.Chunk != nil {
			attrs = append(attrs, "job_id", m.JobID, "seq", m.Chunk.Seq)
		}
	}
	return append(attrs, more...)
}

// FailRequest returns a DeadLetter.OnDead that marks the request of a
// dead-lettered request or chunk message failed, with the error.
func FailRequest(store backend.Requests) func(ctx context.Context, msg backend.Message, err error, attempts int) error {
	return func(ctx context.Context, msg backend.Message, err error, attempts int) error {
		m, ok := refOf(msg)
		if !ok {
			return nil // nothing to fail: the message names no request
		}
		what := "request"
		if m.Chunk != nil {
			what = fmt.Sprintf("chunk %d of job %s", m.Chunk.Seq, m.JobID)
		}
		tries := "tries"
		if attempts == 1 {
			tries = "try"
		}
		reason := fmt.Sprintf("%s failed after %d %s (dead-lettered): %v", what, attempts, tries, err)
		_, serr := store.SetStatus(ctx, m.RequestID, backend.StatusFailed, reason)
		if errors.Is(serr, backend.ErrNotFound) {
			return nil
		}
		return serr
	}
}
