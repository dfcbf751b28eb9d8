package worker_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/analysis/analysistest"
	"github.com/destill-dev/destill/app/pipeline"
	"github.com/destill-dev/destill/app/worker"
	"github.com/destill-dev/destill/backend"
	"github.com/destill-dev/destill/backend/backendtest"
	"github.com/destill-dev/destill/backend/kafka/kafkatest"
	"github.com/destill-dev/destill/backend/memory"
	"github.com/destill-dev/destill/backend/postgres/postgrestest"
	"github.com/destill-dev/destill/providers"
)

// testBackend is one transport × store pair.
type testBackend struct {
	name         string
	newTransport func(t *testing.T) backend.Transport
	newStore     func(t *testing.T) backend.Store
}

func memoryTransport(t *testing.T) backend.Transport {
	tr := memory.NewTransport(memory.TransportOptions{})
	t.Cleanup(func() { _ = tr.Close() })
	return tr
}

func kafkaTransport(t *testing.T) backend.Transport {
	return kafkatest.NewTransport(t, kafkatest.Brokers(t))
}

func memoryStore(t *testing.T) backend.Store { return memory.NewStore() }

func postgresStore(t *testing.T) backend.Store { return postgrestest.NewStore(t) }

// backends are every pair: the stages may rely only on the contracts.
var backends = []testBackend{
	{"memory+memory", memoryTransport, memoryStore},
	{"kafka+memory", kafkaTransport, memoryStore},
	{"memory+postgres", memoryTransport, postgresStore},
	{"kafka+postgres", kafkaTransport, postgresStore},
}

// rig is a transport, a store and the workers running on them.
type rig struct {
	t      *testing.T
	tr     backend.Transport
	store  backend.Store
	topics worker.Topics
	srcs   sourceSet
	ingest *worker.Ingest
	policy worker.RetryPolicy
}

func newRig(t *testing.T, b testBackend, srcs sourceSet) *rig {
	r := &rig{t: t, tr: b.newTransport(t), store: b.newStore(t), srcs: srcs,
		topics: worker.NewTopics(backendtest.NewTopic(t) + "."),
		policy: worker.RetryPolicy{Attempts: 3, Backoff: 10 * time.Millisecond}}
	r.ingest = &worker.Ingest{Transport: r.tr, Store: r.store, Topics: r.topics, Resolve: srcs.resolve,
		ChunkSize: 4 << 10, Tool: analysis.Tool{Name: "destill", Version: "test"}}
	return r
}

func (r *rig) deadLetter() worker.DeadLetter {
	return worker.DeadLetter{Transport: r.tr, Topic: r.topics.DeadLetter, OnDead: worker.FailRequest(r.store)}
}

// run subscribes h to topic until the test ends or stop is called.
func (r *rig) run(topic, group string, h backend.Handler) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = r.tr.Subscribe(ctx, topic, group, worker.WithRetry(h, r.policy, r.deadLetter(), nil))
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case <-done:
			case <-time.After(60 * time.Second):
				r.t.Error("a worker did not stop within 60s")
			}
		})
	}
	r.t.Cleanup(stop)
	return stop
}

func (r *rig) startIngest() func() {
	return r.run(r.topics.Requests, worker.IngestGroup, r.ingest.Handle)
}

func (r *rig) startAnalyze() func() {
	a := &worker.Analyze{Store: r.store}
	return r.run(r.topics.Chunks, worker.AnalyzeGroup, a.Handle)
}

func (r *rig) submit(input string, opts backend.AnalysisOptions) string {
	r.t.Helper()
	id, err := worker.Submit(context.Background(), r.tr, r.store, r.topics, input, opts)
	if err != nil {
		r.t.Fatalf("submit %s: %v", input, err)
	}
	return id
}

func (r *rig) wait(id string) backend.Request {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	req, err := worker.Wait(ctx, r.store, id, 20*time.Millisecond, nil)
	if err != nil {
		got, _ := r.store.GetRequest(context.Background(), id)
		r.t.Fatalf("request %s: %v (status %s, progress %+v)", id, err, got.Status, got.Progress)
	}
	return req
}

