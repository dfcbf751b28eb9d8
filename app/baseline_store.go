package app

import (
	"context"
	"errors"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/baselines"
	"github.com/destill-dev/destill/backend"
)

// storeBaselines keeps baseline models in the configured backend store, so
// every destill process of a deployment reuses them.
type storeBaselines struct {
	store backend.BaselineModels
}

var _ baselines.Store = storeBaselines{}

func (s storeBaselines) LoadBaseline(ctx context.Context, key string) (*analysis.Baseline, bool, error) {
	data, err := s.store.LoadBaseline(ctx, key)
	if errors.Is(err, backend.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	b, err := analysis.UnmarshalBaseline(data)
	if err != nil {
		return nil, false, nil // written by another version: build it again
	}
	return b, true, nil
}

func (s storeBaselines) SaveBaseline(ctx context.Context, key string, b *analysis.Baseline) error {
	data, err := b.MarshalBinary()
	if err != nil {
		return err
	}
	return s.store.SaveBaseline(ctx, key, data)
}
