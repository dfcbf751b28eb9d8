package worker

import (
	"context"
	"fmt"
	"testing"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/backend"
	"github.com/destill-dev/destill/backend/memory"
)

// oldRecords serves chunk results as another destill version stored them.
type oldRecords struct{ Records }

func (oldRecords) ChunkResults(ctx context.Context, id string) ([]backend.ChunkResult, error) {
	return nil, fmt.Errorf("chunk 0 of job \"j\" of request %s: %w", id, backend.ErrRecordVersion)
}

// TestFinishRefusesResultsOfAnotherVersionAtOnce: retrying cannot change
// stored results, so the message goes to the dead-letter topic (and the
// request fails with the reason) without retries.
func TestFinishRefusesResultsOfAnotherVersionAtOnce(t *testing.T) {
	ctx := context.Background()
	s := memory.NewStore()
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateRequest(ctx, backend.Request{ID: "r1", Input: "https://ci.example.com/b/1"}); err != nil {
		t.Fatal(err)
	}
	must(s.PlanRequest(ctx, "r1", backend.Plan{Jobs: []string{"j"}, Report: analysis.Report{Jobs: []analysis.JobSummary{{ID: "j"}}}}))
	must(s.SetJobChunks(ctx, "r1", "j", 1, ""))
	must(s.SaveChunkResult(ctx, backend.ChunkResult{RequestID: "r1", JobID: "j", FirstLine: 1}))

	err := Finish(ctx, oldRecords{s}, "r1", nil)
	if !IsPermanent(err) {
		t.Fatalf("Finish = %v, want a permanent error", err)
	}
	if req, _ := s.GetRequest(ctx, "r1"); req.Status.Terminal() {
		t.Errorf("status %s: failing the request is the dead-letter hook's job", req.Status)
	}
}
