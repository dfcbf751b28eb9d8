// Package backend defines how destill's distributed mode moves messages
// between its stages (Transport) and where it keeps requests, per-chunk
// results and findings (Store). Store is made of roles (Requests, JobPlans,
// Chunks, Findings, BaselineModels), and each consumer names only the roles
// it uses. Implementations live in backend/memory,
// backend/kafka and backend/postgres; backend/backendtest holds the
// conformance suites every implementation must pass. Choosing an
// implementation is wiring and happens in app/.
package backend
