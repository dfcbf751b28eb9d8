package worker

import "github.com/destill-dev/destill/backend"

// Records are the parts of a backend.Store the stages keep a request in:
// its status, its jobs, each chunk's result and the merged findings.
// Baseline models are no part of them.
type Records interface {
	backend.Requests
	backend.JobPlans
	backend.Chunks
	backend.Findings
}
