// Package silenthttp serves, for tests, what a hung server does: it takes
// the connection and the request, and never answers.
package silenthttp

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// Server returns a server that accepts connections and never answers a
// request, until the test ends (or the client gives up).
func Server(t testing.TB) *httptest.Server {
	t.Helper()
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-stop:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() {
		close(stop)
		srv.Close()
	})
	return srv
}
