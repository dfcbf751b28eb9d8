package worker_test

import (
	"context"
	"testing"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/history"
	"github.com/destill-dev/destill/backend"
)

// TestWorkersRecordHistory: a build the workers finish is in the store's
// build history, as the analysis in process records it: the analyzed
// jobs with their fingerprints, and the jobs that passed.
func TestWorkersRecordHistory(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b testBackend) {
		src := newBuild(7, 20<<10)
		srcs := sourceSet{src.build.URL: src}
		r := newRig(t, b, srcs)
		r.startIngest()
		r.startAnalyze()
		id := r.submit(src.build.URL, backend.AnalysisOptions{})
		if req := r.wait(id); req.Status != backend.StatusDone {
			t.Fatalf("%s: %s", req.Status, req.Error)
		}
		rep := r.report(id)
		key := history.KeyOf(rep.Source)
		if key != "buildkite buildkite.com acme/app" {
			t.Fatalf("history key %q", key)
		}
		recs, err := r.store.LoadHistory(context.Background(), backend.HistoryQuery{Pipeline: key, Branch: "main", Limit: 5,
			Version: analysis.FingerprintVersion})
		if err != nil || len(recs) != 1 {
			t.Fatalf("LoadHistory = %d records, %v; want the build", len(recs), err)
		}
		rec := recs[0]
		if rec.ID != "b-7" || rec.Number != 7 || rec.Branch != "main" {
			t.Fatalf("record %+v", rec)
		}
		seen := map[string]bool{}
		analyzed, passed := 0, 0
		for _, j := range rec.Jobs {
			if j.Analyzed() {
				analyzed++
				for _, f := range j.Fingerprints {
					seen[f.Fingerprint] = true
				}
			}
			if j.Passed {
				passed++
			}
		}
		if analyzed != rep.Summary.JobsAnalyzed || passed != 1 {
			t.Errorf("%d analyzed jobs (report: %d), %d passed (want lint)", analyzed, rep.Summary.JobsAnalyzed, passed)
		}
		for _, f := range rep.Findings {
			if f.Test == nil && !seen[f.Fingerprint] {
				t.Errorf("finding %s (%s) is not in the recorded history", f.Fingerprint, f.Message)
			}
		}
	})
}
