package mcpserver

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/sources"
	"github.com/destill-dev/destill/app/worker"
	"github.com/destill-dev/destill/backend"
	"github.com/destill-dev/destill/backend/memory"
	"github.com/destill-dev/destill/backend/postgres/postgrestest"
)

// Every backend.Store is a Backend.
var _ Backend = backend.Store(nil)

// sharedBackends are the stores a SharedRequests is tested on: the memory
// store and a real PostgreSQL (skipped without one, failing when CI is set).
var sharedBackends = []struct {
	name string
	open func(t *testing.T) backend.Store
}{
	{"memory", func(t *testing.T) backend.Store { return memory.NewStore() }},
	{"postgres", func(t *testing.T) backend.Store { return postgrestest.NewStore(t) }},
}

func forEachSharedBackend(t *testing.T, fn func(t *testing.T, db backend.Store)) {
	for _, sb := range sharedBackends {
		t.Run(sb.name, func(t *testing.T) {
			t.Parallel()
			fn(t, sb.open(t))
		})
	}
}

// setupShared is a server whose results are shared through db, keeping at
// most keep requests in memory.
func setupShared(t *testing.T, db Backend, keep int, opts Options) *testBundle {
	t.Helper()
	local := NewRecentRequests(keep, 0)
	opts.Requests = NewSharedRequests(db, local)
	opts.NewID = worker.NewRequestID
	b := setupWith(t, opts)
	b.store = local
	return b
}

// distributed runs the stages of distributed mode in this process, as the
// ingest and analyze workers would, on a memory transport and db.
type distributed struct {
	t      *testing.T
	tr     backend.Transport
	db     backend.Store
	topics worker.Topics
	srcs   map[string]sources.Input
	// gate holds the analyze stage back until it is closed.
	gate chan struct{}
	once sync.Once
}

func newDistributed(t *testing.T, db backend.Store) *distributed {
	tr := memory.NewTransport(memory.TransportOptions{})
	t.Cleanup(func() { _ = tr.Close() })
	return &distributed{t: t, tr: tr, db: db, topics: worker.NewTopics("mcp-test."), srcs: map[string]sources.Input{}, gate: make(chan struct{})}
}

// add makes url resolve to src for the ingest worker, which knows secrets.
func (d *distributed) add(url string, src *fakeSource, secrets ...string) {
	d.srcs[url] = sources.Input{Source: src, Describe: analysis.Origin{Kind: "github-actions", URL: url}, Secrets: secrets}
}

func (d *distributed) resolve(input string) (sources.Input, error) {
	if in, ok := d.srcs[input]; ok {
		return in, nil
	}
	return sources.Input{}, &sources.InputError{Err: errors.New("not a build URL this worker knows: " + input)}
}

func (d *distributed) run(topic, group string, h backend.Handler) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = d.tr.Subscribe(ctx, topic, group, worker.WithRetry(h, worker.RetryPolicy{Attempts: 3, Backoff: 10 * time.Millisecond},
			worker.DeadLetter{Transport: d.tr, Topic: d.topics.DeadLetter, OnDead: worker.FailRequest(d.db)}, nil))
	}()
	d.t.Cleanup(func() {
		cancel()
		<-done
	})
}

// start runs an ingest and an analyze worker; the analyze worker waits for
// release.
func (d *distributed) start() {
	in := &worker.Ingest{Transport: d.tr, Store: d.db, Topics: d.topics, Resolve: d.resolve, ChunkSize: 2 << 10,
		Tool: analysis.Tool{Name: "destill", Version: "test"}}
	an := &worker.Analyze{Store: d.db}
	d.run(d.topics.Requests, worker.IngestGroup, in.Handle)
	d.run(d.topics.Chunks, worker.AnalyzeGroup, func(ctx context.Context, msg backend.Message) error {
		select {
		case <-d.gate:
		case <-ctx.Done():
			return ctx.Err()
		}
		return an.Handle(ctx, msg)
	})
}

func (d *distributed) release() { d.once.Do(func() { close(d.gate) }) }

func (d *distributed) submit(url string) string {
	d.t.Helper()
	id, err := worker.Submit(context.Background(), d.tr, d.db, d.topics, url, backend.AnalysisOptions{})
	require.NoError(d.t, err)
	return id
}

