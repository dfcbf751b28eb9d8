package pipeline

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestForEachCallsEachItemAtMostConcAtOnce(t *testing.T) {
	t.Parallel()
	var running, peak atomic.Int32
	var mu sync.Mutex
	seen := map[int]bool{}
	items := []int{1, 2, 3, 4, 5, 6, 7}
	ForEach(context.Background(), 3, items, func(i int) {
		n := running.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
		running.Add(-1)
		mu.Lock()
		seen[i] = true
		mu.Unlock()
	})
	require.Len(t, seen, len(items), "every item, and all of them done when ForEach returns")
	require.LessOrEqual(t, peak.Load(), int32(3))
	require.Zero(t, running.Load())
}

func TestForEachStartsNothingOnceCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int32
	ForEach(ctx, 1, []int{1, 2, 3, 4}, func(int) {
		calls.Add(1)
		cancel()
	})
	require.Equal(t, int32(1), calls.Load())
}
