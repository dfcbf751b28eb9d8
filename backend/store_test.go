package backend_test

import (
	"testing"

	"github.com/destill-dev/destill/backend"
)

func TestRequestStatusLine(t *testing.T) {
	planned := backend.Progress{Planned: true, JobsSelected: 3, JobsFetched: 2, ChunksTotal: 7, ChunksDone: 5}
	tests := []struct {
		name string
		req  backend.Request
		want string
	}{
		{"queued", backend.Request{Status: backend.StatusQueued}, "queued, waiting for an ingest-worker"},
		{"fetching the build", backend.Request{Status: backend.StatusFetching}, "fetching the build"},
		{"fetching logs", backend.Request{Status: backend.StatusFetching, Progress: planned}, "fetching logs: 2 of 3 read, 5 chunk(s) analyzed"},
		{"analyzing", backend.Request{Status: backend.StatusAnalyzing, Progress: planned}, "analyzing: 5 of 7 chunk(s) done"},
		{"done", backend.Request{Status: backend.StatusDone, Progress: planned}, "done: 3 log(s), 7 chunk(s)"},
		{"failed", backend.Request{Status: backend.StatusFailed, Error: "no job log could be read"}, "failed: no job log could be read"},
		{"unknown status", backend.Request{Status: "paused"}, "paused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.req.StatusLine(); got != tt.want {
				t.Errorf("StatusLine() = %q, want %q", got, tt.want)
			}
		})
	}
}
