package memory

import (
	"context"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/backend"
)

// SaveHistory implements backend.Store.
func (s *Store) SaveHistory(ctx context.Context, pipeline string, rec analysis.BuildRecord) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return backend.ErrClosed
	}
	if s.history == nil {
		s.history = map[string]map[string]analysis.BuildRecord{}
	}
	builds := s.history[pipeline]
	if builds == nil {
		builds = map[string]analysis.BuildRecord{}
		s.history[pipeline] = builds
	}
	builds[rec.ID] = clone(backend.MergeBuildRecord(builds[rec.ID], rec))
	return nil
}

// LoadHistory implements backend.Store.
func (s *Store) LoadHistory(ctx context.Context, q backend.HistoryQuery) ([]analysis.BuildRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, backend.ErrClosed
	}
	var all []analysis.BuildRecord
	for _, b := range s.history[q.Pipeline] {
		all = append(all, b)
	}
	return clone(backend.SelectHistory(all, q)), nil
}
