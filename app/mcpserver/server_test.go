package mcpserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/pipeline"
	"github.com/destill-dev/destill/app/sources"
	"github.com/destill-dev/destill/providers"
)

// testBundle is a server connected to a client over the SDK's in-memory
// transports.
type testBundle struct {
	srv     *Server
	store   *RecentRequests
	session *mcp.ClientSession
	tmp     string
	// fakes maps URLs to sources for the fake resolver; other arguments go
	// to sources.Resolve.
	fakes map[string]sources.Input
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	return setupWith(t, Options{})
}

func setupWith(t *testing.T, opts Options) *testBundle {
	t.Helper()
	b := &testBundle{tmp: t.TempDir(), fakes: map[string]sources.Input{}}
	if opts.Requests == nil {
		b.store = NewRecentRequests(4, 0)
		opts.Requests = b.store
	}
	opts.TempDir = b.tmp
	if opts.AllowedDirs == nil {
		// Tests read logs from testdata and from their own temporary
		// directories.
		dirs, err := AllowedDirs([]string{"testdata", os.TempDir()})
		require.NoError(t, err)
		opts.AllowedDirs = dirs
	}
	if opts.Getenv == nil {
		// No environment: URLs added with addFake resolve to their fake
		// sources, anything else as sources.Resolve would.
		opts.Getenv = func(string) string { return "" }
		opts.ResolveFunc = func(arg string) (sources.Input, error) {
			if in, ok := b.fakes[arg]; ok {
				return in, nil
			}
			return sources.Resolve(arg, sources.Config{Getenv: opts.Getenv})
		}
	} // else the server resolves as in production, with opts.Getenv
	b.srv = New(&mcp.Implementation{Name: "destill", Version: "test"}, opts)

	ctx := context.Background()
	clientT, serverT := mcp.NewInMemoryTransports()
	ss, err := b.srv.MCP().Connect(ctx, serverT, nil) // the server first, then the client
	require.NoError(t, err)
	client := mcp.NewClient(&mcp.Implementation{Name: "test-client", Version: "v0"}, nil)
	b.session, err = client.Connect(ctx, clientT, nil)
	require.NoError(t, err)
	t.Cleanup(func() {
		b.session.Close()
		ss.Wait()
		require.NoError(t, b.srv.Close())
	})
	return b
}

// call calls a tool that must succeed and decodes its structured content.
func call[Out any](t *testing.T, b *testBundle, name string, args any) (Out, string) {
	t.Helper()
	res, err := b.session.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: args})
	require.NoError(t, err)
	text := resultText(res)
	require.False(t, res.IsError, "%s failed: %s", name, text)
	var out Out
	raw, err := json.Marshal(res.StructuredContent)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &out))
	return out, text
}

// callErr calls a tool that must fail with a tool error and returns its text.
func callErr(t *testing.T, b *testBundle, name string, args any) string {
	t.Helper()
	res, err := b.session.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: args})
	require.NoError(t, err, "a tool failure must be a tool error, not a protocol error")
	text := resultText(res)
	require.True(t, res.IsError, "%s succeeded: %s", name, text)
	require.NotContains(t, text, "\n", "errors are one line")
	return text
}

func resultText(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
}

func testdata(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", name))
	require.NoError(t, err)
	return p
}

// fakeSource is a build with jobs whose logs are strings.
type fakeSource struct {
	build    providers.Build
	logs     map[string]string
	errs     map[string]error
	buildErr error
}

func (f *fakeSource) Build(ctx context.Context) (providers.Build, error) {
	return f.build, f.buildErr
}

func (f *fakeSource) OpenLog(ctx context.Context, job providers.Job) (io.ReadCloser, error) {
	if err := f.errs[job.ID]; err != nil {
		return nil, err
	}
	return io.NopCloser(strings.NewReader(f.logs[job.ID])), nil
}

func exit(n int) *int { return &n }

// fakeBuild is a three-job build: unit and lint failed, docs passed.
func fakeBuild(t *testing.T) *fakeSource {
	t.Helper()
	goTest, err := os.ReadFile(testdata(t, "go-test.log"))
	require.NoError(t, err)
	secrets, err := os.ReadFile(testdata(t, "secrets.log"))
	require.NoError(t, err)
	start := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	return &fakeSource{
		build: providers.Build{
			Provider: providers.KindGitHubActions, ID: "987", Number: 42, Pipeline: "acme/api/ci", State: "failure",
			Branch: "main", Commit: "0123456789abcdef0123", URL: "https://ci.example/acme/api/runs/987",
			Jobs: []providers.Job{
				{ID: "1", Name: "unit (ubuntu)", Step: "test", State: providers.JobFailed, ExitStatus: exit(1), HasLog: true,
					StartedAt: start, FinishedAt: start.Add(95 * time.Second)},
				{ID: "2", Name: "deploy-check", Step: "deploy", State: providers.JobFailed, ExitStatus: exit(1), HasLog: true,
					StartedAt: start, FinishedAt: start.Add(4 * time.Second)},
				{ID: "3", Name: "docs", Step: "docs", State: providers.JobPassed, ExitStatus: exit(0), HasLog: true},
			},
		},
		logs: map[string]string{"1": string(goTest), "2": string(secrets), "3": "building docs\ndone\n"},
	}
}

