package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/destill-dev/destill/backend"
	"github.com/destill-dev/destill/backend/backendtest"
	"github.com/destill-dev/destill/backend/postgres/postgrestest"
)

func TestStoreConformance(t *testing.T) {
	t.Parallel()
	backendtest.RunStoreSuite(t, func(t *testing.T) backend.Store { return postgrestest.NewStore(t) })
}

// TestChunkResultOfAnOldVersionIsRefused: a row that another destill wrote
// in a record version this one does not read fails clearly, naming the
// chunk, rather than being misread.
func TestChunkResultOfAnOldVersionIsRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := postgrestest.NewStore(t)
	if err := s.CreateRequest(ctx, backend.Request{ID: "r1", Input: "https://ci.example.com/b/1"}); err != nil {
		t.Fatal(err)
	}
	// How results were stored before records: analysis.JobResult as is.
	_, err := s.DB().ExecContext(ctx, `INSERT INTO chunk_results (request_id, job_id, seq, first_line, result)
		VALUES ('r1', 'job-1', 0, 1, '{"job":{"id":"job-1"},"lines":3,"candidates":[{"fingerprint":"f","trailer":1}]}')`)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.ChunkResults(ctx, "r1")
	if !errors.Is(err, backend.ErrRecordVersion) {
		t.Fatalf("ChunkResults = %v, want ErrRecordVersion", err)
	}
	for _, want := range []string{`chunk 0 of job "job-1" of request r1`, "version 0", "submit the build again"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}