// waitStatus waits until request id reaches status.
func (d *distributed) waitStatus(id string, status backend.Status) backend.Request {
	d.t.Helper()
	var r backend.Request
	require.Eventually(d.t, func() bool {
		var err error
		r, err = d.db.GetRequest(context.Background(), id)
		require.NoError(d.t, err)
		return r.Status == status
	}, 60*time.Second, 10*time.Millisecond, "request %s never reached %s (last: %s %+v)", id, status, r.Status, r.Progress)
	return r
}

// storedReport is the request as `destill view --format json` prints it.
func storedReport(t *testing.T, db backend.Store, id string) (backend.Request, []analysis.Finding) {
	t.Helper()
	r, err := db.GetRequest(context.Background(), id)
	require.NoError(t, err)
	f, err := db.ListFindings(context.Background(), id)
	require.NoError(t, err)
	return r, f
}

func fingerprintsOf(fs []analysis.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Fingerprint)
	}
	return out
}

// TestSharedRequestsReadsSubmittedRequests: a build submitted to the workers
// is readable through the MCP server by the ID submit printed: its status
// while the workers are busy, then its findings and jobs. Its logs are not
// in the database: search_log and read_log say so and what to do.
func TestSharedRequestsReadsSubmittedRequests(t *testing.T) {
	t.Parallel()
	forEachSharedBackend(t, func(t *testing.T, db backend.Store) {
		d := newDistributed(t, db)
		d.add(fakeURL, fakeBuild(t), envSecret)
		b := setupShared(t, db, 4, Options{})

		// Queued: nothing picked it up yet.
		id := d.submit(fakeURL)
		out, text := call[GetRequestOutput](t, b, "get_request", map[string]any{"request_id": id})
		require.Equal(t, "queued", out.Status, text)
		require.Empty(t, out.Findings)
		require.NotNil(t, out.Progress)
		require.False(t, out.Progress.Planned)
		require.Contains(t, text, "Request "+id+" is queued: "+fakeURL)
		require.Contains(t, text, "No verdict and no findings yet")
		require.NotContains(t, text, "passed")

		// Analyzing: fetched and chunked, chunks not analyzed yet.
		d.start()
		d.waitStatus(id, backend.StatusAnalyzing)
		out, text = call[GetRequestOutput](t, b, "get_request", map[string]any{"request_id": id})
		require.Equal(t, "analyzing", out.Status)
		require.Empty(t, out.Findings)
		require.True(t, out.Progress.Planned)
		require.Equal(t, 2, out.Progress.JobsSelected)
		require.Greater(t, out.Progress.ChunksTotal, 2, "small chunks: several per log")
		require.Equal(t, 2, out.Summary.JobsFailed)
		require.Contains(t, text, "analyzing: 0 of")
		for _, tool := range []string{"get_finding", "list_jobs", "search_log", "read_log"} {
			msg := callErr(t, b, tool, argsFor(tool, id))
			require.Contains(t, msg, "request "+id+" is not finished yet (analyzing: 0 of", tool)
			require.Contains(t, msg, "call get_request with this request_id again", tool)
		}

		// Done: the findings the workers stored.
		d.release()
		d.waitStatus(id, backend.StatusDone)
		_, stored := storedReport(t, db, id)
		require.NotEmpty(t, stored)
		out, text = call[GetRequestOutput](t, b, "get_request", map[string]any{"request_id": id, "top": 50})
		require.Equal(t, statusFailed, out.Status)
		require.Nil(t, out.Progress)
		require.Equal(t, fakeURL, out.Source.URL)
		require.Equal(t, len(stored), out.Summary.Findings)
		require.Equal(t, fingerprintsOf(stored)[:len(out.Findings)], fingerprintsOfBrief(out.Findings))
		require.Equal(t, "unit (ubuntu)", out.Findings[0].JobName)
		require.Contains(t, text, "Build failed: "+fakeURL+" (request_id "+id+")")
		require.Len(t, out.FailedJobs, 2)

		top := stored[0]
		f, text := call[GetFindingOutput](t, b, "get_finding", map[string]any{"request_id": id, "fingerprint": top.Fingerprint[:8]})
		require.Equal(t, top.Fingerprint, f.Finding.Fingerprint)
		require.Equal(t, top.Text, f.Finding.Text)
		require.Equal(t, top.ContextBefore, f.Finding.ContextBefore)
		require.Equal(t, top.Lines, f.Finding.Lines)
		require.Contains(t, text, "The database keeps findings, not logs")

		jobs, text := call[ListJobsOutput](t, b, "list_jobs", map[string]any{"request_id": id})
		require.Len(t, jobs.Jobs, 3)
		unit := jobs.Jobs[0]
		require.Equal(t, "unit (ubuntu)", unit.Name)
		require.True(t, unit.Analyzed)
		require.False(t, unit.LogKept)
		require.Equal(t, 95, unit.LogLines)
		require.Equal(t, 95.0, *unit.DurationSeconds)
		var titles []string
		for _, s := range unit.Steps {
			titles = append(titles, s.Title)
		}
		require.Contains(t, titles, "Run go test -race ./...", "steps come from the stored chunk results")
		require.Contains(t, text, `- "unit (ubuntu)" id 1: failed, exit 1, 1m35s, step "test", log analyzed (95 lines), not kept here`)

		for _, tool := range []string{"search_log", "read_log"} {
			args := argsFor(tool, id)
			args["job"] = "unit"
			msg := callErr(t, b, tool, args)
			require.Contains(t, msg, `the log of job "unit (ubuntu)" is not available: request `+id+` was read from the database, which keeps findings and jobs but not logs`, tool)
			require.Contains(t, msg, `analyze_build {"url": "`+fakeURL+`"} reads the logs here`, tool)
			msg = callErr(t, b, tool, argsFor(tool, id))
			require.Contains(t, msg, "which keeps findings and jobs but not logs", tool)
		}
	})
}