const fakeURL = "https://ci.example/acme/api/runs/987"

// envSecret is a token the fake build's input declares: it appears in the
// deploy-check log and must never appear in a tool result.
const envSecret = "env-secret-value-42"

func (b *testBundle) addFake(url string, src pipeline.Source) {
	b.fakes[url] = sources.Input{Source: src, Describe: analysis.Origin{Kind: "github-actions", URL: url}, Secrets: []string{envSecret}}
}

func TestAnalyzeBuildLocalFile(t *testing.T) {
	t.Parallel()
	b := setup(t)
	path := testdata(t, "go-test.log")
	out, text := call[AnalyzeBuildOutput](t, b, "analyze_build", map[string]any{"path": path})

	// The same pipeline as `destill analyze`.
	in, err := sources.Resolve(path, sources.Config{})
	require.NoError(t, err)
	rep, err := pipeline.Run(context.Background(), in.Source, pipeline.Options{}, nil)
	require.NoError(t, err)

	require.Equal(t, statusFailed, out.Status)
	require.NotEmpty(t, out.RequestID)
	require.Equal(t, analysis.Summary{JobsTotal: 1, JobsFailed: 1, JobsAnalyzed: 1, Findings: len(rep.Findings)}, out.Summary)
	require.Len(t, out.FailedJobs, 1)
	require.Equal(t, "go-test.log", out.FailedJobs[0].Name)
	require.Equal(t, 95, out.FailedJobs[0].LogLines)
	require.NotEmpty(t, out.Findings)
	top, want := out.Findings[0], rep.Findings[0]
	require.Equal(t, want.Fingerprint, top.Fingerprint)
	require.Equal(t, 1, top.Rank)
	require.Equal(t, want.LineStart, top.LineStart)
	require.Equal(t, want.LineEnd, top.LineEnd)
	require.Equal(t, want.Message, top.Message)
	require.Equal(t, want.Text, top.Text)
	require.Equal(t, want.ContextBefore, top.ContextBefore)
	require.Contains(t, top.Message, "--- FAIL: TestUploadRetry", "the failed test explains this log")
	require.Equal(t, len(rep.Findings)-len(out.Findings), out.FindingsOmitted)

	require.Contains(t, text, "Build failed")
	require.Contains(t, text, out.RequestID)
	require.Contains(t, text, fmt.Sprintf(">%6d| %s", top.LineStart, top.Text[0]))
	require.Contains(t, text, "fingerprint "+top.Fingerprint)
	require.Equal(t, 1, b.store.Len())
}

func TestAnalyzeBuildFieldNamesFollowTheJSONContract(t *testing.T) {
	t.Parallel()
	b := setup(t)
	res, err := b.session.CallTool(context.Background(), &mcp.CallToolParams{Name: "analyze_build", Arguments: map[string]any{"path": testdata(t, "go-test.log")}})
	require.NoError(t, err)
	raw, err := json.Marshal(res.StructuredContent)
	require.NoError(t, err)
	var got struct {
		Findings []map[string]any `json:"findings"`
	}
	require.NoError(t, json.Unmarshal(raw, &got))
	require.NotEmpty(t, got.Findings)

	// Every field of a brief finding is a field of destill.findings/v1.
	contract, err := json.Marshal(analysis.Finding{Step: "s", URL: "u", Jobs: []analysis.FindingJob{{}}, AlsoInPassingJobs: true})
	require.NoError(t, err)
	var fields map[string]any
	require.NoError(t, json.Unmarshal(contract, &fields))
	for k := range got.Findings[0] {
		if k == "jobs_affected" {
			continue // a count of the contract's jobs[]
		}
		require.Contains(t, fields, k)
	}
	for _, k := range []string{"rank", "fingerprint", "confidence", "reasons", "job_id", "job_name", "line_start", "line_end", "message", "context_before", "context_after"} {
		require.Contains(t, got.Findings[0], k)
	}
}

func TestAnalyzeBuildFakeBuild(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.addFake(fakeURL, fakeBuild(t))
	out, text := call[AnalyzeBuildOutput](t, b, "analyze_build", map[string]any{"url": fakeURL})
	require.Equal(t, statusFailed, out.Status)
	require.Equal(t, analysis.Summary{JobsTotal: 3, JobsFailed: 2, JobsAnalyzed: 2, Findings: out.Summary.Findings}, out.Summary)
	require.Len(t, out.FailedJobs, 2)
	require.NotNil(t, out.Source.Build)
	require.Equal(t, "failure", out.Source.Build.State)
	require.Contains(t, text, `failed jobs: "unit (ubuntu)" failed (exit 1); "deploy-check" failed (exit 1)`)
	require.Equal(t, "unit (ubuntu)", out.Findings[0].JobName)
}

