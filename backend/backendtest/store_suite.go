package backendtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/backend"
	"github.com/destill-dev/destill/providers"
)

// RunStoreSuite runs the store conformance tests against the stores
// newStore returns (each test gets its own).
func RunStoreSuite(t *testing.T, newStore func(t *testing.T) backend.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s backend.Store)
	}{
		{"CreateThenGet", storeCreateThenGet},
		{"CreateTwiceIsErrExists", storeCreateTwice},
		{"UnknownRequestIsErrNotFound", storeUnknown},
		{"StatusOnlyMovesForward", storeStatusForward},
		{"PlanAndProgress", storePlanAndProgress},
		{"OnlyChunksBelowTheirJobsCountCount", storeChunkAccounting},
		{"ChunkResultsRoundTrip", storeChunkRoundTrip},
		{"FinishStoresFindingsOnce", storeFinish},
		{"FailedIsFinal", storeFailedIsFinal},
		{"FindRequestsByURL", storeFind},
		{"ListRequestsNewestFirst", storeList},
		{"ConcurrentChunkSavesCountOnce", storeConcurrentChunks},
		{"TextSurvives", storeText},
		{"BaselinesRoundTrip", storeBaselines},
		{"HistoryByPipelineBranchAndVersion", storeHistory},
		{"UseAfterCloseFails", storeClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, newStore(t))
		})
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// checked holds a call's results until get fails the test on its error.
type checked[T any] struct {
	v   T
	err error
}

// must wraps the results of a call: must(s.GetRequest(ctx, id)).get(t).
func must[T any](v T, err error) checked[T] { return checked[T]{v, err} }

func (c checked[T]) get(t *testing.T) T {
	t.Helper()
	if c.err != nil {
		t.Fatal(c.err)
	}
	return c.v
}

func create(t *testing.T, s backend.Store, id, input string, at time.Time) {
	t.Helper()
	if err := s.CreateRequest(ctxT(t), backend.Request{ID: id, Input: input, CreatedAt: at}); err != nil {
		t.Fatalf("create %s: %v", id, err)
	}
}

// sampleReport analyzes a small log into a realistic report.
func sampleReport() analysis.Report {
	log := "Run go test ./...\n" +
		"=== RUN   TestParse\n" +
		"    parse_test.go:42: got \"ä\", want \"a\"\n" +
		"--- FAIL: TestParse (0.00s)\n" +
		"panic: runtime error: index out of range [3] with length 3\n" +
		"goroutine 7 [running]:\n" +
		"main.parse(...)\n" +
		"\t/src/parse.go:17 +0x1d\n" +
		"FAIL\tgithub.com/acme/api\t0.01s\n" +
		"ok  \tgithub.com/acme/api/internal\t0.02s\n" +
		"Error: Process completed with exit code 1.\n"
	a := analysis.NewAnalyzer(analysis.Options{})
	a.Write([]byte(log))
	res := a.Result()
	res.Job = analysis.JobSummary{ID: "job-1", Name: "test (ubuntu)", State: "failed", Failed: true, Analyzed: true}
	return analysis.Report{
		Schema:   analysis.Schema,
		Tool:     analysis.Tool{Name: "destill", Version: "test"},
		Source:   analysis.Origin{Kind: "github-actions", URL: "https://github.com/acme/api/actions/runs/1"},
		Jobs:     []analysis.JobSummary{res.Job},
		Findings: analysis.Rank([]analysis.JobResult{res}),
		Summary:  analysis.Summary{JobsTotal: 1, JobsFailed: 1, JobsAnalyzed: 1},
	}
}

