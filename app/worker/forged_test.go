package worker_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/destill-dev/destill/app/sources"
	"github.com/destill-dev/destill/app/worker"
	"github.com/destill-dev/destill/backend"
	"github.com/destill-dev/destill/backend/backendtest"
)

// TestForgedRequestMessagesCannotRedirectAWorker publishes request
// messages naming existing requests with another input: a local file (the
// worker would read its own /etc/passwd) or another build. The worker
// resolves inputs as in production (a path is a local file), so obeying
// the message would show in the reports. It must analyze only the stored
// input, refuse a stored local path, and leave finished reports alone.
func TestForgedRequestMessagesCannotRedirectAWorker(t *testing.T) {
	t.Parallel()
	for _, b := range backends[:2] { // the memory transport and kfake with sarama
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			local := filepath.Join(t.TempDir(), "passwd")
			if err := os.WriteFile(local, []byte("root:x:0:0:root:/root:/bin/bash\nerror: FORGED local file was read\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			done, queued, other := newBuild(61), newBuild(62), newBuild(63)
			srcs := sourceSet{done.build.URL: done, queued.build.URL: queued, other.build.URL: other}
			r := newRig(t, b, srcs)
			var mu sync.Mutex
			var resolved []string
			r.ingest.Resolve = func(input string) (sources.Input, error) {
				mu.Lock()
				resolved = append(resolved, input)
				mu.Unlock()
				if _, ok := srcs[input]; ok {
					return srcs.resolve(input)
				}
				return sources.Resolve(input, sources.Config{}) // a path is a local file, as in production
			}
			var logs backendtest.LogBuffer
			r.ingest.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
			r.startIngest()
			r.startAnalyze()
			ctx := context.Background()

			doneID := r.submit(done.build.URL, backend.AnalysisOptions{})
			if req := r.wait(doneID); req.Status != backend.StatusDone {
				t.Fatalf("the genuine request: %s %s", req.Status, req.Error)
			}
			before, _ := json.Marshal(r.report(doneID))

			// Requests recorded in the database whose messages are forged.
			queuedID, pathID := worker.NewRequestID(), worker.NewRequestID()
			for id, input := range map[string]string{queuedID: queued.build.URL, pathID: local} {
				if err := r.store.CreateRequest(ctx, backend.Request{ID: id, Input: input}); err != nil {
					t.Fatal(err)
				}
			}
			forge := func(id, input string) {
				t.Helper()
				payload, _ := json.Marshal(worker.RequestMessage{RequestID: id, Input: input, Options: backend.AnalysisOptions{AllJobs: true}})
				if err := r.tr.Publish(ctx, backend.Message{Topic: r.topics.Requests, Key: id, Payload: payload}); err != nil {
					t.Fatal(err)
				}
			}
			forge(doneID, local)
			forge(queuedID, local)
			forge(queuedID, other.build.URL)
			forge(pathID, queued.build.URL)

			if req := r.wait(queuedID); req.Status != backend.StatusDone || req.BuildURL != queued.build.URL {
				t.Errorf("forged request: %s %q from %s; want done from the stored %s", req.Status, req.Error, req.BuildURL, queued.build.URL)
			}
			sameReport(t, "forged request", r.report(queuedID), inProcess(t, queued, backend.AnalysisOptions{}))
			if req := r.wait(pathID); req.Status != backend.StatusFailed || !strings.Contains(req.Error, "workers fetch build URLs only") {
				t.Errorf("stored local path: %s %q; want failed, refused", req.Status, req.Error)
			}
			waitFor(t, "the forged message of the finished request", func() bool {
				return strings.Count(logs.String(), "the request message differs from the stored request") >= 4
			})
			waitFor(t, "the finished request's message handled", func() bool {
				return strings.Contains(logs.String(), `"msg":"request already finished","request_id":"`+doneID)
			})
			if after, _ := json.Marshal(r.report(doneID)); string(after) != string(before) {
				t.Error("a forged message changed a finished report")
			}
			mu.Lock()
			defer mu.Unlock()
			for _, in := range resolved {
				if in == local || in == other.build.URL {
					t.Errorf("the worker resolved %q, which only a forged message named", in)
				}
			}
			if strings.Contains(logs.String(), "FORGED") {
				t.Error("the local file was read")
			}
		})
	}
}