func TestAnalyzeBuildJobsFilter(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.addFake(fakeURL, fakeBuild(t))

	out, _ := call[AnalyzeBuildOutput](t, b, "analyze_build", map[string]any{"url": fakeURL, "jobs": []string{"DEPLOY"}})
	require.Equal(t, 1, out.Summary.JobsAnalyzed)
	for _, f := range out.Findings {
		require.Equal(t, "deploy-check", f.JobName)
	}

	// Naming a passed job analyzes it; the build still failed.
	out, _ = call[AnalyzeBuildOutput](t, b, "analyze_build", map[string]any{"url": fakeURL, "jobs": []string{"docs"}})
	require.Equal(t, 1, out.Summary.JobsAnalyzed)
	require.Equal(t, statusFailed, out.Status)

	msg := callErr(t, b, "analyze_build", map[string]any{"url": fakeURL, "jobs": []string{"integration"}})
	require.Contains(t, msg, `no job matches "integration"`)
	require.Contains(t, msg, `"unit (ubuntu)" (failed)`)
}

func TestAnalyzeBuildPassed(t *testing.T) {
	t.Parallel()
	b := setup(t)
	src := fakeBuild(t)
	src.build.State = "success"
	for i := range src.build.Jobs {
		src.build.Jobs[i].State, src.build.Jobs[i].ExitStatus = providers.JobPassed, exit(0)
	}
	b.addFake(fakeURL, src)
	out, text := call[AnalyzeBuildOutput](t, b, "analyze_build", map[string]any{"url": fakeURL})
	require.Equal(t, statusPassed, out.Status)
	require.Empty(t, out.Findings)
	require.Empty(t, out.FailedJobs)
	require.Equal(t, 3, out.Summary.JobsTotal)
	require.Contains(t, text, "Build passed")
	require.Contains(t, text, "No job failed")

	// The request is kept: list_jobs works on it.
	jobs, _ := call[ListJobsOutput](t, b, "list_jobs", map[string]any{"request_id": out.RequestID})
	require.Len(t, jobs.Jobs, 3)
	msg := callErr(t, b, "read_log", map[string]any{"request_id": out.RequestID})
	require.Contains(t, msg, "the build passed")
}

func TestAnalyzeBuildNeverPassesABuildItCouldNotRead(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		mutate func(*fakeSource)
		want   string
		also   string
	}{
		"no log readable": {
			mutate: func(f *fakeSource) {
				f.errs = map[string]error{"1": errors.New("download log: 410 Gone: logs expired"), "2": errors.New("download log: 500 Internal Server Error")}
			},
			want: "no job log could be read: download log: ",
			also: "; the build was not analyzed",
		},
		"build not found": {
			mutate: func(f *fakeSource) {
				f.buildErr = errors.New("github actions: run 987 not found (404): check the URL, and that GITHUB_TOKEN can read acme/api")
			},
			want: "run 987 not found (404): check the URL, and that GITHUB_TOKEN can read acme/api",
		},
		"missing token": {
			mutate: func(f *fakeSource) {
				f.buildErr = errors.New("github actions needs a token: set GITHUB_TOKEN (or GH_TOKEN)")
			},
			want: "set GITHUB_TOKEN",
		},
		"failed jobs never ran": {
			mutate: func(f *fakeSource) {
				f.build.Jobs = f.build.Jobs[2:] // only docs, passed...
				f.build.Jobs = append(f.build.Jobs, providers.Job{ID: "4", Name: "e2e", State: providers.JobFailed})
			},
		},
		"still running": {
			mutate: func(f *fakeSource) {
				f.build.Running = true
				f.build.State = "in_progress"
				for i := range f.build.Jobs {
					f.build.Jobs[i].State = providers.JobRunning
				}
			},
			want: "build is still running and no job has failed yet; try again when it finishes",
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			src := fakeBuild(t)
			tc.mutate(src)
			b.addFake(fakeURL, src)
			if tc.want == "" {
				out, text := call[AnalyzeBuildOutput](t, b, "analyze_build", map[string]any{"url": fakeURL})
				require.Equal(t, statusFailed, out.Status)
				require.Contains(t, strings.Join(out.Notes, " "), `no failed job has a log to read: "e2e" (failed)`)
				require.NotContains(t, text, "passed:")
				return
			}
			msg := callErr(t, b, "analyze_build", map[string]any{"url": fakeURL})
			require.Contains(t, msg, tc.want)
			require.Contains(t, msg, tc.also)
			require.NotContains(t, strings.ToLower(msg), "passed")
			require.Equal(t, 0, b.store.Len())
			requireNoKeptLogs(t, b.tmp)
		})
	}
}