// roundTrip is v as JSON would return it: what a store must give back.
func roundTrip[T any](t *testing.T, v T) T {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func storeCreateThenGet(t *testing.T, s backend.Store) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 891234567, time.FixedZone("x", 3600))
	opts := backend.AnalysisOptions{AllJobs: true, JobIDs: []string{"a", "b"}, ContextBefore: 5, ContextAfter: -1}
	err := s.CreateRequest(ctxT(t), backend.Request{ID: "r1", Input: "https://ci.example/b/1", Options: opts, CreatedAt: at, Status: backend.StatusDone})
	if err != nil {
		t.Fatal(err)
	}
	got := must(s.GetRequest(ctxT(t), "r1")).get(t)
	want := at.UTC().Truncate(time.Microsecond)
	if got.ID != "r1" || got.Input != "https://ci.example/b/1" || got.Status != backend.StatusQueued || !got.CreatedAt.Equal(want) || got.CreatedAt.Location() != time.UTC {
		t.Errorf("got %+v; want r1, its input, queued, created %v UTC", got, want)
	}
	if !reflect.DeepEqual(got.Options, opts) {
		t.Errorf("options %+v, want %+v", got.Options, opts)
	}
	if got.Progress != (backend.Progress{}) || got.Error != "" || got.BuildURL != "" {
		t.Errorf("new request has progress %+v error %q build URL %q", got.Progress, got.Error, got.BuildURL)
	}
	if got.UpdatedAt.Before(got.CreatedAt) {
		t.Errorf("updated %v before created %v", got.UpdatedAt, got.CreatedAt)
	}
	now := must(s.GetRequest(ctxT(t), "r1")).get(t)
	if !reflect.DeepEqual(now, got) {
		t.Errorf("two reads differ: %+v vs %+v", now, got)
	}
	if err := s.CreateRequest(ctxT(t), backend.Request{Input: "x"}); err == nil {
		t.Error("created a request without an ID")
	}
	create(t, s, "r2", "x", time.Time{})
	r2 := must(s.GetRequest(ctxT(t), "r2")).get(t)
	if time.Since(r2.CreatedAt) > time.Minute || time.Since(r2.CreatedAt) < 0 {
		t.Errorf("zero CreatedAt became %v, want now", r2.CreatedAt)
	}
}

func storeCreateTwice(t *testing.T, s backend.Store) {
	create(t, s, "r1", "a", time.Time{})
	err := s.CreateRequest(ctxT(t), backend.Request{ID: "r1", Input: "b"})
	if !errors.Is(err, backend.ErrExists) {
		t.Fatalf("second create: %v, want ErrExists", err)
	}
	if got := must(s.GetRequest(ctxT(t), "r1")).get(t); got.Input != "a" {
		t.Errorf("second create changed the input to %q", got.Input)
	}
}

func storeUnknown(t *testing.T, s backend.Store) {
	ctx := ctxT(t)
	check := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, backend.ErrNotFound) {
			t.Errorf("%s of an unknown request: %v, want ErrNotFound", what, err)
		}
	}
	_, err := s.GetRequest(ctx, "nope")
	check("GetRequest", err)
	_, err = s.SetStatus(ctx, "nope", backend.StatusFetching, "")
	check("SetStatus", err)
	_, err = s.PlanRequest(ctx, "nope", backend.Plan{Jobs: []string{"a"}})
	check("PlanRequest", err)
	_, err = s.Jobs(ctx, "nope")
	check("Jobs", err)
	_, err = s.SetJobChunks(ctx, "nope", "a", 1, "")
	check("SetJobChunks", err)
	_, err = s.SaveChunkResult(ctx, backend.ChunkResult{RequestID: "nope", JobID: "a"})
	check("SaveChunkResult", err)
	_, err = s.ChunkResults(ctx, "nope")
	check("ChunkResults", err)
	_, err = s.FinishRequest(ctx, "nope", analysis.Report{})
	check("FinishRequest", err)
	_, err = s.ListFindings(ctx, "nope")
	check("ListFindings", err)

	create(t, s, "r1", "x", time.Time{})
	must(s.PlanRequest(ctx, "r1", backend.Plan{Jobs: []string{"a"}})).get(t)
	_, err = s.SetJobChunks(ctx, "r1", "not-planned", 1, "")
	check("SetJobChunks of an unplanned job", err)
	if got := must(s.ListFindings(ctx, "r1")).get(t); len(got) != 0 {
		t.Errorf("new request has %d findings", len(got))
	}
	if found := must(s.FindRequests(ctx, "https://nowhere", 10)).get(t); len(found) != 0 {
		t.Errorf("FindRequests of an unknown URL found %d", len(found))
	}
}

