package analysis

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// job is an analyzed job of a test record that printed fps.
func job(name, state string, retried bool, fps ...string) JobRecord {
	j := JobRecord{ID: name + "-" + state, Name: name, State: state, Failed: state == "failed", Passed: state == "passed",
		Retried: retried, FingerprintVersion: FingerprintVersion}
	for _, fp := range fps {
		j.Fingerprints = append(j.Fingerprints, SeenFingerprint{Fingerprint: fp, Category: "error", Message: "msg " + fp, Confidence: 0.8})
	}
	return j
}

func build(n int64, commit string, jobs ...JobRecord) BuildRecord {
	return BuildRecord{ID: "b" + string(rune('a'+n)), Number: n, URL: "https://ci/b/" + string(rune('0'+n%10)), Commit: commit,
		FinishedAt: "2026-03-04T09:00:00Z", Jobs: jobs}
}

func TestHistoryOf(t *testing.T) {
	window := []BuildRecord{
		build(1, "c1", job("unit", "passed", false, "Z"), job("it", "passed", false, "Z")),
		build(2, "c2", job("unit", "failed", true, "F", "Z"), job("unit", "passed", false, "Z"), job("it", "passed", false, "Z")),
		build(3, "c3", job("unit", "passed", false, "Z"), job("it", "failed", false, "R", "Z")),
		build(4, "c4", job("unit", "failed", false, "G"), job("it", "failed", false, "R")),
		build(5, "c4", job("unit", "passed", false), job("it", "failed", false, "R")),
		// A job analyzed with another fingerprint version is not compared.
		build(6, "c6", JobRecord{Name: "it", State: "failed", Failed: true, FingerprintVersion: FingerprintVersion - 1,
			Fingerprints: []SeenFingerprint{{Fingerprint: "N"}}}),
	}
	current := build(7, "c7", job("unit", "failed", false, "F", "N", "Z"), job("it", "failed", false, "R", "Z"))
	got := HistoryOf(&current, window, "main", []string{"F", "R", "Z", "N", "G"})

	f := got["F"]
	require.Equal(t, VerdictFlaky, f.Verdict)
	require.Equal(t, 1, f.FailedBuilds)
	require.Equal(t, []HistoryBuild{{Number: 2, URL: "https://ci/b/2", Time: "2026-03-04T09:00:00Z"}}, f.Flaky)
	require.EqualValues(t, 2, f.FirstSeen.Number)
	require.Equal(t, "the job failed with it, then passed on a retry: #2", f.Evidence)

	r := got["R"]
	require.Equal(t, VerdictRecurring, r.Verdict)
	require.Equal(t, 3, r.FailedBuilds)
	require.Equal(t, 0, r.PassingBuilds)
	require.EqualValues(t, 3, r.FirstSeen.Number)
	require.EqualValues(t, 5, r.LastSeen.Number)
	require.Equal(t, "failing main since #3: 3 of the last 6 builds, last in #5", r.Evidence)
	require.Equal(t, []string{"it"}, r.Jobs)

	z := got["Z"]
	require.Equal(t, VerdictNoise, z.Verdict)
	require.Equal(t, 3, z.PassingBuilds)
	require.Equal(t, 2, z.FailedBuilds)
	require.EqualValues(t, 1, z.FirstSeen.Number)
	require.EqualValues(t, 3, z.LastSeen.Number)

	n := got["N"]
	require.Equal(t, VerdictNew, n.Verdict, "build 6 saw it with another fingerprint version: not compared")
	require.Nil(t, n.FirstSeen)
	require.Equal(t, 6, n.Builds)
	require.Equal(t, "not seen in the last 6 builds of main", n.Evidence)

	g := got["G"]
	require.Equal(t, VerdictFlaky, g.Verdict, "unit failed with G on c4 and passed in build 5 of c4")
	require.Equal(t, []int64{4}, numbers(g.Flaky))
	require.Equal(t, "the job failed with it and passed in another build of the same commit: #4", g.Evidence)
}

func numbers(bs []HistoryBuild) []int64 {
	var out []int64
	for _, b := range bs {
		out = append(out, b.Number)
	}
	return out
}

// TestHistoryOfCurrentCommit: the build asked about fails a job that passed
// in an earlier build of its commit.
func TestHistoryOfCurrentCommit(t *testing.T) {
	window := []BuildRecord{build(3, "c9", job("unit", "passed", false))}
	current := build(4, "c9", job("unit", "failed", false, "F"))
	h := HistoryOf(&current, window, "", []string{"F"})["F"]
	require.Equal(t, VerdictFlaky, h.Verdict)
	require.Equal(t, []int64{3}, numbers(h.Flaky))
	require.Equal(t, 0, h.FailedBuilds)

	empty := HistoryOf(&current, nil, "main", []string{"F"})["F"]
	require.Equal(t, History{Verdict: VerdictNew, Evidence: "no earlier finished build to compare with"}, empty)
}