func TestAnalyzeBuildInputErrors(t *testing.T) {
	t.Parallel()
	b := setup(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args map[string]any
		want string
	}{
		{"nothing", map[string]any{}, "give url (a CI build URL) or path (a log file on this machine)"},
		{"both", map[string]any{"url": fakeURL, "path": "/tmp/x.log"}, "give either url or path, not both"},
		{"url is a path", map[string]any{"url": "/var/log/build.log"}, "is not an http(s) build URL; for a log file on this machine, pass it as path"},
		{"path is a url", map[string]any{"path": fakeURL}, "is a URL; pass it as url"},
		{"relative path", map[string]any{"path": "build.log"}, `path "build.log" is relative`},
		{"stdin", map[string]any{"path": "-"}, "standard input"},
		{"missing file", map[string]any{"path": filepath.Join(dir, "nope.log")}, "nope.log does not exist; check the path"},
		{"directory", map[string]any{"path": dir}, "is a directory; pass a log file"},
		{"unsupported url", map[string]any{"url": "https://example.com/not/a/build"}, "cannot read https://example.com/not/a/build"},
		{"top out of range", map[string]any{"path": "/x.log", "top": 500}, "top"},
		{"unknown argument", map[string]any{"path": "/x.log", "verbose": true}, "verbose"},
		{"wrong type", map[string]any{"path": "/x.log", "jobs": "unit"}, "jobs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := callErr(t, b, "analyze_build", tc.args)
			require.Contains(t, msg, tc.want)
		})
	}
	require.Equal(t, 0, b.store.Len())
	requireNoKeptLogs(t, b.tmp)
}

// blockingSource blocks in OpenLog until the request's context is done.
type blockingSource struct {
	opened  chan struct{}
	stopped chan struct{}
}

func (s *blockingSource) Build(ctx context.Context) (providers.Build, error) {
	return providers.Build{Provider: providers.KindBuildkite, State: "failed", Jobs: []providers.Job{
		{ID: "a", Name: "slow", State: providers.JobFailed, HasLog: true},
		{ID: "b", Name: "slower", State: providers.JobFailed, HasLog: true},
	}}, nil
}

func (s *blockingSource) OpenLog(ctx context.Context, job providers.Job) (io.ReadCloser, error) {
	s.opened <- struct{}{}
	<-ctx.Done()
	s.stopped <- struct{}{}
	return nil, ctx.Err()
}

func TestAnalyzeBuildCancelStopsDownloads(t *testing.T) {
	t.Parallel()
	b := setup(t)
	src := &blockingSource{opened: make(chan struct{}, 2), stopped: make(chan struct{}, 2)}
	b.addFake(fakeURL, src)

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := b.session.CallTool(ctx, &mcp.CallToolParams{Name: "analyze_build", Arguments: map[string]any{"url": fakeURL}})
		errc <- err
	}()
	for range 2 {
		select {
		case <-src.opened:
		case <-time.After(10 * time.Second):
			t.Fatal("the downloads never started")
		}
	}
	cancel() // the client sends notifications/cancelled
	require.ErrorIs(t, <-errc, context.Canceled)
	for range 2 {
		select {
		case <-src.stopped:
		case <-time.After(10 * time.Second):
			t.Fatal("a download kept going after the request was cancelled")
		}
	}
	require.Eventually(t, func() bool { return noKeptLogs(b.tmp) }, 10*time.Second, 10*time.Millisecond)
	require.Equal(t, 0, b.store.Len())

	// The server is still serving.
	_, _ = call[AnalyzeBuildOutput](t, b, "analyze_build", map[string]any{"path": testdata(t, "go-test.log")})
}

func TestAnalyzeBuildProgress(t *testing.T) {
	t.Parallel()
	b := setupWith(t, Options{})
	var mu sync.Mutex
	var got []*mcp.ProgressNotificationParams
	client := mcp.NewClient(&mcp.Implementation{Name: "progress-client", Version: "v0"}, &mcp.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, req *mcp.ProgressNotificationClientRequest) {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, req.Params)
		},
	})
	clientT, serverT := mcp.NewInMemoryTransports()
	ss, err := b.srv.MCP().Connect(context.Background(), serverT, nil)
	require.NoError(t, err)
	cs, err := client.Connect(context.Background(), clientT, nil)
	require.NoError(t, err)
	defer func() { cs.Close(); ss.Wait() }()
	b.addFake(fakeURL, fakeBuild(t))

	params := &mcp.CallToolParams{Name: "analyze_build", Arguments: map[string]any{"url": fakeURL}}
	params.SetProgressToken("tok-1")
	res, err := cs.CallTool(context.Background(), params)
	require.NoError(t, err)
	require.False(t, res.IsError, resultText(res))
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) > 0
	}, 5*time.Second, 10*time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	last := -1.0
	for _, p := range got {
		require.Equal(t, "tok-1", p.ProgressToken)
		require.Greater(t, p.Progress, last, "progress must grow")
		require.Equal(t, 2.0, p.Total)
		last = p.Progress
	}
}