func storeStatusForward(t *testing.T, s backend.Store) {
	ctx := ctxT(t)
	create(t, s, "r1", "x", time.Time{})
	steps := []struct {
		to    backend.Status
		moved bool
		now   backend.Status
	}{
		{backend.StatusFetching, true, backend.StatusFetching},
		{backend.StatusQueued, false, backend.StatusFetching},
		{backend.StatusFetching, false, backend.StatusFetching},
		{backend.StatusAnalyzing, true, backend.StatusAnalyzing},
		{backend.StatusFetching, false, backend.StatusAnalyzing},
		{backend.StatusFailed, true, backend.StatusFailed},
		{backend.StatusDone, false, backend.StatusFailed},
		{backend.StatusAnalyzing, false, backend.StatusFailed},
	}
	for _, st := range steps {
		moved := must(s.SetStatus(ctx, "r1", st.to, "fetch build: 404 not found")).get(t)
		got := must(s.GetRequest(ctx, "r1")).get(t)
		if moved != st.moved || got.Status != st.now {
			t.Errorf("to %s: moved %v, now %s; want %v, %s", st.to, moved, got.Status, st.moved, st.now)
		}
	}
	if got := must(s.GetRequest(ctx, "r1")).get(t); got.Error != "fetch build: 404 not found" {
		t.Errorf("failed request's error is %q", got.Error)
	}
	create(t, s, "r2", "x", time.Time{})
	must(s.SetStatus(ctx, "r2", backend.StatusAnalyzing, "ignored")).get(t)
	if got := must(s.GetRequest(ctx, "r2")).get(t); got.Error != "" {
		t.Errorf("error %q recorded for a status other than failed", got.Error)
	}
}