// inProcess is what `destill analyze` reports for the same build.
func inProcess(t *testing.T, src *fakeSource, opts backend.AnalysisOptions) analysis.Report {
	t.Helper()
	rep, err := pipeline.Run(context.Background(), src, pipeline.Options{
		Analysis: analysis.Options{ContextBefore: opts.ContextBefore, ContextAfter: opts.ContextAfter, Secrets: []string{testToken}},
		AllJobs:  opts.AllJobs,
		Tool:     analysis.Tool{Name: "destill", Version: "test"},
		Source:   sourcesDescribe(src.build.URL),
	}, nil)
	if err != nil {
		t.Fatalf("in-process analysis: %v", err)
	}
	return rep
}

// report is the stored request as view prints it.
func (r *rig) report(id string) analysis.Report {
	r.t.Helper()
	req, err := r.store.GetRequest(context.Background(), id)
	if err != nil {
		r.t.Fatal(err)
	}
	rep := req.Report
	rep.Findings, err = r.store.ListFindings(context.Background(), id)
	if err != nil {
		r.t.Fatal(err)
	}
	return rep
}

// sameReport compares what matters of two reports: jobs, summary, notes
// and every field of every finding.
func sameReport(t *testing.T, label string, got, want analysis.Report) {
	t.Helper()
	norm := func(r analysis.Report) analysis.Report {
		r.GeneratedAt, r.RequestID, r.Status = "", "", ""
		b, _ := json.Marshal(r)
		var out analysis.Report
		_ = json.Unmarshal(b, &out)
		if out.Findings == nil {
			out.Findings = []analysis.Finding{}
		}
		return out
	}
	g, w := norm(got), norm(want)
	if !reflect.DeepEqual(g.Findings, w.Findings) {
		t.Errorf("%s: %d findings, want %d as analyze gives", label, len(g.Findings), len(w.Findings))
		for i := range min(len(g.Findings), len(w.Findings)) {
			if !reflect.DeepEqual(g.Findings[i], w.Findings[i]) {
				gb, _ := json.Marshal(g.Findings[i])
				wb, _ := json.Marshal(w.Findings[i])
				t.Errorf("first difference at rank %d:\ngot  %s\nwant %s", i+1, gb, wb)
				break
			}
		}
	}
	if !reflect.DeepEqual(g.Jobs, w.Jobs) {
		t.Errorf("%s: jobs differ\ngot  %+v\nwant %+v", label, g.Jobs, w.Jobs)
	}
	if g.Summary != w.Summary || !reflect.DeepEqual(g.Source, w.Source) || !reflect.DeepEqual(g.Notes, w.Notes) {
		t.Errorf("%s: summary/source/notes differ\ngot  %+v %+v %q\nwant %+v %+v %q", label, g.Summary, g.Source, g.Notes, w.Summary, w.Source, w.Notes)
	}
}

func forEachBackend(t *testing.T, fn func(t *testing.T, b testBackend)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			fn(t, b)
		})
	}
}