func TestGetFinding(t *testing.T) {
	t.Parallel()
	b := setup(t)
	an, _ := call[AnalyzeBuildOutput](t, b, "analyze_build", map[string]any{"path": testdata(t, "go-test.log")})
	top := an.Findings[0]

	goTest, err := os.ReadFile(testdata(t, "go-test.log"))
	require.NoError(t, err)
	raw := strings.Split(strings.TrimSuffix(string(goTest), "\n"), "\n")
	lines := func(from, to int) []string { // cleaned, 1-based, inclusive
		var out []string
		for n := max(from, 1); n <= min(to, len(raw)); n++ {
			out = append(out, analysis.Clean(raw[n-1]).Text)
		}
		return out
	}

	out, text := call[GetFindingOutput](t, b, "get_finding", map[string]any{"request_id": an.RequestID, "fingerprint": top.Fingerprint, "context": 20})
	f := out.Finding
	require.Equal(t, top.Fingerprint, f.Fingerprint)
	require.Equal(t, 95, out.LogLines)
	require.Equal(t, lines(f.LineStart, f.LineEnd), f.Text)
	require.Equal(t, lines(f.LineStart-20, f.LineStart-1), f.ContextBefore)
	require.Equal(t, lines(f.LineEnd+1, f.LineEnd+20), f.ContextAfter)
	require.Len(t, f.ContextBefore, 20)
	require.Equal(t, []int{top.LineStart}, f.Lines)
	require.Contains(t, text, "1 occurrence(s)")
	require.Contains(t, text, fmt.Sprintf("%6d| ", f.LineStart-20))

	// The default context, a prefix of the fingerprint, all occurrences.
	var repeated FindingBrief
	for _, fb := range an.Findings {
		if fb.Occurrences > 1 {
			repeated = fb
		}
	}
	require.NotEmpty(t, repeated.Fingerprint)
	out, text = call[GetFindingOutput](t, b, "get_finding", map[string]any{"request_id": an.RequestID, "fingerprint": repeated.Fingerprint[:8]})
	require.Len(t, out.Finding.ContextBefore, defaultFindingContext)
	require.Equal(t, repeated.Occurrences, out.Finding.Occurrences)
	require.Len(t, out.Finding.Lines, repeated.Occurrences)
	require.Contains(t, text, fmt.Sprintf("%d at line(s) %d, %d", repeated.Occurrences, out.Finding.Lines[0], out.Finding.Lines[1]))

	msg := callErr(t, b, "get_finding", map[string]any{"request_id": an.RequestID, "fingerprint": "ffffffffffff"})
	require.Contains(t, msg, `no finding has fingerprint "ffffffffffff"; this request's findings are #1 `+top.Fingerprint)
	msg = callErr(t, b, "get_finding", map[string]any{"request_id": "r-nope", "fingerprint": top.Fingerprint})
	require.Contains(t, msg, `unknown request_id "r-nope"`)
	require.Contains(t, msg, "run analyze_build again")
	msg = callErr(t, b, "get_finding", map[string]any{"request_id": an.RequestID, "fingerprint": top.Fingerprint, "context": 1000})
	require.Contains(t, msg, "context")
}

func TestSearchLog(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.addFake(fakeURL, fakeBuild(t))
	an, _ := call[AnalyzeBuildOutput](t, b, "analyze_build", map[string]any{"url": fakeURL})
	id := an.RequestID

	out, text := call[SearchLogOutput](t, b, "search_log", map[string]any{"request_id": id, "regex": `--- FAIL`, "before": 1, "after": 2})
	require.Equal(t, 1, out.TotalMatches)
	require.Len(t, out.Matches, 1)
	m := out.Matches[0]
	require.Equal(t, Match{JobID: "1", JobName: "unit (ubuntu)", Line: 78, Text: "--- FAIL: TestUploadRetry (0.31s)",
		ContextBefore: []string{"    retry_test.go:88: got 2 attempts, want 3"},
		ContextAfter:  []string{"=== RUN   TestUploadLargeFile", "--- PASS: TestUploadLargeFile (1.02s)"}}, m)
	require.Equal(t, 95+37, out.LinesSearched, "both failed jobs' logs")
	require.Contains(t, text, ">    78| --- FAIL: TestUploadRetry (0.31s)")

	// Across jobs, case-insensitive, with a limit.
	out, text = call[SearchLogOutput](t, b, "search_log", map[string]any{"request_id": id, "regex": "connection (reset|refused)", "ignore_case": true, "limit": 3})
	require.Equal(t, 4, out.TotalMatches)
	require.Len(t, out.Matches, 3)
	require.Contains(t, text, "4 line(s) of 132 match")
	require.Contains(t, text, "the first 3 shown")

	// One job, by a part of its name.
	out, _ = call[SearchLogOutput](t, b, "search_log", map[string]any{"request_id": id, "regex": "refused", "job": "deploy"})
	require.Equal(t, 2, out.TotalMatches)
	require.Equal(t, []int{33, 35}, []int{out.Matches[0].Line, out.Matches[1].Line})

	msg := callErr(t, b, "search_log", map[string]any{"request_id": id, "regex": "TestUpload("})
	require.Contains(t, msg, "invalid regex: error parsing regexp: missing closing ): `TestUpload(`; it is Go RE2 syntax")
	msg = callErr(t, b, "search_log", map[string]any{"request_id": id, "regex": "x", "job": "docs"})
	require.Contains(t, msg, `the log of job "docs" (passed) was not downloaded`)
	require.Contains(t, msg, `jobs: ["docs"]`)
	msg = callErr(t, b, "search_log", map[string]any{"request_id": id, "regex": "x", "job": "integration"})
	require.Contains(t, msg, `no job of request `+id+` matches "integration"; jobs with a log: "unit (ubuntu)", "deploy-check"`)
	msg = callErr(t, b, "search_log", map[string]any{"request_id": "", "regex": "x"})
	require.Contains(t, msg, "request_id")
}

