package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"weak"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/pipeline"
	"github.com/destill-dev/destill/app/sources"
	"github.com/destill-dev/destill/backend/postgres/postgrestest"
	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/providertest"
)

var historyProviders = []providers.Kind{providers.KindBuildkite, providers.KindGitHubActions, providers.KindGitLab, providers.KindJenkins}

// plantedHistory is what each planted failure's history must be when
// build 20 of providertest.HistoryPipeline is analyzed with the 19 builds
// before it.
type plantedHistory struct {
	message                     string
	verdict                     string
	failed, passing             int
	first, last                 int // build numbers (1-based), 0: never seen
	flaky                       []int
	evidence                    string
	rankedAboveAtSameConfidence bool
}

func wantHistory(kind providers.Kind) []plantedHistory {
	noisePassing := 19 // every unit job passes, on attempt 2 in builds 4, 7 and 10
	if kind == providers.KindJenkins {
		noisePassing = 8 // the builds that passed: 1-3, 5, 6, 8, 9, 11
	}
	return []plantedHistory{
		{message: providertest.HistoryFlaky, verdict: analysis.VerdictFlaky, failed: 3, first: 4, last: 10, flaky: []int{4, 7, 10}},
		{message: providertest.HistoryRecurring, verdict: analysis.VerdictRecurring, failed: 8, first: 12, last: 19,
			evidence: "failing main since #" + num(kind, 12) + ": 8 of the last 19 builds, last in #" + num(kind, 19)},
		{message: providertest.HistoryNew, verdict: analysis.VerdictNew, evidence: "not seen in the last 19 builds of main"},
		// Noise fails and passes the same jobs, flakily too; passing jobs
		// printing it decides.
		{message: providertest.HistoryNoise, verdict: analysis.VerdictNoise, failed: 11, passing: noisePassing, first: 1, last: 19,
			flaky: []int{4, 7, 10}},
	}
}

func num(kind providers.Kind, n int) string {
	return strconv.FormatInt(providertest.HistoryNumber(kind, n), 10)
}

// checkPlanted fails the test unless rep's findings carry exactly the
// planted histories.
func checkPlanted(t *testing.T, kind providers.Kind, rep analysis.Report) {
	t.Helper()
	require.NotNil(t, rep.History)
	require.Equal(t, 19, rep.History.Builds)
	require.Equal(t, "main", rep.History.Branch)
	require.Equal(t, providertest.HistoryNumber(kind, 1), rep.History.Oldest.Number)
	require.Equal(t, providertest.HistoryNumber(kind, 19), rep.History.Newest.Number)
	for _, w := range wantHistory(kind) {
		f := findingFor(rep, w.message)
		require.NotNil(t, f, "a finding for %q", w.message)
		h := f.History
		require.NotNil(t, h, w.message)
		require.Equal(t, w.verdict, h.Verdict, "%s: %s", w.message, h.Evidence)
		require.Equal(t, 19, h.Builds)
		require.Equal(t, w.failed, h.FailedBuilds, "%s: failed builds", w.message)
		require.Equal(t, w.passing, h.PassingBuilds, "%s: passing builds", w.message)
		require.Contains(t, f.Reasons, "history:"+w.verdict)
		if w.first == 0 {
			require.Nil(t, h.FirstSeen, w.message)
			require.Nil(t, h.LastSeen, w.message)
		} else {
			require.Equal(t, providertest.HistoryNumber(kind, w.first), h.FirstSeen.Number, "%s: first seen", w.message)
			require.Equal(t, providertest.HistoryFinishedAt(w.first).Format("2006-01-02T15:04:05Z07:00"), h.FirstSeen.Time)
			require.NotEmpty(t, h.FirstSeen.URL)
			require.Equal(t, providertest.HistoryNumber(kind, w.last), h.LastSeen.Number, "%s: last seen", w.message)
		}
		var flaky []int64
		for _, b := range h.Flaky {
			flaky = append(flaky, b.Number)
		}
		var wantFlaky []int64
		for _, n := range w.flaky {
			wantFlaky = append(wantFlaky, providertest.HistoryNumber(kind, n))
		}
		require.Equal(t, wantFlaky, flaky, "%s: flaky builds", w.message)
		if w.evidence != "" {
			require.Equal(t, w.evidence, h.Evidence)
		}
	}
	require.Nil(t, findingFor(rep, providertest.HistoryOtherBranch), "another branch's failure is no part of main's history")
}

