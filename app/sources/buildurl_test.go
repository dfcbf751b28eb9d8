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

// TestResolveJenkins checks where the Jenkins user and API token go: as
// basic auth to JENKINS_URL's host only, never elsewhere, never over plain
// http to a remote host; half of them is an input error.
func TestResolveJenkins(t *testing.T) {
	creds := map[string]string{"JENKINS_USER_ID": "ci-bot", "JENKINS_API_TOKEN": "tok123456"}
	with := func(kv ...string) func(string) string {
		env := map[string]string{}
		for k, v := range creds {
			env[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			env[kv[i]] = kv[i+1]
		}
		return func(k string) string { return env[k] }
	}
	tests := []struct {
		name, url string
		cfg       Config
		wantAuth  bool
		wantErr   string
	}{
		{"JENKINS_URL's host", "https://ci.example.com/jenkins/job/api/7/", Config{Getenv: with("JENKINS_URL", "https://ci.example.com/jenkins")}, true, ""},
		{"the flag wins", "https://ci.example.com/job/api/7/", Config{Getenv: with("JENKINS_URL", "https://other.example.com"), JenkinsURL: "https://ci.example.com/"}, true, ""},
		{"another host", "https://ci.evil.example/job/api/7/", Config{Getenv: with("JENKINS_URL", "https://ci.example.com")}, false, ""},
		{"no JENKINS_URL", "https://ci.example.com/job/api/7/", Config{Getenv: with()}, false, ""},
		{"plain http to a remote host", "http://ci.example.com/job/api/7/", Config{Getenv: with("JENKINS_URL", "http://ci.example.com")}, false,
			"JENKINS_URL (or its flag) is plain http to ci.example.com: a token is sent only over https"},
		{"half the credentials", "https://ci.example.com/job/api/7/", Config{Getenv: func(k string) string { return map[string]string{"JENKINS_API_TOKEN": "t"}[k] }}, false,
			"JENKINS_API_TOKEN is set but JENKINS_USER_ID is not"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gotAuth string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				gotAuth = r.Header.Get("Authorization")
				w.WriteHeader(http.StatusTeapot)
			}))
			defer srv.Close()
			tt.cfg.HTTPClient = &http.Client{Transport: rewriteHost{to: srv.Listener.Addr().String()}}
			in, err := Resolve(tt.url, tt.cfg)
			if tt.wantErr != "" {
				var ie *InputError
				require.ErrorAs(t, err, &ie)
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, []string{"tok123456"}, in.Secrets)
			require.Equal(t, "jenkins", in.Describe.Kind)
			_, err = in.Source.Build(context.Background())
			require.Error(t, err)
			if tt.wantAuth {
				require.Equal(t, "Basic Y2ktYm90OnRvazEyMzQ1Ng==", gotAuth)
			} else {
				require.Empty(t, gotAuth)
			}
		})
	}

	// Anonymous: no credentials at all.
	in, err := Resolve("https://ci.example.com/job/api/7/", Config{})
	require.NoError(t, err)
	require.Empty(t, in.Secrets)
}