// TestDistributedEqualsInProcess: builds go through submit, two ingest and
// two analyze workers, and come out with the findings analyze gives.
func TestDistributedEqualsInProcess(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b testBackend) {
		srcs := sourceSet{}
		for n := 1; n <= 3; n++ {
			src := newBuild(n, 40<<10*n, 9<<10)
			srcs[src.build.URL] = src
		}
		// JUnit reports: one names a test the log shows, one a test it
		// does not, one carries the token.
		srcs[srcs.first()].reports = []providers.TestReport{{JobID: "test-0", Path: "junit/report.xml", Failed: []providers.TestCase{
			{Name: "TestCheckout/case_1", Message: "expected status 200, got 500"},
			{Name: "TestRefund", Classname: "billing", Message: "timeout after 30s", Details: "at billing.go:12\ntoken " + testToken},
		}}}
		withErr := newBuild(4, 12<<10)
		withErr.reportsErr = errors.New("list artifacts: 500 Internal Server Error")
		srcs[withErr.build.URL] = withErr
		// A job over the cap of distinct messages: its chunks are merged
		// under the same cap, and the note says what was left out.
		flood := newBuild(5, 8<<10)
		flood.logs["test-0"] = analysistest.DistinctErrorsLog(4100)
		srcs[flood.build.URL] = flood
		r := newRig(t, b, srcs)
		r.startIngest()
		r.startIngest()
		r.startAnalyze()
		r.startAnalyze()
		ids := map[string]string{}
		for url := range srcs {
			ids[url] = r.submit(url, backend.AnalysisOptions{})
		}
		allJobs := r.submit(srcs.first(), backend.AnalysisOptions{AllJobs: true, ContextBefore: 5, ContextAfter: -1})
		for url, id := range ids {
			req := r.wait(id)
			if req.Status != backend.StatusDone {
				t.Fatalf("%s: %s: %s", url, req.Status, req.Error)
			}
			if !req.Progress.Complete() || req.Progress.ChunksTotal < 3 || req.BuildURL != url {
				t.Errorf("%s: progress %+v build URL %q", url, req.Progress, req.BuildURL)
			}
			rep := r.report(id)
			sameReport(t, url, rep, inProcess(t, srcs[url], backend.AnalysisOptions{}))
			out, _ := json.Marshal(rep)
			if containsToken(out) {
				t.Errorf("%s: the token is in the stored report", url)
			}
			switch url {
			case srcs.first():
				tests := 0
				for _, f := range rep.Findings {
					if f.Test != nil {
						tests++
					}
				}
				if tests < 2 {
					t.Errorf("%s: %d findings carry a test from the JUnit report, want 2", url, tests)
				}
			case withErr.build.URL:
				if !strings.Contains(strings.Join(rep.Notes, "\n"), "the build's test reports could not be read") {
					t.Errorf("%s: notes %q lack the test report error", url, rep.Notes)
				}
			case flood.build.URL:
				if !strings.Contains(strings.Join(rep.Notes, "\n"), `job "test shard 0": 201 error-like line(s) not kept as findings`) {
					t.Errorf("%s: notes %q do not say what the cap left out", url, rep.Notes)
				}
			}
		}
		r.wait(allJobs)
		sameReport(t, "all jobs", r.report(allJobs), inProcess(t, srcs[srcs.first()], backend.AnalysisOptions{AllJobs: true, ContextBefore: 5, ContextAfter: -1}))
	})
}

func (s sourceSet) first() string {
	best := ""
	for url := range s {
		if best == "" || url < best {
			best = url
		}
	}
	return best
}

// duplicating publishes every message twice: redelivery at its worst.
type duplicating struct{ backend.Transport }

func (d duplicating) Publish(ctx context.Context, msgs ...backend.Message) error {
	if err := d.Transport.Publish(ctx, msgs...); err != nil {
		return err
	}
	return d.Transport.Publish(ctx, msgs...)
}

// TestRedeliveryNeverDuplicates: every request and chunk arrives twice;
// the findings are the same, once each.
func TestRedeliveryNeverDuplicates(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b testBackend) {
		src := newBuild(7, 30<<10)
		r := newRig(t, b, sourceSet{src.build.URL: src})
		dup := duplicating{r.tr}
		r.ingest.Transport = dup
		r.startIngest()
		r.startAnalyze()
		id, err := worker.Submit(context.Background(), dup, r.store, r.topics, src.build.URL, backend.AnalysisOptions{})
		if err != nil {
			t.Fatal(err)
		}
		req := r.wait(id)
		if req.Status != backend.StatusDone || req.Progress.ChunksDone != req.Progress.ChunksTotal {
			t.Fatalf("status %s progress %+v", req.Status, req.Progress)
		}
		sameReport(t, "duplicated", r.report(id), inProcess(t, src, backend.AnalysisOptions{}))
		// The second request message found the request done or its jobs
		// read: no log is fetched twice once recorded.
		time.Sleep(200 * time.Millisecond)
		if n := src.openCount("test-0"); n > 2 {
			t.Errorf("log of test-0 read %d times", n)
		}
	})
}

// slowStore makes chunk saves take a while, so a worker can be stopped
// with chunks in flight.
type slowStore struct {
	backend.Store
	delay time.Duration
	saves atomic.Int64
}

func (s *slowStore) SaveChunkResult(ctx context.Context, c backend.ChunkResult) (backend.Progress, error) {
	s.saves.Add(1)
	select {
	case <-time.After(s.delay):
	case <-ctx.Done():
		return backend.Progress{}, ctx.Err()
	}
	return s.Store.SaveChunkResult(ctx, c)
}