// TestHistoryFromTheAPI analyzes build 20 of a pipeline whose earlier
// builds hold a flaky test, a recurring failure and noise, on every
// provider, with no database: every verdict, count and first seen comes
// from the provider's API. A second run, the logs cached, downloads no
// log and gives the same history.
func TestHistoryFromTheAPI(t *testing.T) {
	t.Parallel()
	for _, kind := range historyProviders {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			fake := newFake(t, providertest.HistoryPipeline(kind))
			dir := t.TempDir()
			url := fake.WebURL(providertest.HistoryBuilds - 1)
			r := analyzeURL(t, fake, url, withCache(fake, dir), "--no-baseline", "--history", "19")
			require.Equal(t, 0, r.code, r.err)
			checkPlanted(t, kind, r.rep)
			require.Equal(t, "api", r.rep.History.Source)

			fake.ResetCounts()
			again := analyzeURL(t, fake, url, withCache(fake, dir), "--no-baseline", "--history", "19")
			require.Equal(t, 0, again.code, again.err)
			require.Zero(t, fake.LogRequests(), "the second run downloads no log")
			require.Equal(t, r.rep.Findings, again.rep.Findings)

			offline := analyzeURL(t, fake, url, withCache(fake, dir), "--no-baseline", "--history", "19", "--offline")
			require.Equal(t, 0, offline.code, offline.err)
			require.Equal(t, r.rep.Findings, offline.rep.Findings, "--offline: the history the cache kept")
		})
	}
}

// TestHistoryFromTheDatabase runs the same pipeline with PostgreSQL: the
// first analysis reads the earlier builds through the API and records
// them; the second is the database's alone (--offline, no log cache) and
// gives the same history, field for field.
func TestHistoryFromTheDatabase(t *testing.T) {
	t.Parallel()
	for _, kind := range historyProviders {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			dsn := postgrestest.NewSchema(t)
			fake := newFake(t, providertest.HistoryPipeline(kind))
			url := fake.WebURL(providertest.HistoryBuilds - 1)
			api := analyzeURL(t, fake, url, nil, "--no-baseline", "--history", "19")
			require.Equal(t, 0, api.code, api.err)
			checkPlanted(t, kind, api.rep)

			env := append(fake.Env(), "DESTILL_DATABASE_URL", dsn)
			first := analyzeURL(t, fake, url, env, "--no-baseline", "--history", "19")
			require.Equal(t, 0, first.code, first.err)
			checkPlanted(t, kind, first.rep)
			require.Equal(t, "database", first.rep.History.Source)

			// The database alone: no provider call for the window, no log.
			cacheDir := t.TempDir()
			warm := analyzeURL(t, fake, url, append(withCache(fake, cacheDir), "DESTILL_DATABASE_URL", dsn), "--no-baseline", "--history", "19")
			require.Equal(t, 0, warm.code, warm.err)
			fake.ResetCounts()
			stored := analyzeURL(t, fake, url, append(withCache(fake, cacheDir), "DESTILL_DATABASE_URL", dsn), "--no-baseline", "--history", "19", "--offline")
			require.Equal(t, 0, stored.code, stored.err)
			require.Empty(t, fake.Paths(), "--offline: nothing asked of the provider")
			checkPlanted(t, kind, stored.rep)
			require.Equal(t, api.rep.Findings, stored.rep.Findings, "the API and the database give the same history")
		})
	}
}

// peakTransport counts the requests for the logs of builds other than
// skip that are in flight at once, and the most there ever were.
type peakTransport struct {
	base http.RoundTripper
	skip string
	mu   sync.Mutex
	now  int
	peak int
}

func (p *peakTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	count := strings.HasSuffix(r.URL.Path, "/log.txt") && !strings.Contains(r.URL.Path, p.skip)
	if count {
		p.mu.Lock()
		p.now++
		p.peak = max(p.peak, p.now)
		p.mu.Unlock()
		defer func() {
			p.mu.Lock()
			p.now--
			p.mu.Unlock()
		}()
	}
	resp, err := p.base.RoundTrip(r)
	if err == nil && count {
		body, rerr := io.ReadAll(resp.Body) // the whole log, while counted
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
		err = rerr
	}
	return resp, err
}