// argsFor returns valid arguments of a follow-up tool for request id.
func argsFor(tool, id string) map[string]any {
	args := map[string]any{"request_id": id}
	switch tool {
	case "get_finding":
		args["fingerprint"] = "abc"
	case "search_log":
		args["regex"] = "FAIL"
	}
	return args
}

func fingerprintsOfBrief(fs []FindingBrief) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Fingerprint)
	}
	return out
}

// TestSharedRequestsFailedAndUnknownRequests: a request the workers failed is
// an error saying why, never a verdict; an unknown ID says where it was
// looked for.
func TestSharedRequestsFailedAndUnknownRequests(t *testing.T) {
	t.Parallel()
	forEachSharedBackend(t, func(t *testing.T, db backend.Store) {
		d := newDistributed(t, db)
		d.start()
		d.release()
		b := setupShared(t, db, 4, Options{})
		const gone = "https://ci.example/acme/api/runs/404"
		id := d.submit(gone)
		d.waitStatus(id, backend.StatusFailed)
		for _, tool := range []string{"get_request", "get_finding", "list_jobs", "search_log", "read_log"} {
			msg := callErr(t, b, tool, argsFor(tool, id))
			require.Contains(t, msg, "request "+id+" failed, so it has no findings: not a build URL this worker knows: "+gone, tool)
			require.Contains(t, msg, `analyze_build {"url": "`+gone+`"} tries it here`, tool)
			require.NotContains(t, msg, "passed", tool)
		}
		for _, tool := range []string{"get_request", "get_finding", "list_jobs", "search_log", "read_log"} {
			msg := callErr(t, b, tool, argsFor(tool, "0b5e3b8e-0000-4000-8000-000000000000"))
			require.Contains(t, msg, `unknown request_id "0b5e3b8e-0000-4000-8000-000000000000": it is neither among this server's recent analyses nor in the database; check the ID (`+"`destill view --list`"+` lists the stored requests), or run analyze_build to get a new one`, tool)
		}
	})
}