// TestWorkerStoppedMidwayLosesNothing stops the analyze worker while
// chunks are in flight and starts another: the request completes with
// the same findings.
func TestWorkerStoppedMidwayLosesNothing(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b testBackend) {
		src := newBuild(11, 60<<10)
		r := newRig(t, b, sourceSet{src.build.URL: src})
		slow := &slowStore{Store: r.store, delay: 20 * time.Millisecond}
		r.startIngest()
		stop := r.run(r.topics.Chunks, worker.AnalyzeGroup, (&worker.Analyze{Store: slow}).Handle)
		id := r.submit(src.build.URL, backend.AnalysisOptions{})
		deadline := time.Now().Add(60 * time.Second)
		for slow.saves.Load() < 3 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		stop()
		mid, _ := r.store.GetRequest(context.Background(), id)
		if mid.Status == backend.StatusDone {
			t.Fatalf("request finished before the worker was stopped; make the build bigger")
		}
		r.startAnalyze()
		req := r.wait(id)
		if req.Status != backend.StatusDone {
			t.Fatalf("%s: %s", req.Status, req.Error)
		}
		t.Logf("stopped at %d/%d chunks", mid.Progress.ChunksDone, req.Progress.ChunksTotal)
		sameReport(t, "after restart", r.report(id), inProcess(t, src, backend.AnalysisOptions{}))
	})
}

// TestFailures: what cannot be analyzed fails the request with a reason,
// and what can be is analyzed.
func TestFailures(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b testBackend) {
		partly := newBuild(21, 20<<10, 20<<10)
		partly.broken = map[string]int{"test-0": -1, "test-1": 10 << 10}
		none := newBuild(22)
		none.broken = map[string]int{"example": -1, "empty": -1}
		passed := newBuild(23)
		passed.build.Jobs = passed.build.Jobs[:1]
		unreachable := newBuild(24)
		unreachable.err = errors.New("GET /builds/24: 503 Service Unavailable")
		srcs := sourceSet{}
		for _, s := range []*fakeSource{partly, none, passed, unreachable} {
			srcs[s.build.URL] = s
		}
		r := newRig(t, b, srcs)
		r.startIngest()
		r.startAnalyze()

		id := r.submit(partly.build.URL, backend.AnalysisOptions{})
		req := r.wait(id)
		if req.Status != backend.StatusDone {
			t.Fatalf("partly readable build: %s: %s", req.Status, req.Error)
		}
		rep := r.report(id)
		want := inProcess(t, partly, backend.AnalysisOptions{})
		if !reflect.DeepEqual(fingerprints(rep.Findings), fingerprints(want.Findings)) || rep.Summary != want.Summary {
			t.Errorf("partly readable build: findings or summary differ from analyze's: %+v vs %+v", rep.Summary, want.Summary)
		}
		errs := 0
		for _, j := range rep.Jobs {
			if j.Error != "" {
				errs++
			}
		}
		if errs != 2 || len(rep.Notes) < 2 {
			t.Errorf("unreadable logs: %d job errors, notes %q; want 2 of each", errs, rep.Notes)
		}

		cases := []struct {
			name, url, want string
		}{
			{"no log readable", none.build.URL, "no job log could be read"},
			{"passed build", passed.build.URL, "nothing to analyze"},
			{"provider down", unreachable.build.URL, "503 Service Unavailable"},
			{"not a build", "https://example.com/nothing", "not a build URL"},
		}
		for _, tc := range cases {
			req := r.wait(r.submit(tc.url, backend.AnalysisOptions{}))
			if req.Status != backend.StatusFailed || !strings.Contains(req.Error, tc.want) {
				t.Errorf("%s: status %s error %q; want failed with %q", tc.name, req.Status, req.Error, tc.want)
			}
		}
	})
}

func fingerprints(fs []analysis.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s×%d", f.Fingerprint, f.Occurrences))
	}
	return out
}

// failingStore fails every chunk save of one request.
type failingStore struct {
	backend.Store
	request string
}

func (s failingStore) SaveChunkResult(ctx context.Context, c backend.ChunkResult) (backend.Progress, error) {
	if c.RequestID == s.request {
		return backend.Progress{}, errors.New("disk full")
	}
	return s.Store.SaveChunkResult(ctx, c)
}

