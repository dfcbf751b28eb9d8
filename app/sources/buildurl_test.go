package sources

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestAPIBaseURL checks which API each URL is sent to: the variable, or
// the provider's default; a self-hosted URL goes to the API the variable
// names on its host.
func TestAPIBaseURL(t *testing.T) {
	tests := []struct {
		url, flag string
		env       map[string]string
		wantPath  string // the path the first API request asks for
		wantHost  string // "" for the test server
	}{
		{url: "https://github.com/acme/api/actions/runs/5", env: map[string]string{"GITHUB_TOKEN": "tok123456"},
			wantPath: "/repos/acme/api/actions/runs/5"},
		{url: "https://git.acme.corp/acme/api/actions/runs/5", env: map[string]string{"GH_TOKEN": "tok123456", "GITHUB_API_URL": "https://git.acme.corp/api/v3"},
			wantHost: "git.acme.corp", wantPath: "/api/v3/repos/acme/api/actions/runs/5"},
		{url: "https://gitlab.example.org/g/sub/p/-/pipelines/9", env: map[string]string{"GITLAB_TOKEN": "tok123456", "GITLAB_API_URL": "https://gitlab.example.org/api/v4"},
			wantHost: "gitlab.example.org", wantPath: "/api/v4/projects/g%2Fsub%2Fp/pipelines/9"},
		{url: "https://buildkite.com/acme/api/builds/3", env: map[string]string{"BUILDKITE_API_TOKEN": "tok123456"},
			wantPath: "/v2/organizations/acme/pipelines/api/builds/3"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			var gotHost, gotPath string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				gotHost, gotPath = r.Host, r.URL.EscapedPath()
				w.WriteHeader(http.StatusTeapot)
			}))
			defer srv.Close()
			env := map[string]string{"GITHUB_API_URL": srv.URL, "BUILDKITE_API_URL": srv.URL}
			for k, v := range tt.env {
				env[k] = v
			}
			cfg := Config{Getenv: func(k string) string { return env[k] }}
			if tt.wantHost != "" {
				// Route the self-hosted host to the test server.
				cfg.HTTPClient = &http.Client{Transport: rewriteHost{to: srv.Listener.Addr().String()}}
			}
			in, err := Resolve(tt.url, cfg)
			require.NoError(t, err)
			require.Equal(t, []string{"tok123456"}, in.Secrets)
			_, err = in.Source.Build(context.Background())
			require.Error(t, err)
			require.Equal(t, tt.wantPath, gotPath)
			if tt.wantHost != "" {
				require.Equal(t, tt.wantHost, gotHost)
			}
		})
	}
}

// rewriteHost sends every request to one address, keeping its Host.
type rewriteHost struct{ to string }

func (r rewriteHost) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host = "http", r.to
	return http.DefaultTransport.RoundTrip(req)
}

func TestResolveBuildURLInputErrors(t *testing.T) {
	_, err := Resolve("https://github.com/acme/api/issues/1", Config{})
	var ie *InputError
	require.ErrorAs(t, err, &ie)
	require.Contains(t, err.Error(), "not a build URL")

	_, err = Resolve("https://github.com/acme/api/actions/runs/1", Config{Getenv: func(k string) string {
		return map[string]string{"GITHUB_TOKEN": "tok123456", "GITHUB_API_URL": "api.github.com"}[k]
	}})
	require.ErrorAs(t, err, &ie)
	require.Contains(t, err.Error(), "GITHUB_API_URL (or its flag) is not an http(s) URL")
}
