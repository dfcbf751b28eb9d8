package baselines

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/analysis"
)

// fakeClock is a settable clock for the cache.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestCacheLookupsExpire(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)}
	c := NewCache(nil)
	c.now = clock.now
	calls := 0
	get := func() {
		_, err := c.passingBuild(context.Background(), "k", func(context.Context) (lookup, error) {
			calls++
			return lookup{ok: true}, nil
		})
		require.NoError(t, err)
	}
	get()
	clock.t = clock.t.Add(DefaultLookupTTL - time.Second)
	get()
	require.Equal(t, 1, calls, "remembered within the TTL")
	clock.t = clock.t.Add(2 * time.Second)
	get()
	require.Equal(t, 2, calls, "a new build may have passed since")
}

func TestCacheModelsKeptErrorsExpire(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)}
	c := NewCache(nil)
	c.now = clock.now
	builds, fails := 0, 0
	model := func() (*analysis.Baseline, error) {
		return c.model(context.Background(), "ok", func(context.Context) (*analysis.Baseline, error) {
			builds++
			return analysis.NewBaselineBuilder().Baseline(), nil
		})
	}
	failing := func() error {
		_, err := c.model(context.Background(), "gone", func(context.Context) (*analysis.Baseline, error) {
			fails++
			return nil, errors.New("log expired or deleted (410 Gone)")
		})
		return err
	}
	m1, _ := model()
	require.Error(t, failing())
	require.Error(t, failing())
	clock.t = clock.t.Add(24 * time.Hour)
	m2, _ := model()
	require.Error(t, failing())
	require.Same(t, m1, m2, "a finished job's log does not change")
	require.Equal(t, 1, builds)
	require.Equal(t, 2, fails, "a failure is retried after the TTL")
}

func TestCacheEvictsOldestModels(t *testing.T) {
	c := NewCache(nil)
	c.maxModels = 3
	built := map[string]int{}
	get := func(key string) {
		_, err := c.model(context.Background(), key, func(context.Context) (*analysis.Baseline, error) {
			built[key]++
			return analysis.NewBaselineBuilder().Baseline(), nil
		})
		require.NoError(t, err)
	}
	for i := range 5 {
		get(fmt.Sprint(i))
	}
	require.Len(t, c.models, 3)
	get("4")
	get("2")
	require.Equal(t, 1, built["2"], "recent models kept")
	get("0")
	require.Equal(t, 2, built["0"], "the oldest was dropped")
}