// TestSharedRequestsSavesAnalyses: analyze_build's result is stored as a done
// request with the same findings, redacted, where destill view and other
// MCP servers read it; this server keeps its logs for search_log and
// read_log until it evicts it, and then answers from the database.
func TestSharedRequestsSavesAnalyses(t *testing.T) {
	t.Parallel()
	forEachSharedBackend(t, func(t *testing.T, db backend.Store) {
		b := setupShared(t, db, 1, Options{Secrets: []string{envSecret}})
		b.addFake(fakeURL, fakeBuild(t))
		an, _ := call[AnalyzeBuildOutput](t, b, "analyze_build", map[string]any{"url": fakeURL, "top": 50})
		require.Len(t, an.RequestID, 36, "the IDs destill submit uses")
		require.Empty(t, an.Notes)

		r, stored := storedReport(t, db, an.RequestID)
		require.Equal(t, backend.StatusDone, r.Status)
		require.Equal(t, fakeURL, r.Input)
		require.Equal(t, fakeURL, r.BuildURL)
		require.Equal(t, backend.Progress{Planned: true, JobsSelected: 2, JobsFetched: 2, ChunksTotal: 2, ChunksDone: 2}, r.Progress)
		require.Equal(t, an.Summary.Findings, len(stored))
		require.Equal(t, fingerprintsOfBrief(an.Findings), fingerprintsOf(stored)[:len(an.Findings)])
		require.Equal(t, an.Summary, r.Report.Summary)
		require.Len(t, r.Report.Jobs, 3)
		require.Empty(t, r.Report.Status, "the database's own status is the request's")
		chunks, err := db.ChunkResults(context.Background(), an.RequestID)
		require.NoError(t, err)
		require.Len(t, chunks, 2, "one result per analyzed job")
		everything, err := json.Marshal([]any{r, stored, chunks})
		require.NoError(t, err)
		for _, s := range []string{envSecret, "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "hunter2hunter2", "b3BlbnNzaC1rZXkt"} {
			require.NotContains(t, string(everything), s, "a secret reached the database")
		}

		// This server still reads its logs.
		s, _ := call[SearchLogOutput](t, b, "search_log", map[string]any{"request_id": an.RequestID, "regex": "--- FAIL"})
		require.Positive(t, s.TotalMatches)

		// Another MCP server on the same database reads the result.
		other := setupShared(t, db, 4, Options{})
		got, _ := call[GetRequestOutput](t, other, "get_request", map[string]any{"request_id": an.RequestID, "top": 50})
		require.Equal(t, an.Status, got.Status)
		require.Equal(t, an.Summary, got.Summary)
		require.Equal(t, an.Findings, got.Findings)
		require.Equal(t, an.FailedJobs, got.FailedJobs)
		jobs, _ := call[ListJobsOutput](t, other, "list_jobs", map[string]any{"request_id": an.RequestID})
		require.NotEmpty(t, jobs.Jobs[0].Steps)
		msg := callErr(t, other, "read_log", map[string]any{"request_id": an.RequestID, "job": "unit"})
		require.Contains(t, msg, "is not available")

		// Evicted here by a newer analysis: answered from the database.
		call[AnalyzeBuildOutput](t, b, "analyze_build", map[string]any{"path": testdata(t, "go-test.log")})
		requireNoKeptLogsBut(t, b.tmp, 1)
		again, _ := call[GetRequestOutput](t, b, "get_request", map[string]any{"request_id": an.RequestID, "top": 50})
		require.Equal(t, an.Findings, again.Findings)
		msg = callErr(t, b, "search_log", map[string]any{"request_id": an.RequestID, "regex": "FAIL"})
		require.Contains(t, msg, `analyze_build {"url": "`+fakeURL+`"} reads the logs here`)
	})
}

func requireNoKeptLogsBut(t *testing.T, dir string, n int) {
	t.Helper()
	dirs, _ := filepath.Glob(filepath.Join(dir, "destill-mcp-*"))
	require.Len(t, dirs, n)
}

// TestSharedRequestsRedactsWithTheServersSecrets: a token only the MCP server
// knows (the workers did not, so it reached the database) never shows in
// its results.
func TestSharedRequestsRedactsWithTheServersSecrets(t *testing.T) {
	t.Parallel()
	db := memory.NewStore()
	d := newDistributed(t, db)
	d.add(fakeURL, fakeBuild(t)) // the workers know no secret
	d.start()
	d.release()
	id := d.submit(fakeURL)
	d.waitStatus(id, backend.StatusDone)
	_, stored := storedReport(t, db, id)
	raw, _ := json.Marshal(stored)
	require.Contains(t, string(raw), envSecret, "the workers could not redact it")

	b := setupShared(t, db, 4, Options{Secrets: []string{envSecret}})
	check := func(res *mcp.CallToolResult) {
		t.Helper()
		raw, err := json.Marshal(res)
		require.NoError(t, err)
		require.NotContains(t, string(raw), envSecret)
	}
	do := func(name string, args map[string]any) {
		t.Helper()
		res, err := b.session.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: args})
		require.NoError(t, err)
		require.False(t, res.IsError, resultText(res))
		check(res)
	}
	do("get_request", map[string]any{"request_id": id, "top": 50, "max_tokens": 100000})
	for _, f := range stored {
		do("get_finding", map[string]any{"request_id": id, "fingerprint": f.Fingerprint})
	}
	do("list_jobs", map[string]any{"request_id": id})
}