func TestReadLog(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.addFake(fakeURL, fakeBuild(t))
	an, _ := call[AnalyzeBuildOutput](t, b, "analyze_build", map[string]any{"url": fakeURL})
	id := an.RequestID
	goTest, err := os.ReadFile(testdata(t, "go-test.log"))
	require.NoError(t, err)
	raw := strings.Split(strings.TrimSuffix(string(goTest), "\n"), "\n")

	out, text := call[ReadLogOutput](t, b, "read_log", map[string]any{"request_id": id, "job": "unit", "from_line": 70, "count": 10})
	require.Equal(t, "1", out.JobID)
	require.Equal(t, 70, out.FromLine)
	require.Equal(t, 79, out.ToLine)
	require.Equal(t, 95, out.TotalLines)
	require.Equal(t, 80, out.Next)
	require.Len(t, out.Lines, 10)
	for i, l := range out.Lines {
		require.Equal(t, 70+i, l.Line)
		require.Equal(t, analysis.Clean(raw[69+i]).Text, l.Text)
	}
	require.Contains(t, text, "     78| --- FAIL: TestUploadRetry (0.31s)")
	require.Contains(t, text, "continue with from_line 80")

	// The tail.
	out, text = call[ReadLogOutput](t, b, "read_log", map[string]any{"request_id": id, "job": "1", "from_line": -5})
	require.Equal(t, 91, out.FromLine)
	require.Equal(t, 95, out.ToLine)
	require.Zero(t, out.Next)
	require.Contains(t, text, "(end of log)")

	msg := callErr(t, b, "read_log", map[string]any{"request_id": id, "job": "unit", "from_line": 96})
	require.Contains(t, msg, `from_line 96 is past the end: the log of job "unit (ubuntu)" has 95 lines`)
	msg = callErr(t, b, "read_log", map[string]any{"request_id": id})
	require.Contains(t, msg, `read 2 job logs; name one with job: "unit (ubuntu)", "deploy-check"`)
	msg = callErr(t, b, "read_log", map[string]any{"request_id": id, "job": "unit", "count": 501})
	require.Contains(t, msg, "count")
}

func TestListJobs(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.addFake(fakeURL, fakeBuild(t))
	an, _ := call[AnalyzeBuildOutput](t, b, "analyze_build", map[string]any{"url": fakeURL})

	out, text := call[ListJobsOutput](t, b, "list_jobs", map[string]any{"request_id": an.RequestID})
	require.Equal(t, an.RequestID, out.RequestID)
	require.Equal(t, "failure", out.Build.State)
	require.Len(t, out.Jobs, 3)
	unit := out.Jobs[0]
	require.Equal(t, "unit (ubuntu)", unit.Name)
	require.Equal(t, "failed", unit.State)
	require.Equal(t, 1, *unit.ExitStatus)
	require.Equal(t, 95.0, *unit.DurationSeconds)
	require.Equal(t, "2026-03-01T10:00:00Z", unit.StartedAt)
	require.True(t, unit.LogKept)
	require.Equal(t, 95, unit.LogLines)
	require.NotEmpty(t, unit.Steps)
	var titles []string
	for _, s := range unit.Steps {
		titles = append(titles, s.Title)
	}
	require.Contains(t, titles, "Run go test -race ./...")
	docs := out.Jobs[2]
	require.False(t, docs.LogKept)
	require.False(t, docs.Analyzed)
	require.Nil(t, docs.DurationSeconds)
	require.Contains(t, text, `- "unit (ubuntu)" id 1: failed, exit 1, 1m35s, step "test", log read (95 lines)`)

	failed, _ := call[ListJobsOutput](t, b, "list_jobs", map[string]any{"request_id": an.RequestID, "failed_only": true})
	require.Len(t, failed.Jobs, 2)

	msg := callErr(t, b, "list_jobs", map[string]any{"request_id": "r-000000000000"})
	require.Contains(t, msg, `unknown request_id "r-000000000000"`)
}

