package memory

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/backend"
)

// Store is an in-process backend.Store. Everything it returns is a copy, as
// if it had been read from a database.
type Store struct {
	mu        sync.Mutex
	closed    bool
	requests  map[string]*request
	order     []string // request IDs in creation order
	baselines map[string][]byte
	// history holds recorded builds by pipeline and build ID.
	history map[string]map[string]analysis.BuildRecord
	now     func() time.Time
}

type request struct {
	req      backend.Request
	jobs     []backend.JobPlan
	chunks   map[chunkKey]storedChunk
	findings []analysis.Finding
}

type chunkKey struct {
	job string
	seq int
}

// storedChunk is a chunk result as a database keeps it: its first line and
// its result as a backend.ChunkRecord.
type storedChunk struct {
	firstLine int
	record    []byte
}

var _ backend.Store = (*Store)(nil)

// NewStore returns an empty Store.
func NewStore() *Store {
	return &Store{requests: map[string]*request{}, baselines: map[string][]byte{}, now: time.Now}
}

func (s *Store) stamp(t time.Time) time.Time {
	if t.IsZero() {
		t = s.now()
	}
	return t.UTC().Truncate(time.Microsecond)
}

func (s *Store) lookup(id string) (*request, error) {
	if s.closed {
		return nil, backend.ErrClosed
	}
	r, ok := s.requests[id]
	if !ok {
		return nil, fmt.Errorf("request %q: %w", id, backend.ErrNotFound)
	}
	return r, nil
}

// CreateRequest implements backend.Store.
func (s *Store) CreateRequest(ctx context.Context, req backend.Request) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return backend.ErrClosed
	}
	if req.ID == "" {
		return fmt.Errorf("create request: empty ID")
	}
	if _, ok := s.requests[req.ID]; ok {
		return fmt.Errorf("request %q: %w", req.ID, backend.ErrExists)
	}
	r := backend.Request{
		ID:        req.ID,
		Input:     req.Input,
		Options:   clone(req.Options),
		Status:    backend.StatusQueued,
		CreatedAt: s.stamp(req.CreatedAt),
	}
	r.UpdatedAt = r.CreatedAt
	s.requests[req.ID] = &request{req: r, chunks: map[chunkKey]storedChunk{}}
	s.order = append(s.order, req.ID)
	return nil
}

// GetRequest implements backend.Store.
func (s *Store) GetRequest(ctx context.Context, id string) (backend.Request, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.lookup(id)
	if err != nil {
		return backend.Request{}, err
	}
	return clone(r.req), nil
}

// newestFirst returns the request IDs newest first.
func (s *Store) newestFirst() []string {
	ids := append([]string(nil), s.order...)
	sort.SliceStable(ids, func(a, b int) bool {
		ra, rb := s.requests[ids[a]].req, s.requests[ids[b]].req
		if !ra.CreatedAt.Equal(rb.CreatedAt) {
			return ra.CreatedAt.After(rb.CreatedAt)
		}
		return ra.ID > rb.ID
	})
	return ids
}

// FindRequests implements backend.Store.
func (s *Store) FindRequests(ctx context.Context, url string, limit int) ([]backend.Request, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, backend.ErrClosed
	}
	var out []backend.Request
	for _, id := range s.newestFirst() {
		r := s.requests[id].req
		if r.Input == url || (r.BuildURL != "" && r.BuildURL == url) {
			out = append(out, clone(r))
			if limit > 0 && len(out) == limit {
				break
			}
		}
	}
	return out, nil
}

// ListRequests implements backend.Store.
func (s *Store) ListRequests(ctx context.Context, limit int) ([]backend.RequestSummary, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, backend.ErrClosed
	}
	var out []backend.RequestSummary
	for _, id := range s.newestFirst() {
		r := s.requests[id]
		sum := backend.RequestSummary{Request: clone(r.req), Findings: len(r.findings)}
		if len(r.findings) > 0 {
			top := clone(r.findings[0])
			sum.Top = &top
		}
		out = append(out, sum)
		if limit > 0 && len(out) == limit {
			break
		}
	}
	return out, nil
}

// SetStatus implements backend.Store.
func (s *Store) SetStatus(ctx context.Context, id string, status backend.Status, errMsg string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.lookup(id)
	if err != nil {
		return false, err
	}
	if !r.req.Status.CanMoveTo(status) {
		return false, nil
	}
	r.req.Status = status
	if status == backend.StatusFailed {
		r.req.Error = errMsg
	}
	r.req.UpdatedAt = s.stamp(time.Time{})
	return true, nil
}

// PlanRequest implements backend.Store.
func (s *Store) PlanRequest(ctx context.Context, id string, plan backend.Plan) (backend.Progress, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.lookup(id)
	if err != nil {
		return backend.Progress{}, err
	}
	rep := clone(plan.Report)
	rep.Findings = nil
	r.req.Report = rep
	r.req.BuildURL = plan.BuildURL
	r.req.TestReports = clone(plan.TestReports)
	known := map[string]bool{}
	for _, j := range r.jobs {
		known[j.JobID] = true
	}
	for _, id := range plan.Jobs {
		if !known[id] {
			known[id] = true
			r.jobs = append(r.jobs, backend.JobPlan{JobID: id, Chunks: -1})
			for k := range r.chunks {
				if k.job == id {
					r.req.Progress.ChunksDone++
				}
			}
		}
	}
	r.req.Progress.Planned = true
	r.req.Progress.JobsSelected = len(r.jobs)
	r.req.UpdatedAt = s.stamp(time.Time{})
	return r.req.Progress, nil
}