func storePlanAndProgress(t *testing.T, s backend.Store) {
	ctx := ctxT(t)
	create(t, s, "r1", "https://ci.example/b/1", time.Time{})
	rep := sampleReport()
	plan := backend.Plan{BuildURL: "https://ci.example/builds/1", Report: rep, Jobs: []string{"j3", "j1", "j2"},
		TestReports: []providers.TestReport{{JobID: "j1", Path: "junit.xml", Failed: []providers.TestCase{
			{Name: "TestParse", Classname: "parse", File: "parse_test.go", Message: "got ä", Details: "line 1\nline 2"},
		}}}}
	p := must(s.PlanRequest(ctx, "r1", plan)).get(t)
	want := backend.Progress{Planned: true, JobsSelected: 3}
	if p != want || p.Complete() {
		t.Fatalf("after plan: %+v (complete %v), want %+v", p, p.Complete(), want)
	}
	got := must(s.GetRequest(ctx, "r1")).get(t)
	header := roundTrip(t, rep)
	header.Findings = nil
	if !reflect.DeepEqual(got.Report, header) || got.BuildURL != plan.BuildURL {
		t.Errorf("planned report or build URL not stored: %q", got.BuildURL)
	}
	if !reflect.DeepEqual(got.TestReports, plan.TestReports) {
		t.Errorf("test reports %+v, want %+v", got.TestReports, plan.TestReports)
	}
	steps := []struct {
		what string
		do   func() (backend.Progress, error)
		want backend.Progress
	}{
		{"j1 has 2 chunks", func() (backend.Progress, error) { return s.SetJobChunks(ctx, "r1", "j1", 2, "") }, prog(3, 1, 2, 0)},
		{"j1 again (ignored)", func() (backend.Progress, error) { return s.SetJobChunks(ctx, "r1", "j1", 5, "") }, prog(3, 1, 2, 0)},
		{"chunk j1/0", func() (backend.Progress, error) { return s.SaveChunkResult(ctx, chunk("r1", "j1", 0)) }, prog(3, 1, 2, 1)},
		{"chunk j1/0 again", func() (backend.Progress, error) { return s.SaveChunkResult(ctx, chunk("r1", "j1", 0)) }, prog(3, 1, 2, 1)},
		{"chunk j2/0 before j2 is counted", func() (backend.Progress, error) { return s.SaveChunkResult(ctx, chunk("r1", "j2", 0)) }, prog(3, 1, 2, 2)},
		{"j2 unreadable", func() (backend.Progress, error) { return s.SetJobChunks(ctx, "r1", "j2", 1, "log expired") }, prog(3, 2, 3, 2)},
		{"re-plan", func() (backend.Progress, error) { return s.PlanRequest(ctx, "r1", plan) }, prog(3, 2, 3, 2)},
		{"chunk j1/1", func() (backend.Progress, error) { return s.SaveChunkResult(ctx, chunk("r1", "j1", 1)) }, prog(3, 2, 3, 3)},
		{"j3 empty log", func() (backend.Progress, error) { return s.SetJobChunks(ctx, "r1", "j3", 0, "") }, prog(3, 3, 3, 3)},
	}
	for _, st := range steps {
		p := must(st.do()).get(t)
		if p != st.want {
			t.Errorf("%s: progress %+v, want %+v", st.what, p, st.want)
		}
	}
	if !must(s.GetRequest(ctx, "r1")).get(t).Progress.Complete() {
		t.Error("every job fetched and every chunk stored, but the request is not complete")
	}
	jobs := must(s.Jobs(ctx, "r1")).get(t)
	wantJobs := []backend.JobPlan{{JobID: "j3", Chunks: 0}, {JobID: "j1", Chunks: 2}, {JobID: "j2", Chunks: 1, Error: "log expired"}}
	if !reflect.DeepEqual(jobs, wantJobs) {
		t.Errorf("jobs %+v, want %+v", jobs, wantJobs)
	}
	if _, err := s.SetJobChunks(ctx, "r1", "j1", -1, ""); err == nil {
		t.Error("negative chunk count accepted")
	}
}

// prog is the progress of a planned request.
func prog(selected, fetched, total, done int) backend.Progress {
	return backend.Progress{Planned: true, JobsSelected: selected, JobsFetched: fetched, ChunksTotal: total, ChunksDone: done}
}

// storeChunkAccounting: a log that failed part-way, or was read again
// after a crash, may leave chunks past the job's final count; a chunk may
// arrive before its job is planned. Done counts only what the merge uses.
func storeChunkAccounting(t *testing.T, s backend.Store) {
	ctx := ctxT(t)
	create(t, s, "r1", "x", time.Time{})
	steps := []struct {
		what string
		do   func() (backend.Progress, error)
		want backend.Progress
	}{
		{"chunk of a job not planned yet", func() (backend.Progress, error) { return s.SaveChunkResult(ctx, chunk("r1", "late", 0)) }, backend.Progress{}},
		{"plan a", func() (backend.Progress, error) { return s.PlanRequest(ctx, "r1", backend.Plan{Jobs: []string{"a"}}) }, prog(1, 0, 0, 0)},
		{"a/0", func() (backend.Progress, error) { return s.SaveChunkResult(ctx, chunk("r1", "a", 0)) }, prog(1, 0, 0, 1)},
		{"a/1", func() (backend.Progress, error) { return s.SaveChunkResult(ctx, chunk("r1", "a", 1)) }, prog(1, 0, 0, 2)},
		{"a/2", func() (backend.Progress, error) { return s.SaveChunkResult(ctx, chunk("r1", "a", 2)) }, prog(1, 0, 0, 3)},
		{"a failed after 2 chunks", func() (backend.Progress, error) { return s.SetJobChunks(ctx, "r1", "a", 2, "connection reset") }, prog(1, 1, 2, 2)},
		{"a/3 arrives late", func() (backend.Progress, error) { return s.SaveChunkResult(ctx, chunk("r1", "a", 3)) }, prog(1, 1, 2, 2)},
		{"plan late too", func() (backend.Progress, error) {
			return s.PlanRequest(ctx, "r1", backend.Plan{Jobs: []string{"a", "late"}})
		}, prog(2, 1, 2, 3)},
		{"late has 1 chunk", func() (backend.Progress, error) { return s.SetJobChunks(ctx, "r1", "late", 1, "") }, prog(2, 2, 3, 3)},
	}
	for _, st := range steps {
		p := must(st.do()).get(t)
		if p != st.want {
			t.Errorf("%s: progress %+v, want %+v", st.what, p, st.want)
		}
	}
	if p := must(s.GetRequest(ctx, "r1")).get(t).Progress; !p.Complete() {
		t.Errorf("progress %+v is not complete", p)
	}
}

