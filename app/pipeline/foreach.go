package pipeline

import (
	"context"
	"sync"
)

// ForEach calls fn with each of items, in their order, running at most
// conc calls at once (0 or less: DefaultConcurrency), and waits until every
// call has returned. Once ctx is done it starts no more calls.
func ForEach[T any](ctx context.Context, conc int, items []T, fn func(T)) {
	if conc <= 0 {
		conc = DefaultConcurrency
	}
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	for _, it := range items {
		if ctx.Err() != nil {
			break
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			fn(it)
		}()
	}
	wg.Wait()
}