// TestHistoryOfWindowAlone is `destill history`: the newest build is the
// one asked about, and counted.
func TestHistoryOfWindowAlone(t *testing.T) {
	window := []BuildRecord{
		build(1, "c1", job("it", "failed", false, "R")),
		build(2, "c2", job("it", "failed", false, "R")),
		build(3, "c3", job("it", "failed", false, "R", "N")),
	}
	got := HistoryOf(nil, window, "main", []string{"R", "N"})
	require.Equal(t, VerdictRecurring, got["R"].Verdict)
	require.Equal(t, 3, got["R"].FailedBuilds)
	require.Equal(t, VerdictNew, got["N"].Verdict)
	require.Equal(t, "first failed in #3, the newest of the last 3 builds of main", got["N"].Evidence)
}

func TestRecurringFailures(t *testing.T) {
	weak := job("it", "failed", false)
	weak.Fingerprints = []SeenFingerprint{{Fingerprint: "X", Message: "exit code 1", Confidence: 0.2}}
	window := []BuildRecord{
		build(1, "c1", job("it", "failed", false, "R"), weak),
		build(2, "c2", job("it", "failed", false, "R", "N"), job("unit", "passed", false, "P")),
	}
	got := RecurringFailures(window, "main")
	require.Len(t, got, 2, "the weak line and what only passing jobs printed are not listed")
	require.Equal(t, "R", got[0].Fingerprint)
	require.Equal(t, 2, got[0].History.FailedBuilds)
	require.Equal(t, "N", got[1].Fingerprint)
	require.Equal(t, VerdictNew, got[1].History.Verdict)
}

func TestOrderByHistory(t *testing.T) {
	f := func(fp string, conf float64, job string, verdict string) Finding {
		out := Finding{Fingerprint: fp, Confidence: conf, JobID: job, Reasons: []string{"x"}}
		if verdict != "" {
			out.History = &History{Verdict: verdict}
		}
		return out
	}
	jobs := []JobSummary{{ID: "a", Failed: true}, {ID: "b", Failed: true}}
	in := []Finding{
		// every failed job's best first, as Rank leaves them
		f("a1", 0.9, "a", VerdictNoise),
		f("b1", 0.9, "b", VerdictNew),
		// then the rest
		f("a2", 0.8, "a", VerdictFlaky),
		f("a3", 0.8, "a", VerdictRecurring),
		f("a4", 0.8, "a", ""),
		f("b2", 0.8, "b", VerdictNew),
		f("b3", 0.5, "b", VerdictNew),
	}
	out := OrderByHistory(in, jobs)
	var order []string
	for i, o := range out {
		order = append(order, o.Fingerprint)
		require.Equal(t, i+1, o.Rank)
	}
	require.Equal(t, []string{"b1", "a1", "b2", "a3", "a4", "a2", "b3"}, order)
	require.Equal(t, []string{"x", "history:new"}, out[0].Reasons)
	require.Equal(t, []string{"x"}, out[4].Reasons, "no history, no reason")
	require.Equal(t, []string{"x"}, in[1].Reasons, "the input is not changed")

	// The best of each failed job stays ahead of a more recent verdict of
	// the same confidence.
	in = []Finding{f("a1", 0.9, "a", VerdictNoise), f("b1", 0.8, "b", VerdictNoise), f("a2", 0.8, "a", VerdictNew)}
	out = OrderByHistory(in, jobs)
	require.Equal(t, "b1", out[1].Fingerprint)
}

func TestSeenIn(t *testing.T) {
	a := NewAnalyzer(Options{})
	_, _ = a.Write([]byte(strings.Join([]string{
		"=== RUN   TestUpload",
		"    upload_test.go:12: got 2 attempts, want 3",
		"--- FAIL: TestUpload (0.31s)",
		"FAIL",
		"warning: cache server unavailable",
		"Process completed with exit code 1.",
	}, "\n") + "\n"))
	res := a.Result()
	res.Job = JobSummary{ID: "1", Name: "unit", Failed: true}
	seen := SeenIn(res)
	require.NotEmpty(t, seen)
	fps := map[string]bool{}
	for _, c := range res.Candidates {
		fps[c.Fingerprint] = true
	}
	require.Len(t, seen, len(fps), "every candidate's fingerprint, once")
	top := Rank([]JobResult{res})[0]
	for _, s := range seen {
		if s.Fingerprint == top.Fingerprint {
			require.Equal(t, top.Confidence, s.Confidence)
			require.Equal(t, top.Message, s.Message)
		}
	}
}