// TestSecretsStayRedacted calls every tool on a log holding a token, a
// password, a private key block and the input's own token, and checks no
// result shows any of them.
func TestSecretsStayRedacted(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.addFake(fakeURL, fakeBuild(t))
	secrets := []string{envSecret, "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "hunter2hunter2", "b3BlbnNzaC1rZXkt", "QyNTUxOQAAACDxEXAMPLE"}
	check := func(res *mcp.CallToolResult) {
		t.Helper()
		raw, err := json.Marshal(res)
		require.NoError(t, err)
		for _, s := range secrets {
			require.NotContains(t, string(raw), s)
		}
	}
	do := func(name string, args map[string]any) *mcp.CallToolResult {
		t.Helper()
		res, err := b.session.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: args})
		require.NoError(t, err)
		require.False(t, res.IsError, resultText(res))
		check(res)
		return res
	}
	res := do("analyze_build", map[string]any{"url": fakeURL, "jobs": []string{"deploy-check"}})
	var an AnalyzeBuildOutput
	raw, _ := json.Marshal(res.StructuredContent)
	require.NoError(t, json.Unmarshal(raw, &an))
	id := an.RequestID
	for _, f := range an.Findings {
		do("get_finding", map[string]any{"request_id": id, "fingerprint": f.Fingerprint, "context": 100})
	}
	res = do("read_log", map[string]any{"request_id": id, "from_line": 1, "count": 500})
	require.Contains(t, resultText(res), "      9| [REDACTED]", "private key lines")
	require.Contains(t, resultText(res), "     12| calling https://api.example.com with [REDACTED]")
	// A window that starts inside the key block.
	res = do("read_log", map[string]any{"request_id": id, "from_line": 10, "count": 2})
	require.Contains(t, resultText(res), "     10| [REDACTED]\n     11| [REDACTED]\n")
	do("search_log", map[string]any{"request_id": id, "regex": ".", "before": 20, "after": 20, "limit": 500})
	res = do("search_log", map[string]any{"request_id": id, "regex": "hunter2|ghp_|env-secret|b3Blbn"})
	require.Contains(t, resultText(res), "0 line(s) of 37 match", "secrets are matched after redaction")
	do("list_jobs", map[string]any{"request_id": id})
}

func TestEvictedRequestsDeleteTheirLogs(t *testing.T) {
	t.Parallel()
	b := setup(t) // keeps 4 requests
	path := testdata(t, "go-test.log")
	var ids []string
	for range 6 {
		out, _ := call[AnalyzeBuildOutput](t, b, "analyze_build", map[string]any{"path": path})
		ids = append(ids, out.RequestID)
	}
	require.Equal(t, 4, b.store.Len())
	dirs, err := filepath.Glob(filepath.Join(b.tmp, "destill-mcp-*"))
	require.NoError(t, err)
	require.Len(t, dirs, 4)
	msg := callErr(t, b, "read_log", map[string]any{"request_id": ids[0]})
	require.Contains(t, msg, "unknown request_id")
	_, _ = call[ReadLogOutput](t, b, "read_log", map[string]any{"request_id": ids[5]})

	require.NoError(t, b.srv.Close())
	requireNoKeptLogs(t, b.tmp)
}

func TestKeptLogsAreUserOnly(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, _ = call[AnalyzeBuildOutput](t, b, "analyze_build", map[string]any{"path": testdata(t, "go-test.log")})
	dirs, err := filepath.Glob(filepath.Join(b.tmp, "destill-mcp-*"))
	require.NoError(t, err)
	require.Len(t, dirs, 1)
	info, err := os.Stat(dirs[0])
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), info.Mode().Perm())
	files, err := filepath.Glob(filepath.Join(dirs[0], "*"))
	require.NoError(t, err)
	require.Len(t, files, 1)
	info, err = os.Stat(files[0])
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())
}

func TestToolsHaveSchemasAndDescriptions(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var names []string
	for tool, err := range b.session.Tools(context.Background(), nil) {
		require.NoError(t, err)
		names = append(names, tool.Name)
		require.Greater(t, len(tool.Description), 100, tool.Name)
		require.NotNil(t, tool.InputSchema, tool.Name)
		require.NotNil(t, tool.OutputSchema, tool.Name)
		raw, err := json.Marshal(tool.InputSchema)
		require.NoError(t, err)
		var schema struct {
			Properties map[string]struct {
				Description string `json:"description"`
			} `json:"properties"`
		}
		require.NoError(t, json.Unmarshal(raw, &schema))
		for p, s := range schema.Properties {
			require.NotEmpty(t, s.Description, "%s.%s has no description", tool.Name, p)
		}
	}
	require.ElementsMatch(t, []string{"analyze_build", "get_finding", "search_log", "read_log", "list_jobs", "get_request", "get_history"}, names)
}

