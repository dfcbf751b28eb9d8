package memory_test

import (
	"testing"

	"github.com/destill-dev/destill/backend"
	"github.com/destill-dev/destill/backend/backendtest"
	"github.com/destill-dev/destill/backend/memory"
)

func TestStoreConformance(t *testing.T) {
	t.Parallel()
	backendtest.RunStoreSuite(t, func(t *testing.T) backend.Store { return memory.NewStore() })
}
