package memory_test

import (
	"testing"

	"github.com/destill-dev/destill/backend"
	"github.com/destill-dev/destill/backend/backendtest"
	"github.com/destill-dev/destill/backend/memory"
)

func TestTransportConformance(t *testing.T) {
	t.Parallel()
	const capacity = 64
	backendtest.RunTransportSuite(t,
		backendtest.TransportFeatures{SharedOnly: true, Capacity: capacity},
		func(t *testing.T) backend.Transport {
			tr := memory.NewTransport(memory.TransportOptions{Capacity: capacity})
			t.Cleanup(func() { _ = tr.Close() })
			return tr
		})
}
