package mcpserver

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"sync"
)

// Defaults for NewRecentRequests.
const (
	// DefaultMaxRequests is how many analyses the server keeps.
	DefaultMaxRequests = 20
	// DefaultMaxLogBytes caps the disk space of the logs kept for them.
	DefaultMaxLogBytes = 2 << 30
)

// RecentRequests keeps requests in memory, least recently used first out:
// at most maxRequests, and no more than maxBytes of kept logs (the most
// recent request is kept whatever its size).
type RecentRequests struct {
	maxRequests int
	maxBytes    int64

	mu     sync.Mutex
	lru    *list.List // of *Request, most recently used first
	byID   map[string]*list.Element
	bytes  int64
	closed bool
}

// NewRecentRequests returns an empty RecentRequests. Values <= 0 select the
// defaults.
func NewRecentRequests(maxRequests int, maxBytes int64) *RecentRequests {
	if maxRequests <= 0 {
		maxRequests = DefaultMaxRequests
	}
	if maxBytes <= 0 {
		maxBytes = DefaultMaxLogBytes
	}
	return &RecentRequests{maxRequests: maxRequests, maxBytes: maxBytes, lru: list.New(), byID: map[string]*list.Element{}}
}

// Put keeps req as the most recently used request and evicts the least
// recently used ones beyond the store's bounds.
func (s *RecentRequests) Put(ctx context.Context, req *Request) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	req.Results = nil // nothing reads them here
	var evicted []*Request
	if el, ok := s.byID[req.ID]; ok {
		old := s.lru.Remove(el).(*Request)
		s.bytes -= old.Bytes
		delete(s.byID, req.ID)
		if old != req {
			evicted = append(evicted, old)
		}
	}
	s.byID[req.ID] = s.lru.PushFront(req)
	s.bytes += req.Bytes
	for s.lru.Len() > s.maxRequests || (s.bytes > s.maxBytes && s.lru.Len() > 1) {
		old := s.lru.Remove(s.lru.Back()).(*Request)
		delete(s.byID, old.ID)
		s.bytes -= old.Bytes
		evicted = append(evicted, old)
	}
	s.mu.Unlock()
	return closeAll(evicted)
}

// Get returns the request with id and marks it most recently used.
func (s *RecentRequests) Get(ctx context.Context, id string) (*Request, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	el, ok := s.byID[id]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownRequest, id)
	}
	s.lru.MoveToFront(el)
	return el.Value.(*Request), nil
}

// Len returns how many requests the store holds.
func (s *RecentRequests) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lru.Len()
}

// Close drops every request and deletes their kept logs.
func (s *RecentRequests) Close() error {
	s.mu.Lock()
	s.closed = true
	var all []*Request
	for el := s.lru.Front(); el != nil; el = el.Next() {
		all = append(all, el.Value.(*Request))
	}
	s.lru.Init()
	s.byID = map[string]*list.Element{}
	s.bytes = 0
	s.mu.Unlock()
	return closeAll(all)
}

func closeAll(reqs []*Request) error {
	var errs []error
	for _, r := range reqs {
		if err := r.close(); err != nil {
			errs = append(errs, fmt.Errorf("release request %s: %w", r.ID, err))
		}
	}
	return errors.Join(errs...)
}