// TestHistoryDownloadsSideBySideWithProgress: cold, the earlier builds'
// logs are downloaded several at once (within --concurrency), and a
// terminal sees history's progress on stderr.
func TestHistoryDownloadsSideBySideWithProgress(t *testing.T) {
	t.Parallel()
	sc := providertest.HistoryPipeline(providers.KindBuildkite)
	for bi := range sc.Builds {
		for ji := range sc.Builds[bi].Jobs {
			sc.Builds[bi].Jobs[ji].LogDelay = providertest.Duration(40 * time.Millisecond)
		}
	}
	fake := newFake(t, sc)
	pt := &peakTransport{base: http.DefaultTransport, skip: "/builds/20/"}
	streams, out, errOut := TestStreams("", fake.Env()...)
	streams.StderrTTY = true
	streams.HTTPClient = &http.Client{Transport: pt}
	code := Main(context.Background(), []string{"destill", "analyze", "--json", "--no-baseline", "--history", "19", "--concurrency", "4",
		fake.WebURL(providertest.HistoryBuilds - 1)}, streams)
	require.Equal(t, 0, code, errOut.String())
	var rep analysis.Report
	require.NoError(t, json.Unmarshal(out.Bytes(), &rep))
	checkPlanted(t, providers.KindBuildkite, rep)
	require.GreaterOrEqual(t, pt.peak, 2, "earlier builds' logs downloaded side by side")
	require.LessOrEqual(t, pt.peak, 4, "within --concurrency")
	require.Contains(t, errOut.String(), "destill: history: 19/19 earlier builds listed")
	require.Regexp(t, `history: .* logs read, `, errOut.String())
}

// TestHistoryAPIBudget counts what a history of 10 builds asks of the
// provider, as the README states it: cold, one list request, a jobs
// request per build where the list does not hold the jobs (GitHub,
// GitLab), and one request per log it reads; warm, the list alone.
func TestHistoryAPIBudget(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		kind       providers.Kind
		list, jobs string // path ends of the list and jobs requests
		jobLists   int
	}{
		{providers.KindBuildkite, "/api/builds", "", 0},
		{providers.KindGitHubActions, "/runs", "/jobs", 10},
		{providers.KindGitLab, "/api/pipelines", "/jobs", 10},
		{providers.KindJenkins, "/main/api/json", "", 0},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			t.Parallel()
			fake := newFake(t, providertest.HistoryPipeline(tc.kind))
			dir := t.TempDir()
			url := fake.WebURL(providertest.HistoryBuilds - 1)
			base := analyzeURL(t, fake, url, withCache(fake, t.TempDir()), "--no-baseline", "--no-history")
			require.Equal(t, 0, base.code, base.err)
			baseLogs, basePaths := fake.LogRequests(), fake.Paths()
			fake.ResetCounts()

			cold := analyzeURL(t, fake, url, withCache(fake, dir), "--no-baseline")
			require.Equal(t, 0, cold.code, cold.err)
			// Builds 10-19: three jobs each, build 10's retried unit too;
			// all of them failed in build 20, so every log is read.
			logs := 31
			if tc.kind == providers.KindJenkins {
				logs = 10 // one console log per build
			}
			require.Equal(t, logs, fake.LogRequests()-baseLogs, "log requests")
			extra := extraRequests(basePaths, fake.Paths())
			require.Equal(t, 1, countPaths(extra, tc.list), "one list request: %v", extra)
			if tc.jobs != "" {
				require.Equal(t, tc.jobLists, countPaths(extra, tc.jobs), "jobs requests: %v", extra)
			}

			fake.ResetCounts()
			warm := analyzeURL(t, fake, url, withCache(fake, dir), "--no-baseline")
			require.Equal(t, 0, warm.code, warm.err)
			require.Zero(t, fake.LogRequests())
			extra = extraRequests(basePaths, fake.Paths())
			require.Equal(t, 1, countPaths(extra, tc.list), "warm: the list: %v", extra)
			if tc.jobs != "" {
				require.Zero(t, countPaths(extra, tc.jobs), "warm: no jobs request: %v", extra)
			}
			require.Equal(t, cold.rep.Findings, warm.rep.Findings)
		})
	}
}

// extraRequests returns the requests of paths ("path count", as
// Fake.Paths gives them) beyond those of base, one entry per request.
func extraRequests(base, paths []string) []string {
	seen := map[string]int{}
	for _, p := range base {
		i := strings.LastIndex(p, " ")
		n := 0
		fmt.Sscan(p[i+1:], &n)
		seen[p[:i]] += n
	}
	var out []string
	for _, p := range paths {
		i := strings.LastIndex(p, " ")
		n := 0
		fmt.Sscan(p[i+1:], &n)
		for k := seen[p[:i]]; k < n; k++ {
			out = append(out, p[:i])
		}
	}
	return out
}

