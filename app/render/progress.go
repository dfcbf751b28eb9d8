package render

import (
	"fmt"

	"github.com/destill-dev/destill/backend"
)

// RequestProgress says in one line where a request of the distributed
// mode stands: its status with the progress the workers recorded, or, for
// a failed request, failure.
func RequestProgress(status backend.Status, p backend.Progress, failure string) string {
	switch status {
	case backend.StatusQueued:
		return "queued, waiting for an ingest-worker"
	case backend.StatusFetching:
		if !p.Planned {
			return "fetching the build"
		}
		return fmt.Sprintf("fetching logs: %d of %d read, %d chunk(s) analyzed", p.JobsFetched, p.JobsSelected, p.ChunksDone)
	case backend.StatusAnalyzing:
		return fmt.Sprintf("analyzing: %d of %d chunk(s) done", p.ChunksDone, p.ChunksTotal)
	case backend.StatusDone:
		return fmt.Sprintf("done: %d log(s), %d chunk(s)", p.JobsSelected, p.ChunksTotal)
	case backend.StatusFailed:
		return "failed: " + failure
	}
	return string(status)
}