// failingBackend cannot record anything.
type failingBackend struct{ backend.Store }

func (failingBackend) CreateRequest(context.Context, backend.Request) error {
	return errors.New("connection refused")
}

// TestSharedRequestsUnreachable: when the database cannot take the result,
// analyze_build still answers, says so, and the follow-up tools work.
func TestSharedRequestsUnreachable(t *testing.T) {
	t.Parallel()
	b := setupShared(t, failingBackend{memory.NewStore()}, 4, Options{})
	an, text := call[AnalyzeBuildOutput](t, b, "analyze_build", map[string]any{"path": testdata(t, "go-test.log")})
	require.Equal(t, statusFailed, an.Status)
	require.Contains(t, strings.Join(an.Notes, "\n"), "this result could not be saved to the database, so other processes (destill view) cannot read it, but this server's tools can: ")
	require.Contains(t, text, "connection refused")
	s, _ := call[SearchLogOutput](t, b, "search_log", map[string]any{"request_id": an.RequestID, "regex": "--- FAIL"})
	require.Positive(t, s.TotalMatches)
	got, _ := call[GetRequestOutput](t, b, "get_request", map[string]any{"request_id": an.RequestID})
	require.Equal(t, an.Findings, got.Findings)
}

// TestGetRequestInMemory: without a database, get_request shows an
// analysis of this server again.
func TestGetRequestInMemory(t *testing.T) {
	t.Parallel()
	b := setup(t)
	an, _ := call[AnalyzeBuildOutput](t, b, "analyze_build", map[string]any{"path": testdata(t, "go-test.log"), "top": 2})
	got, text := call[GetRequestOutput](t, b, "get_request", map[string]any{"request_id": an.RequestID, "top": 2})
	require.Equal(t, an, got.AnalyzeBuildOutput)
	require.Nil(t, got.Progress)
	require.Contains(t, text, "Build failed")
	one, _ := call[GetRequestOutput](t, b, "get_request", map[string]any{"request_id": an.RequestID, "top": 1})
	require.Len(t, one.Findings, 1)
	msg := callErr(t, b, "get_request", map[string]any{"request_id": "r-000000000000"})
	require.Contains(t, msg, `unknown request_id "r-000000000000": it was never issued or was evicted`)
}

func TestRetriedJobs(t *testing.T) {
	t.Parallel()
	jobs := []analysis.JobSummary{
		{ID: "a1", Name: "unit", Step: "test", Failed: true, Attempt: 1, StartedAt: "2026-03-01T10:00:00Z"},
		{ID: "a2", Name: "unit", Step: "test", Failed: true, Attempt: 2, StartedAt: "2026-03-01T10:05:00Z", Analyzed: true},
		{ID: "b", Name: "lint", Step: "lint", Failed: true, StartedAt: "2026-03-01T10:00:00Z"},                   // no log: not retried
		{ID: "c1", Name: "e2e", Step: "e2e", Failed: true, Error: "410 gone", StartedAt: "2026-03-01T10:00:00Z"}, // its log expired
		{ID: "c2", Name: "e2e", Step: "e2e", Failed: true, Analyzed: true, StartedAt: "2026-03-01T10:09:00Z"},
		{ID: "d1", Name: "gh", Failed: true, StartedAt: "2026-03-01T10:00:00Z"},
		{ID: "d2", Name: "gh", Failed: true, Analyzed: true, StartedAt: "2026-03-01T10:01:00Z"},
	}
	var retried []string
	for _, j := range retriedJobs(jobs).Jobs {
		if j.Retried {
			retried = append(retried, j.ID)
		}
	}
	require.Equal(t, []string{"a1", "d1"}, retried)
}