func countPaths(paths []string, end string) int {
	n := 0
	for _, p := range paths {
		if strings.HasSuffix(p, end) {
			n++
		}
	}
	return n
}

// TestHistoryInTheUI opens the interactive UI on build 20: the findings
// show first, then the history (a past field in the detail pane), and the
// summary left on quit carries the verdicts.
func TestHistoryInTheUI(t *testing.T) {
	sc := providertest.HistoryPipeline(providers.KindGitLab)
	for bi := range sc.Builds[:providertest.HistoryBuilds-1] {
		for ji := range sc.Builds[bi].Jobs {
			sc.Builds[bi].Jobs[ji].LogDelay = providertest.Duration(150 * time.Millisecond) // history takes a while
		}
	}
	fake := newFake(t, sc)
	scr := newRecordingScreen()
	streams, out, errOut := tuiStreams(scr, append(fake.Env(), "NO_COLOR", "1")...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	code := startMain(ctx, streams, "analyze", "--no-baseline", fake.WebURL(providertest.HistoryBuilds-1))
	s := scr.waitFor(t, "logs read")
	require.Contains(t, s, "unit", "the findings show while history is read")
	s = scr.waitFor(t, "done · ")
	require.Contains(t, s, "past")
	require.Regexp(t, `(?s)why .*history:(new|recurring|flaky|noise)`, s)
	scr.typeKeys("q")
	require.Equal(t, exitOK, waitExit(t, code), errOut.String())
	require.Contains(t, out.String(), "history: 10 build(s) of main")
	require.Contains(t, out.String(), "history: new: not seen in the last 10 builds of main")
}

// TestHistoryKeepsFingerprintsNotResults: what history takes from each
// job's analysis, for the build's record in the database, is the
// fingerprints it saw; the result itself (its lines, its context) is not
// kept until the build is recorded, so a build's memory does not grow
// with its jobs. Without a database no record is kept, and nothing is
// taken.
func TestHistoryKeepsFingerprintsNotResults(t *testing.T) {
	fake := newFake(t, providertest.HistoryPipeline(providers.KindGitHubActions))
	in, err := sources.Resolve(fake.WebURL(providertest.HistoryBuilds-1), sources.Config{Getenv: fake.Getenv})
	require.NoError(t, err)
	streams, _, errOut := TestStreams("")

	var none pipeline.Options
	require.NotNil(t, newAnalyzeHistory(t.Context(), analyzeOptions{history: 5}, in, &none, &analysisDB{streams: streams}, nil))
	require.Nil(t, none.JobResultFunc, "no database: no record, no fingerprints to take")

	var popts pipeline.Options
	db := &analysisDB{streams: streams, cfg: backendConfig{databaseURL: postgrestest.NewSchema(t)}}
	defer db.close()
	h := newAnalyzeHistory(t.Context(), analyzeOptions{history: 5}, in, &popts, db, nil)
	require.NotNil(t, h)
	require.NotNil(t, popts.JobResultFunc, "the database keeps the build's record: %s", errOut)

	job := providers.Job{ID: "job-1", Name: "unit", State: providers.JobFailed, HasLog: true}
	test := &analysis.TestCase{Name: "TestLarge"}
	held := weak.Make(test)
	func() {
		res := analysis.JobResult{Candidates: []analysis.Candidate{{Fingerprint: "fp1", Rule: "go-test-fail", Category: analysis.CategoryTestFailure,
			Severity: analysis.SeverityError, Score: 0.9, LineStart: 3, LineEnd: 3, Message: "--- FAIL: TestLarge",
			Text: []string{"--- FAIL: TestLarge"}, Occurrences: 1, Lines: []int{3}, Test: test}}}
		test = nil
		popts.JobResultFunc(job, res)
	}()
	runtime.GC()
	require.Nil(t, held.Value(), "history kept the job's whole result")

	h.mu.Lock()
	defer h.mu.Unlock()
	require.Len(t, h.seen["job-1"], 1)
	seen := h.seen["job-1"][0]
	require.Equal(t, "fp1", seen.Fingerprint)
	require.Equal(t, "--- FAIL: TestLarge", seen.Message)
	require.Positive(t, seen.Confidence, "ranked as a failed job's finding")
}
