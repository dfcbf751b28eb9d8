package app

import (
	"context"
	"errors"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/baselines"
	"github.com/destill-dev/destill/backend"
)

// databaseBaselines keeps baseline models in the configured backend store, so
// every destill process of a deployment reuses them.
type databaseBaselines struct {
	db backend.BaselineModels
}

var _ baselines.Backing = databaseBaselines{}

func (s databaseBaselines) LoadBaseline(ctx context.Context, key string) (*analysis.Baseline, bool, error) {
	data, err := s.db.LoadBaseline(ctx, key)
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

func (s databaseBaselines) SaveBaseline(ctx context.Context, key string, b *analysis.Baseline) error {
	data, err := b.MarshalBinary()
	if err != nil {
		return err
	}
	return s.db.SaveBaseline(ctx, key, data)
}