func chunk(req, job string, seq int) backend.ChunkResult {
	return backend.ChunkResult{RequestID: req, JobID: job, Seq: seq, FirstLine: 1 + 100*seq,
		Result: analysis.JobResult{Lines: 100 * (seq + 1), Bytes: 4096}}
}

func storeChunkRoundTrip(t *testing.T, s backend.Store) {
	ctx := ctxT(t)
	create(t, s, "r1", "x", time.Time{})
	a := analysis.NewAnalyzer(analysis.Options{FirstLine: 201, OwnFrom: 211, OwnTo: 400})
	for i := range 200 {
		fmt.Fprintf(a, "##[group]step %d\nline %d ok\n", i, i)
		if i == 30 {
			fmt.Fprintf(a, "error: cannot find module 'left-pad' (ü, \"quoted\", \\ back)\n")
		}
	}
	res := a.Result()
	if len(res.Candidates) == 0 || len(res.Sections) == 0 {
		t.Fatal("fixture chunk found nothing")
	}
	in := []backend.ChunkResult{
		{RequestID: "r1", JobID: "b", Seq: 1, FirstLine: 211, Result: res},
		{RequestID: "r1", JobID: "a", Seq: 2, FirstLine: 3, Result: analysis.JobResult{Lines: 3}},
		{RequestID: "r1", JobID: "a", Seq: 0, FirstLine: 1, Result: analysis.JobResult{Lines: 1}},
		{RequestID: "r1", JobID: "B", Seq: 0, FirstLine: 1},
	}
	for _, c := range in {
		must(s.SaveChunkResult(ctx, c)).get(t)
	}
	got := must(s.ChunkResults(ctx, "r1")).get(t)
	want := roundTrip(t, []backend.ChunkResult{in[3], in[2], in[1], in[0]})
	if !reflect.DeepEqual(got, want) {
		t.Errorf("chunk results differ after a round trip (want ordered by job, byte order, then seq)\ngot  %+v\nwant %+v", got, want)
	}
}

func storeFinish(t *testing.T, s backend.Store) {
	ctx := ctxT(t)
	create(t, s, "r1", "x", time.Time{})
	rep := sampleReport()
	if len(rep.Findings) < 2 {
		t.Fatalf("sample report has %d findings, want at least 2", len(rep.Findings))
	}
	// A duplicate fingerprint keeps the first, like an upsert keyed by it.
	dup := rep.Findings[0]
	dup.Rank = 99
	dup.Message = "duplicate"
	withDup := rep
	withDup.Findings = append(append([]analysis.Finding(nil), rep.Findings...), dup)
	if !must(s.FinishRequest(ctx, "r1", withDup)).get(t) {
		t.Fatal("FinishRequest of a running request reported nothing done")
	}
	got := must(s.ListFindings(ctx, "r1")).get(t)
	if !reflect.DeepEqual(got, roundTrip(t, rep.Findings)) {
		t.Errorf("findings differ after a round trip:\ngot  %+v\nwant %+v", got, rep.Findings)
	}
	r := must(s.GetRequest(ctx, "r1")).get(t)
	header := roundTrip(t, rep)
	header.Findings = nil
	if r.Status != backend.StatusDone || !reflect.DeepEqual(r.Report, header) {
		t.Errorf("finished request: status %s, report stored: %v", r.Status, reflect.DeepEqual(r.Report, header))
	}
	other := rep
	other.Findings = rep.Findings[:1]
	if must(s.FinishRequest(ctx, "r1", other)).get(t) {
		t.Error("a done request was finished again")
	}
	if n := len(must(s.ListFindings(ctx, "r1")).get(t)); n != len(rep.Findings) {
		t.Errorf("finishing again changed the findings: %d, want %d", n, len(rep.Findings))
	}
	if must(s.SetStatus(ctx, "r1", backend.StatusFailed, "late failure")).get(t) {
		t.Error("a done request moved to failed")
	}
	list := must(s.ListRequests(ctx, 10)).get(t)
	if len(list) != 1 || list[0].Findings != len(rep.Findings) || list[0].Top == nil || !reflect.DeepEqual(*list[0].Top, roundTrip(t, rep.Findings[0])) {
		t.Errorf("list summary: %+v", list)
	}
}

