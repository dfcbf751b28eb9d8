package worker_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/destill-dev/destill/app/worker"
	"github.com/destill-dev/destill/backend"
	"github.com/destill-dev/destill/backend/backendtest"
)

// TestRetriesAndDeadLettersAreLogged: every retry is a WARN line and
// every message given up on an ERROR line, naming the message, its
// request and the error.
func TestRetriesAndDeadLettersAreLogged(t *testing.T) {
	t.Parallel()
	tr := memoryTransport(t)
	var logs backendtest.LogBuffer
	policy := worker.RetryPolicy{Attempts: 3, Backoff: time.Millisecond, Logger: slog.New(slog.NewJSONHandler(&logs, nil))}
	h := worker.WithRetry(func(ctx context.Context, msg backend.Message) error {
		if string(msg.Key) == "poison" {
			return worker.Permanent(errors.New("malformed request message"))
		}
		return errors.New("database is down")
	}, policy, worker.DeadLetter{Transport: tr, Topic: "dead"}, nil)
	payload, _ := json.Marshal(worker.RequestMessage{RequestID: "req-1"})
	ctx := context.Background()
	if err := h(ctx, backend.Message{Topic: "requests", Key: "k", Payload: payload, Partition: 2, Offset: 7}); err != nil {
		t.Fatal(err)
	}
	if err := h(ctx, backend.Message{Topic: "requests", Key: "poison", Payload: []byte("{"), Offset: 8}); err != nil {
		t.Fatal(err)
	}
	type line struct {
		Level, Msg, Error, RequestID string
		Offset                       int64
		Tries                        int
		Permanent                    bool
	}
	var lines []line
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var v struct {
			Level, Msg, Error string
			RequestID         string `json:"request_id"`
			Offset            int64
			Tries             int
			Permanent         bool
		}
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		lines = append(lines, line(v))
	}
	want := []line{
		{Level: "WARN", Msg: "message failed, retrying", Error: "database is down", RequestID: "req-1", Offset: 7},
		{Level: "WARN", Msg: "message failed, retrying", Error: "database is down", RequestID: "req-1", Offset: 7},
		{Level: "ERROR", Msg: "message dead-lettered", Error: "database is down", RequestID: "req-1", Offset: 7, Tries: 3},
		{Level: "ERROR", Msg: "message dead-lettered", Error: "malformed request message", Offset: 8, Tries: 1, Permanent: true},
	}
	if len(lines) != len(want) {
		t.Fatalf("logged %d lines, want %d:\n%s", len(lines), len(want), logs.String())
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d = %+v, want %+v", i+1, lines[i], want[i])
		}
	}
}