func requireNoKeptLogs(t *testing.T, dir string) {
	t.Helper()
	require.True(t, noKeptLogs(dir), "kept logs left in %s", dir)
}

func noKeptLogs(dir string) bool {
	dirs, _ := filepath.Glob(filepath.Join(dir, "destill-mcp-*"))
	return len(dirs) == 0
}

// TestResultsStayBounded checks that no follow-up tool returns much more
// than about 16000 tokens, whatever it is asked for.
func TestResultsStayBounded(t *testing.T) {
	t.Parallel()
	var log strings.Builder
	for i := 1; i <= 2000; i++ {
		if i == 1000 {
			log.WriteString("Error: the widget factory exploded\n")
			continue
		}
		fmt.Fprintf(&log, "%05d %s\n", i, strings.Repeat("lorem ipsum ", 50))
	}
	path := filepath.Join(t.TempDir(), "wide.log")
	require.NoError(t, os.WriteFile(path, []byte(log.String()), 0o600))
	b := setup(t)
	an, _ := call[AnalyzeBuildOutput](t, b, "analyze_build", map[string]any{"path": path})
	id := an.RequestID
	const limit = 16000 * 1.25 // tokens, with the text rendering's line numbers

	size := func(out any, text string) int { return outputTokens(out, text) / 2 } // structured and text say the same
	s, text := call[SearchLogOutput](t, b, "search_log", map[string]any{"request_id": id, "regex": "lorem", "before": 20, "after": 20, "limit": 500})
	require.Equal(t, 1999, s.TotalMatches)
	require.Less(t, len(s.Matches), 500)
	require.LessOrEqual(t, float64(size(s, text)), limit)
	require.Contains(t, text, "to stay near 16000 tokens")

	r, text := call[ReadLogOutput](t, b, "read_log", map[string]any{"request_id": id, "count": 500})
	require.Less(t, len(r.Lines), 500)
	require.Equal(t, r.ToLine+1, r.Next)
	require.LessOrEqual(t, float64(size(r, text)), limit)

	f, text := call[GetFindingOutput](t, b, "get_finding", map[string]any{"request_id": id, "fingerprint": an.Findings[0].Fingerprint, "context": 100})
	require.Equal(t, []string{"Error: the widget factory exploded"}, f.Finding.Text)
	require.Less(t, len(f.Finding.ContextBefore), 100)
	require.Equal(t, len(f.Finding.ContextBefore), len(f.Finding.ContextAfter), "cut evenly")
	require.LessOrEqual(t, float64(size(f, text)), limit)
}

func TestAnalyzeBuildLeavesRetriedAttemptsOut(t *testing.T) {
	t.Parallel()
	b := setup(t)
	src := fakeBuild(t)
	first := src.build.Jobs[0]
	first.ID, first.Retried, first.Attempt = "0", true, 1
	src.build.Jobs = append([]providers.Job{first}, src.build.Jobs...)
	b.addFake(fakeURL, src)
	out, _ := call[AnalyzeBuildOutput](t, b, "analyze_build", map[string]any{"url": fakeURL})
	var ids []string
	for _, j := range out.FailedJobs {
		ids = append(ids, j.ID)
	}
	require.Equal(t, []string{"1", "2"}, ids)
	jobs, _ := call[ListJobsOutput](t, b, "list_jobs", map[string]any{"request_id": out.RequestID})
	require.True(t, jobs.Jobs[0].Retried)
}

// keptRequests is the server's own store, noting what each request held
// when it was put.
type keptRequests struct {
	*RecentRequests
	mu      sync.Mutex
	results []int // len(req.Results) at each Put
	steps   []int // len(req.Steps) at each Put
}

func (k *keptRequests) Put(ctx context.Context, req *Request) error {
	k.mu.Lock()
	k.results = append(k.results, len(req.Results))
	k.steps = append(k.steps, len(req.Steps))
	k.mu.Unlock()
	return k.RecentRequests.Put(ctx, req)
}

// TestAnalyzeBuildKeepsNoResultsForItsOwnStore: the jobs' whole results
// (every candidate's lines) are gathered only for a shared store to save;
// the server's own store needs none, so an analysis does not hold them
// until its build is done. Each job's steps are kept for list_jobs.
func TestAnalyzeBuildKeepsNoResultsForItsOwnStore(t *testing.T) {
	t.Parallel()
	store := &keptRequests{RecentRequests: NewRecentRequests(4, 0)}
	b := setupWith(t, Options{Requests: store})
	b.addFake(fakeURL, fakeBuild(t))
	out, _ := call[AnalyzeBuildOutput](t, b, "analyze_build", map[string]any{"url": fakeURL})
	require.Equal(t, 2, out.Summary.JobsAnalyzed)
	store.mu.Lock()
	defer store.mu.Unlock()
	require.Equal(t, []int{0}, store.results)
	require.Equal(t, []int{2}, store.steps)
}