func storeFailedIsFinal(t *testing.T, s backend.Store) {
	ctx := ctxT(t)
	create(t, s, "r1", "x", time.Time{})
	must(s.SetStatus(ctx, "r1", backend.StatusFailed, "chunk 3 of job a: dead-lettered")).get(t)
	if must(s.FinishRequest(ctx, "r1", sampleReport())).get(t) {
		t.Error("a failed request was finished")
	}
	if n := len(must(s.ListFindings(ctx, "r1")).get(t)); n != 0 {
		t.Errorf("failed request has %d findings", n)
	}
}

func storeFind(t *testing.T, s backend.Store) {
	ctx := ctxT(t)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	create(t, s, "r1", "https://ci.example/b/1", base)
	create(t, s, "r2", "https://ci.example/b/1", base.Add(2*time.Second))
	create(t, s, "r3", "https://ci.example/b/1?short", base.Add(time.Second))
	create(t, s, "r4", "https://ci.example/b/2", base.Add(3*time.Second))
	must(s.PlanRequest(ctx, "r3", backend.Plan{BuildURL: "https://ci.example/b/1"})).get(t)
	ids := func(rs []backend.Request) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	if got := ids(must(s.FindRequests(ctx, "https://ci.example/b/1", 10)).get(t)); fmt.Sprint(got) != "[r2 r3 r1]" {
		t.Errorf("by input or build URL: %v, want [r2 r3 r1]", got)
	}
	if got := ids(must(s.FindRequests(ctx, "https://ci.example/b/1", 1)).get(t)); fmt.Sprint(got) != "[r2]" {
		t.Errorf("limit 1: %v, want [r2]", got)
	}
	if got := ids(must(s.FindRequests(ctx, "", 10)).get(t)); len(got) != 0 {
		t.Errorf("empty URL found %v", got)
	}
}

func storeList(t *testing.T, s backend.Store) {
	ctx := ctxT(t)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, id := range []string{"a", "b", "c", "d"} {
		create(t, s, id, "x", base.Add(time.Duration(i%3)*time.Second))
	}
	list := must(s.ListRequests(ctx, 3)).get(t)
	var got []string
	for _, r := range list {
		got = append(got, r.ID)
		if r.Top != nil || r.Findings != 0 {
			t.Errorf("%s has findings before it is done", r.ID)
		}
	}
	// c is newest; a and d share a time, the greater ID first.
	if fmt.Sprint(got) != "[c b d]" {
		t.Errorf("newest 3: %v, want [c b d]", got)
	}
	if n := len(must(s.ListRequests(ctx, 0)).get(t)); n != 4 {
		t.Errorf("limit 0 listed %d, want all 4", n)
	}
}