// TestPoisonMessagesAreDeadLettered: a malformed message and a chunk that
// keeps failing go to the dead-letter topic with their error, the request
// fails, and the partition moves on.
func TestPoisonMessagesAreDeadLettered(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b testBackend) {
		bad, good := newBuild(31), newBuild(32)
		r := newRig(t, b, sourceSet{bad.build.URL: bad, good.build.URL: good})
		var mu sync.Mutex
		var dead []backend.Message
		r.run(r.topics.DeadLetter, "inspector", func(ctx context.Context, m backend.Message) error {
			mu.Lock()
			defer mu.Unlock()
			dead = append(dead, m)
			return nil
		})
		ctx := context.Background()
		if err := r.tr.Publish(ctx, backend.Message{Topic: r.topics.Chunks, Key: "x", Payload: []byte("{not json")}); err != nil {
			t.Fatal(err)
		}
		badID := worker.NewRequestID()
		if err := r.store.CreateRequest(ctx, backend.Request{ID: badID, Input: bad.build.URL}); err != nil {
			t.Fatal(err)
		}
		r.startIngest()
		r.run(r.topics.Chunks, worker.AnalyzeGroup, (&worker.Analyze{Store: failingStore{r.store, badID}}).Handle)
		payload, _ := json.Marshal(worker.RequestMessage{RequestID: badID, Input: bad.build.URL})
		if err := r.tr.Publish(ctx, backend.Message{Topic: r.topics.Requests, Key: badID, Payload: payload}); err != nil {
			t.Fatal(err)
		}
		req := r.wait(badID)
		if req.Status != backend.StatusFailed || !strings.Contains(req.Error, "disk full") || !strings.Contains(req.Error, "3 tries") {
			t.Errorf("request with a failing chunk: %s %q; want failed naming the error and the tries", req.Status, req.Error)
		}
		goodID := r.submit(good.build.URL, backend.AnalysisOptions{})
		if got := r.wait(goodID); got.Status != backend.StatusDone {
			t.Errorf("the next request: %s %s", got.Status, got.Error)
		}
		waitFor(t, "dead letters", func() bool { mu.Lock(); defer mu.Unlock(); return len(dead) >= 2 })
		mu.Lock()
		defer mu.Unlock()
		var malformed bool
		for _, m := range dead {
			if m.Headers[worker.HeaderOriginalTopic] != r.topics.Chunks || m.Headers[worker.HeaderError] == "" {
				t.Errorf("dead letter without its origin or error: %v", m.Headers)
			}
			if bytes.Equal(m.Payload, []byte("{not json")) {
				malformed = true
				if m.Headers[worker.HeaderAttempts] != "1" {
					t.Errorf("malformed message tried %s times, want 1 (retrying cannot fix it)", m.Headers[worker.HeaderAttempts])
				}
			}
		}
		if !malformed {
			t.Error("the malformed message was not dead-lettered")
		}
	})
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestTokensNeverLeaveTheIngestWorker: the token the build was fetched
// with is redacted before chunks are published.
func TestTokensNeverLeaveTheIngestWorker(t *testing.T) {
	t.Parallel()
	b := backends[0]
	src := newBuild(41, 2<<20)
	r := newRig(t, b, sourceSet{src.build.URL: src})
	var leaked, seen, biggest atomic.Int64
	r.ingest.ChunkSize = 0 // the production size
	r.run(r.topics.Chunks, "spy", func(ctx context.Context, m backend.Message) error {
		seen.Add(1)
		size := int64(len(m.Payload) + len(m.Key))
		for k, v := range m.Headers {
			size += int64(len(k) + len(v))
		}
		for old := biggest.Load(); size > old && !biggest.CompareAndSwap(old, size); old = biggest.Load() {
		}
		cm, err := worker.DecodeChunk(m)
		if err != nil || containsToken(m.Payload) || containsToken([]byte(m.Headers[worker.HeaderChunk])) || containsToken(cm.Chunk.Data) {
			leaked.Add(1)
		}
		return nil
	})
	r.startIngest()
	r.startAnalyze()
	id := r.submit(src.build.URL, backend.AnalysisOptions{})
	r.wait(id)
	rep := r.report(id)
	out, _ := json.Marshal(rep)
	if leaked.Load() > 0 || containsToken(out) || seen.Load() == 0 {
		t.Errorf("token leaked in %d of %d chunk messages; in the report: %v", leaked.Load(), seen.Load(), containsToken(out))
	}
	if !bytes.Contains(out, []byte(analysis.Redacted)) {
		t.Error("the log's token lines are not in the report as redacted")
	}
	// Far below Kafka's default 1 MB message limit.
	if b := biggest.Load(); b > 300<<10 {
		t.Errorf("a chunk message takes %d bytes, want at most 300 KB", b)
	}
	t.Logf("%d chunk messages, the biggest %d bytes", seen.Load(), biggest.Load())
}
