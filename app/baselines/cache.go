package baselines

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/providers"
)

// Backing keeps baseline models beyond one process, behind a Cache: app
// keeps them in the configured PostgreSQL database (backend.BaselineModels,
// encoded with analysis.Baseline.MarshalBinary). Keys name one finished
// job's log at one API, so an entry never goes stale. It must be safe for
// concurrent use.
type Backing interface {
	// LoadBaseline returns the model saved under key, if any.
	LoadBaseline(ctx context.Context, key string) (*analysis.Baseline, bool, error)
	// SaveBaseline saves a model under key.
	SaveBaseline(ctx context.Context, key string, b *analysis.Baseline) error
}

// Cache defaults.
const (
	// DefaultLookupTTL is how long a search for a passing build (and any
	// failure to read a log) is remembered: new builds pass all the time.
	DefaultLookupTTL = 10 * time.Minute
	// DefaultMaxModels caps the models kept in memory.
	DefaultMaxModels = 256
)

// Cache keeps, for one process, the searches for passing builds and the
// baseline models built from passing logs, so that a model is built once
// however many jobs (and analyses) need it. Concurrent requests for the
// same entry wait for the one in flight. It is safe for concurrent use;
// share one across the analyses of a long-running process.
type Cache struct {
	backing   Backing
	lookupTTL time.Duration
	maxModels int
	now       func() time.Time

	mu       sync.Mutex
	seq      int64
	lookups  map[string]*entry[lookup]
	branches map[string]*entry[string]
	models   map[string]*entry[*analysis.Baseline]
}

// lookup is the answer of Finder.PassingBuild.
type lookup struct {
	build providers.Build
	ok    bool
}

type entry[V any] struct {
	done     chan struct{}
	v        V
	err      error
	finished bool
	expires  time.Time // zero: never
	seq      int64     // creation order, for eviction
}

// NewCache returns an empty cache; store, when not nil, is consulted for
// models this process has not built.
func NewCache(backing Backing) *Cache {
	return &Cache{
		backing:   backing,
		lookupTTL: DefaultLookupTTL,
		maxModels: DefaultMaxModels,
		now:       time.Now,
		lookups:   map[string]*entry[lookup]{},
		branches:  map[string]*entry[string]{},
		models:    map[string]*entry[*analysis.Baseline]{},
	}
}

func (c *Cache) passingBuild(ctx context.Context, key string, fn func(context.Context) (lookup, error)) (lookup, error) {
	return do(ctx, c, c.lookups, key, policy{expire: true}, fn)
}

func (c *Cache) defaultBranch(ctx context.Context, key string, fn func(context.Context) (string, error)) (string, error) {
	return do(ctx, c, c.branches, key, policy{expire: true}, fn)
}

// model returns the model saved under key: from memory, else from the
// store, else built (and then saved to the store).
func (c *Cache) model(ctx context.Context, key string, build func(context.Context) (*analysis.Baseline, error)) (*analysis.Baseline, error) {
	return do(ctx, c, c.models, key, policy{max: c.maxModels}, func(ctx context.Context) (*analysis.Baseline, error) {
		if c.backing != nil {
			// A store that fails only costs a rebuild from the log.
			if b, ok, err := c.backing.LoadBaseline(ctx, key); err == nil && ok && b != nil {
				return b, nil
			}
		}
		b, err := build(ctx)
		if err == nil && c.backing != nil {
			_ = c.backing.SaveBaseline(ctx, key, b)
		}
		return b, err
	})
}

// policy says how long entries live: with expire, every entry for the
// lookup TTL (errors always do); max caps the entries (0: no cap).
type policy struct {
	expire bool
	max    int
}

// do returns the entry of m under key, computing it with fn when it is
// missing or expired. One caller computes; the others wait for it or for
// their own context. An entry whose computation was interrupted is
// dropped, and a waiter whose context is still live computes it again.
func do[V any](ctx context.Context, c *Cache, m map[string]*entry[V], key string, p policy, fn func(context.Context) (V, error)) (V, error) {
	for {
		c.mu.Lock()
		e, ok := m[key]
		if ok && e.finished && !e.expires.IsZero() && c.now().After(e.expires) {
			delete(m, key)
			ok = false
		}
		if !ok {
			c.seq++
			e = &entry[V]{done: make(chan struct{}), seq: c.seq}
			m[key] = e
			evict(m, p.max)
			c.mu.Unlock()
			v, err := fn(ctx)
			c.mu.Lock()
			e.v, e.err, e.finished = v, err, true
			switch {
			case interrupted(err):
				if m[key] == e {
					delete(m, key)
				}
			case p.expire || err != nil:
				e.expires = c.now().Add(c.lookupTTL)
			}
			c.mu.Unlock()
			close(e.done)
			return v, err
		}
		c.mu.Unlock()
		select {
		case <-e.done:
		case <-ctx.Done():
			var zero V
			return zero, ctx.Err()
		}
		if interrupted(e.err) && ctx.Err() == nil {
			continue
		}
		return e.v, e.err
	}
}

// evict drops the oldest finished entries of m beyond max (0: no cap).
func evict[V any](m map[string]*entry[V], max int) {
	for max > 0 && len(m) > max {
		oldest, seq := "", int64(0)
		for k, e := range m {
			if e.finished && (oldest == "" || e.seq < seq) {
				oldest, seq = k, e.seq
			}
		}
		if oldest == "" {
			return // all in flight
		}
		delete(m, oldest)
	}
}

func interrupted(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