func storeConcurrentChunks(t *testing.T, s backend.Store) {
	ctx := ctxT(t)
	create(t, s, "r1", "x", time.Time{})
	const jobs, chunks, workers = 4, 10, 8
	var ids []string
	for j := range jobs {
		ids = append(ids, fmt.Sprintf("j%d", j))
	}
	must(s.PlanRequest(ctx, "r1", backend.Plan{Jobs: ids})).get(t)
	var completions atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers*jobs*chunks*2)
	// wrote counts a write that saw the request complete; false on error.
	wrote := func(p backend.Progress, err error) bool {
		if err != nil {
			errs <- err
			return false
		}
		if p.Complete() {
			completions.Add(1)
		}
		return true
	}
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Every chunk is saved by two workers, every count set by all.
			for j := range jobs {
				for c := range chunks {
					if (c+j+w)%(workers/2) != 0 {
						continue
					}
					if !wrote(s.SaveChunkResult(ctx, chunk("r1", ids[j], c))) {
						return
					}
				}
				if !wrote(s.SetJobChunks(ctx, "r1", ids[j], chunks, "")) {
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	p := must(s.GetRequest(ctx, "r1")).get(t).Progress
	want := backend.Progress{Planned: true, JobsSelected: jobs, JobsFetched: jobs, ChunksTotal: jobs * chunks, ChunksDone: jobs * chunks}
	if p != want {
		t.Errorf("progress %+v, want %+v", p, want)
	}
	if completions.Load() == 0 {
		t.Error("no writer saw the request complete: nobody would merge its findings")
	}
	if n := len(must(s.ChunkResults(ctx, "r1")).get(t)); n != jobs*chunks {
		t.Errorf("%d chunk results stored, want %d", n, jobs*chunks)
	}
}

func storeText(t *testing.T, s backend.Store) {
	ctx := ctxT(t)
	in := "https://ci.example/b/ü?x=\"1\"&y=<2>"
	create(t, s, "r1", in, time.Time{})
	rep := sampleReport()
	rep.Findings[0].Text = append(rep.Findings[0].Text, "nul \x00 byte", "tab\tand emoji 🙂", `back\slash`)
	rep.Notes = []string{"note with 'quotes' and \"double\""}
	must(s.FinishRequest(ctx, "r1", rep)).get(t)
	got := must(s.ListFindings(ctx, "r1")).get(t)
	if !reflect.DeepEqual(got, roundTrip(t, rep.Findings)) {
		t.Errorf("text changed in the store:\ngot  %q\nwant %q", got[0].Text, rep.Findings[0].Text)
	}
	r := must(s.GetRequest(ctx, "r1")).get(t)
	if r.Input != in || !reflect.DeepEqual(r.Report.Notes, rep.Notes) {
		t.Errorf("input %q notes %q", r.Input, r.Report.Notes)
	}
}

func storeClosed(t *testing.T, s backend.Store) {
	create(t, s, "r1", "x", time.Time{})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := s.GetRequest(ctxT(t), "r1"); !errors.Is(err, backend.ErrClosed) {
		t.Errorf("GetRequest after Close: %v, want ErrClosed", err)
	}
}

func storeBaselines(t *testing.T, s backend.Store) {
	ctx := ctxT(t)
	if _, err := s.LoadBaseline(ctx, "missing"); !errors.Is(err, backend.ErrNotFound) {
		t.Fatalf("LoadBaseline(missing) error = %v, want ErrNotFound", err)
	}
	model := []byte{1, 0, 2, 0xff, 0, 'x'}
	if err := s.SaveBaseline(ctx, "github|acme/api|CI|test", model); err != nil {
		t.Fatal(err)
	}
	got, err := s.LoadBaseline(ctx, "github|acme/api|CI|test")
	if err != nil || string(got) != string(model) {
		t.Fatalf("LoadBaseline = %v, %v; want the bytes saved", got, err)
	}
	if err := s.SaveBaseline(ctx, "github|acme/api|CI|test", []byte("newer")); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.LoadBaseline(ctx, "github|acme/api|CI|test"); string(got) != "newer" {
		t.Fatalf("after saving again LoadBaseline = %q, want the newer model", got)
	}
}
