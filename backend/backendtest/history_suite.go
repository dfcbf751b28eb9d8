package backendtest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/backend"
)

func historyJob(id, name string, failed bool, version int, fps ...string) analysis.JobRecord {
	j := analysis.JobRecord{ID: id, Name: name, State: "passed", Passed: !failed, Failed: failed, Attempt: 1, FingerprintVersion: version}
	if failed {
		j.State = "failed"
	}
	for _, fp := range fps {
		j.Fingerprints = append(j.Fingerprints, analysis.SeenFingerprint{Fingerprint: fp, Category: "error", Severity: analysis.SeverityError,
			Message: "message of " + fp + " ✓", Confidence: 0.75})
	}
	return j
}

func historyBuild(id string, n int64, branch string, jobs ...analysis.JobRecord) analysis.BuildRecord {
	return analysis.BuildRecord{ID: id, Number: n, URL: "https://ci.example.com/b/" + id, Branch: branch, Commit: "c0ffee" + id,
		State: "failed", Revision: "attempt 1", FinishedAt: "2026-03-04T09:00:00Z", Jobs: jobs}
}

// storeHistory: builds are recorded per pipeline, merged when saved again,
// selected by ID or as the newest on a branch, with only the fingerprints
// of the version asked for.
func storeHistory(t *testing.T, s backend.Store) {
	ctx := ctxT(t)
	v := analysis.FingerprintVersion
	const p = "github-actions github.com acme/api/CI"
	for _, b := range []analysis.BuildRecord{
		historyBuild("b1", 1, "main", historyJob("j1", "unit", false, v, "aaa", "zzz")),
		historyBuild("b2", 2, "main", historyJob("j2", "unit", true, v, "aaa", "bbb"), historyJob("j3", "lint", false, 0)),
		historyBuild("b3", 3, "feature", historyJob("j4", "unit", true, v, "aaa")),
		// An older fingerprint version: never compared.
		historyBuild("b4", 4, "main", historyJob("j5", "unit", true, v-1, "aaa")),
	} {
		require.NoError(t, s.SaveHistory(ctx, p, b))
	}
	require.NoError(t, s.SaveHistory(ctx, "buildkite buildkite.com acme/api", historyBuild("b9", 9, "main", historyJob("x", "unit", true, v, "aaa"))))

	got, err := s.LoadHistory(ctx, backend.HistoryQuery{Pipeline: p, Branch: "main", Limit: 10, Version: v})
	require.NoError(t, err)
	require.Equal(t, []int64{4, 2, 1}, recordNumbers(got), "main only, newest first, this pipeline only")
	require.Equal(t, historyBuild("b1", 1, "main", historyJob("j1", "unit", false, v, "aaa", "zzz")), got[2])
	require.Equal(t, []analysis.JobRecord{{ID: "j5", Name: "unit", State: "failed", Failed: true, Attempt: 1, FingerprintVersion: v - 1}},
		got[0].Jobs, "a job analyzed with another version has no fingerprints of this one")
	require.False(t, got[0].Jobs[0].Analyzed())

	got, err = s.LoadHistory(ctx, backend.HistoryQuery{Pipeline: p, Branch: "main", Before: 4, Limit: 1, Version: v})
	require.NoError(t, err)
	require.Equal(t, []int64{2}, recordNumbers(got), "below Before, at most Limit")

	got, err = s.LoadHistory(ctx, backend.HistoryQuery{Pipeline: p, Branch: "main", BuildIDs: []string{"b2", "b3", "nope"},
		Version: v, Fingerprints: []string{"bbb"}})
	require.NoError(t, err)
	require.Equal(t, []int64{3, 2}, recordNumbers(got), "by ID, whatever the branch")
	require.Nil(t, got[0].Jobs[0].Fingerprints, "only the fingerprints asked for")
	require.Equal(t, []string{"bbb"}, fingerprintsOf(got[1].Jobs[0]))
	require.Len(t, got[1].Jobs, 2)

	// Saving again: a job analyzed now gets its fingerprints, a job not
	// analyzed keeps those recorded, fields change, nothing doubles.
	again := historyBuild("b2", 2, "main", historyJob("j2", "unit", true, 0), historyJob("j3", "lint", false, v, "ccc"),
		historyJob("j6", "unit", false, 0))
	again.Jobs[0].Retried = true
	again.Revision = "attempt 2"
	require.NoError(t, s.SaveHistory(ctx, p, again))
	require.NoError(t, s.SaveHistory(ctx, p, again))
	got, err = s.LoadHistory(ctx, backend.HistoryQuery{Pipeline: p, BuildIDs: []string{"b2"}, Version: v})
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, "attempt 2", got[0].Revision)
	require.Len(t, got[0].Jobs, 3)
	require.Equal(t, "j2", got[0].Jobs[0].ID)
	require.True(t, got[0].Jobs[0].Retried)
	require.Equal(t, []string{"aaa", "bbb"}, fingerprintsOf(got[0].Jobs[0]), "kept: not analyzed this time")
	require.Equal(t, []string{"ccc"}, fingerprintsOf(got[0].Jobs[1]))
	require.Equal(t, "j6", got[0].Jobs[2].ID)
	require.False(t, got[0].Jobs[2].Analyzed())

	none, err := s.LoadHistory(ctx, backend.HistoryQuery{Pipeline: "unknown", Branch: "main", Limit: 5, Version: v})
	require.NoError(t, err)
	require.Empty(t, none)
}

func recordNumbers(bs []analysis.BuildRecord) []int64 {
	var out []int64
	for _, b := range bs {
		out = append(out, b.Number)
	}
	return out
}

func fingerprintsOf(j analysis.JobRecord) []string {
	var out []string
	for _, f := range j.Fingerprints {
		out = append(out, f.Fingerprint)
	}
	return out
}