// Jobs implements backend.Store.
func (s *Store) Jobs(ctx context.Context, id string) ([]backend.JobPlan, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.lookup(id)
	if err != nil {
		return nil, err
	}
	return append([]backend.JobPlan{}, r.jobs...), nil
}

// SetJobChunks implements backend.Store.
func (s *Store) SetJobChunks(ctx context.Context, id, jobID string, chunks int, jobErr string) (backend.Progress, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.lookup(id)
	if err != nil {
		return backend.Progress{}, err
	}
	if chunks < 0 {
		return backend.Progress{}, fmt.Errorf("job %q of request %q: negative chunk count %d", jobID, id, chunks)
	}
	for i := range r.jobs {
		j := &r.jobs[i]
		if j.JobID != jobID {
			continue
		}
		if j.Chunks < 0 {
			j.Chunks, j.Error = chunks, jobErr
			r.req.Progress.JobsFetched++
			r.req.Progress.ChunksTotal += chunks
			for k := range r.chunks {
				if k.job == jobID && k.seq >= chunks {
					r.req.Progress.ChunksDone--
				}
			}
			r.req.UpdatedAt = s.stamp(time.Time{})
		}
		return r.req.Progress, nil
	}
	return backend.Progress{}, fmt.Errorf("job %q of request %q: %w", jobID, id, backend.ErrNotFound)
}

// SaveChunkResult implements backend.Store.
func (s *Store) SaveChunkResult(ctx context.Context, res backend.ChunkResult) (backend.Progress, error) {
	record, err := backend.EncodeChunkResult(res.Result)
	if err != nil {
		return backend.Progress{}, fmt.Errorf("encode chunk %d of job %q: %w", res.Seq, res.JobID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.lookup(res.RequestID)
	if err != nil {
		return backend.Progress{}, err
	}
	k := chunkKey{res.JobID, res.Seq}
	if _, ok := r.chunks[k]; !ok {
		r.chunks[k] = storedChunk{firstLine: res.FirstLine, record: record}
		for _, j := range r.jobs {
			if j.JobID == res.JobID && (j.Chunks < 0 || res.Seq < j.Chunks) {
				r.req.Progress.ChunksDone++
			}
		}
		r.req.UpdatedAt = s.stamp(time.Time{})
	}
	return r.req.Progress, nil
}

// ChunkResults implements backend.Store.
func (s *Store) ChunkResults(ctx context.Context, id string) ([]backend.ChunkResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.lookup(id)
	if err != nil {
		return nil, err
	}
	out := make([]backend.ChunkResult, 0, len(r.chunks))
	for k, c := range r.chunks {
		res, err := backend.DecodeChunkResult(c.record)
		if err != nil {
			return nil, fmt.Errorf("chunk %d of job %q of request %s: %w", k.seq, k.job, id, err)
		}
		out = append(out, backend.ChunkResult{RequestID: id, JobID: k.job, Seq: k.seq, FirstLine: c.firstLine, Result: res})
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].JobID != out[b].JobID {
			return out[a].JobID < out[b].JobID
		}
		return out[a].Seq < out[b].Seq
	})
	return out, nil
}

// FinishRequest implements backend.Store.
func (s *Store) FinishRequest(ctx context.Context, id string, rep analysis.Report) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.lookup(id)
	if err != nil {
		return false, err
	}
	if r.req.Status.Terminal() {
		return false, nil
	}
	// Findings are keyed by fingerprint: a report listing one twice keeps
	// the first, as the database's upsert does.
	seen := map[string]bool{}
	var findings []analysis.Finding
	for _, f := range clone(rep.Findings) {
		if !seen[f.Fingerprint] {
			seen[f.Fingerprint] = true
			findings = append(findings, f)
		}
	}
	sort.SliceStable(findings, func(a, b int) bool { return findings[a].Rank < findings[b].Rank })
	r.findings = findings
	rep = clone(rep)
	rep.Findings = nil
	r.req.Report = rep
	r.req.Status = backend.StatusDone
	r.req.UpdatedAt = s.stamp(time.Time{})
	return true, nil
}

// ListFindings implements backend.Store.
func (s *Store) ListFindings(ctx context.Context, id string) ([]analysis.Finding, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.lookup(id)
	if err != nil {
		return nil, err
	}
	return append([]analysis.Finding{}, clone(r.findings)...), nil
}

// SaveBaseline implements backend.Store.
func (s *Store) SaveBaseline(ctx context.Context, key string, model []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return backend.ErrClosed
	}
	s.baselines[key] = append([]byte(nil), model...)
	return nil
}

// LoadBaseline implements backend.Store.
func (s *Store) LoadBaseline(ctx context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, backend.ErrClosed
	}
	m, ok := s.baselines[key]
	if !ok {
		return nil, fmt.Errorf("baseline %q: %w", key, backend.ErrNotFound)
	}
	return append([]byte(nil), m...), nil
}

// Close implements backend.Store.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

// clone deep-copies v through JSON, as a database round trip would.
func clone[T any](v T) T {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("memory store: encode %T: %v", v, err))
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("memory store: decode %T: %v", v, err))
	}
	return out
}
