package postgres_test

import (
	"testing"

	"github.com/destill-dev/destill/backend"
	"github.com/destill-dev/destill/backend/backendtest"
	"github.com/destill-dev/destill/backend/postgres/postgrestest"
)

func TestStoreConformance(t *testing.T) {
	t.Parallel()
	backendtest.RunStoreSuite(t, func(t *testing.T) backend.Store { return postgrestest.NewStore(t) })
}
