package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHealthcheck(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/readyz":
			w.WriteHeader(http.StatusOK)
		default:
			http.Error(w, "not ready", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	for _, tc := range []struct {
		name    string
		args    []string
		code    int
		wantErr string
	}{
		{"ready", []string{"--url", srv.URL + "/readyz"}, exitOK, ""},
		{"not ready", []string{"--url", srv.URL + "/other"}, exitFailure, "answered 503 Service Unavailable"},
		{"nothing listening", []string{"--url", closed.URL + "/readyz"}, exitFailure, "unreachable"},
		{"bad url", []string{"--url", "://x"}, exitUsage, "bad --url"},
		{"argument", []string{"http://x"}, exitUsage, "takes no arguments"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			streams, out, errOut := TestStreams("")
			code := Main(context.Background(), append([]string{"destill", "healthcheck"}, tc.args...), streams)
			require.Equal(t, tc.code, code, errOut.String())
			require.Empty(t, out.String())
			require.Contains(t, errOut.String(), tc.wantErr)
		})
	}
}
