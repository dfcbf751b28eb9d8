package mcpserver

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// storeBundle is a RecentRequests and a record of the requests it released.
type storeBundle struct {
	store *RecentRequests
	mu    sync.Mutex
	freed []string
}

func setupStore(t *testing.T, maxRequests int, maxBytes int64) *storeBundle {
	t.Helper()
	b := &storeBundle{store: NewRecentRequests(maxRequests, maxBytes)}
	t.Cleanup(func() { b.store.Close() })
	return b
}

func (b *storeBundle) put(t *testing.T, id string, bytes int64) *Request {
	t.Helper()
	r := &Request{ID: id, Bytes: bytes, CloseFunc: func() error {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.freed = append(b.freed, id)
		return nil
	}}
	require.NoError(t, b.store.Put(context.Background(), r))
	return r
}

func (b *storeBundle) released() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.freed...)
}

func TestRecentRequestsEvictsLeastRecentlyUsed(t *testing.T) {
	t.Parallel()
	b := setupStore(t, 3, 0)
	ctx := context.Background()
	for i := range 3 {
		b.put(t, fmt.Sprint(i), 10)
	}
	_, err := b.store.Get(ctx, "0") // 0 becomes the most recently used
	require.NoError(t, err)
	b.put(t, "3", 10)
	require.Equal(t, []string{"1"}, b.released())
	_, err = b.store.Get(ctx, "1")
	require.ErrorIs(t, err, ErrUnknownRequest)
	for _, id := range []string{"0", "2", "3"} {
		r, err := b.store.Get(ctx, id)
		require.NoError(t, err)
		require.Equal(t, id, r.ID)
	}
	require.Equal(t, 3, b.store.Len())
}

func TestRecentRequestsBoundsLogBytes(t *testing.T) {
	t.Parallel()
	b := setupStore(t, 10, 100)
	b.put(t, "a", 40)
	b.put(t, "b", 40)
	b.put(t, "c", 40) // 120 > 100: a goes
	require.Equal(t, []string{"a"}, b.released())
	b.put(t, "huge", 500) // the newest stays, whatever its size
	require.Equal(t, []string{"a", "b", "c"}, b.released())
	require.Equal(t, 1, b.store.Len())
}

func TestRecentRequestsReplacesAndCloses(t *testing.T) {
	t.Parallel()
	b := setupStore(t, 3, 0)
	b.put(t, "x", 1)
	b.put(t, "x", 2) // the same ID again releases the old one
	require.Equal(t, []string{"x"}, b.released())
	require.Equal(t, 1, b.store.Len())

	b.put(t, "y", 1)
	require.NoError(t, b.store.Close())
	require.ElementsMatch(t, []string{"x", "x", "y"}, b.released())
	require.Equal(t, 0, b.store.Len())
	err := b.store.Put(context.Background(), &Request{ID: "z"})
	require.ErrorIs(t, err, ErrClosed)
}

func TestRecentRequestsConcurrentUse(t *testing.T) {
	t.Parallel()
	b := setupStore(t, 5, 0)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				id := fmt.Sprintf("%d-%d", g, i)
				b.put(t, id, 1)
				_, _ = b.store.Get(context.Background(), id)
			}
		}()
	}
	wg.Wait()
	require.Equal(t, 5, b.store.Len())
	require.Len(t, b.released(), 8*50-5)
}
