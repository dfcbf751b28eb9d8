package app

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/providers/providertest"
)

// hostileBuildURL is a build URL naming a host the token must not go to,
// the environment it is pasted in (besides the three tokens), and what
// the one-line error must say.
type hostileBuildURL struct {
	name, url string
	env       []string
	want      string
}

func hostileBuildURLs(h *providertest.Hostile) []hostileBuildURL {
	ghe := []string{"GITHUB_API_URL", "https://ghe.example.com/api/v3"}
	return []hostileBuildURL{
		{"a GitHub-shaped URL on another host", "https://evil.example/acme/api/actions/runs/1", nil,
			"evil.example is not the configured GitHub API host; set GITHUB_API_URL=https://evil.example/api/v3 to send GITHUB_TOKEN there"},
		{"a GitLab-shaped URL on another host", "https://evil.example/acme/api/-/pipelines/1", nil,
			"evil.example is not the configured GitLab API host; set GITLAB_API_URL=https://evil.example/api/v4 to send GITLAB_TOKEN there"},
		{"a GitLab job URL on another host", "https://evil.example/acme/api/-/jobs/5", nil,
			"evil.example is not the configured GitLab API host"},
		{"a loopback listener", h.URL() + "/acme/api/actions/runs/1", nil,
			strings.TrimPrefix(h.URL(), "http://") + " is not the configured GitHub API host"},
		{"plain http to a configured API", "http://ci.example.com/acme/api/actions/runs/1", []string{"GITHUB_API_URL", "http://ci.example.com/api/v3"},
			"GITHUB_API_URL (or its flag) is plain http to ci.example.com: a token is sent only over https"},
		{"the API's name as user info", "https://api.github.com@evil.example/acme/api/actions/runs/1", nil,
			"has a user@ part before its host evil.example"},
		{"github.com and a port as user info", "https://github.com:443@evil.example/acme/api/actions/runs/1", nil,
			"has a user@ part before its host evil.example"},
		{"mixed case", "https://EVIL.Example/acme/api/actions/runs/1", nil, "evil.example is not the configured GitHub API host"},
		{"a trailing dot", "https://evil.example./acme/api/actions/runs/1", nil, "evil.example is not the configured GitHub API host"},
		{"the configured host as a prefix", "https://ghe.example.com.evil.example/acme/api/actions/runs/1", ghe,
			"ghe.example.com.evil.example is not the configured GitHub API host"},
		{"a look-alike of the configured host", "https://ghе.example.com/acme/api/actions/runs/1", ghe, // Cyrillic е
			"xn--gh-olc.example.com is not the configured GitHub API host"},
		{"another port of the configured host", "https://ghe.example.com:8443/acme/api/actions/runs/1", ghe,
			"ghe.example.com:8443 is not the configured GitHub API host; set GITHUB_API_URL=https://ghe.example.com:8443/api/v3"},
		{"the host hidden behind a fragment", "https://evil.example#@github.com/acme/api/actions/runs/1", nil, "not a build URL"},
	}
}

// credentialEnv is the three tokens and env.
func credentialEnv(env ...string) []string {
	return append([]string{"GITHUB_TOKEN", secretToken, "GITLAB_TOKEN", secretToken, "BUILDKITE_API_TOKEN", secretToken}, env...)
}

// TestBuildURLOnAnotherHostGetsNoToken pastes hostile build URLs into
// analyze: each fails with one line naming the fix, and the listener every
// connection reaches receives nothing.
func TestBuildURLOnAnotherHostGetsNoToken(t *testing.T) {
	t.Parallel()
	eachHostileBuildURL(t, func(t *testing.T, h *providertest.Hostile, tt hostileBuildURL) {
		streams, out, errOut := TestStreams("", credentialEnv(tt.env...)...)
		streams.HTTPClient = h.Client()
		code := Main(context.Background(), []string{"destill", "analyze", tt.url}, streams)
		require.Empty(t, h.Leaks())
		require.NotEqual(t, 0, code, out)
		lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
		require.Contains(t, lines[0], tt.want)
		if len(lines) > 1 { // a usage error
			require.Equal(t, []string{"Run 'destill analyze --help' for usage."}, lines[1:])
		}
		require.NotContains(t, errOut.String(), secretToken)
		require.Empty(t, h.Requests(), "refused before any request")
	})

	// The harness catches a token sent: the configured host gets it.
	h := providertest.NewHostile(t, secretToken)
	streams, _, _ := TestStreams("", credentialEnv("GITHUB_API_URL", "https://ghe.example.com/api/v3")...)
	streams.HTTPClient = h.Client()
	require.NotEqual(t, 0, Main(context.Background(), []string{"destill", "analyze", "https://ghe.example.com/acme/api/actions/runs/1"}, streams))
	require.Contains(t, strings.Join(h.Leaks(), "\n"), "Authorization: Bearer "+secretToken+" to ghe.example.com/api/v3/repos/acme/api/actions/runs/1")
}

// eachHostileBuildURL runs test on every hostile build URL, each with its
// own listener.
func eachHostileBuildURL(t *testing.T, test func(*testing.T, *providertest.Hostile, hostileBuildURL)) {
	for i := range hostileBuildURLs(providertest.NewHostile(t)) {
		h := providertest.NewHostile(t, secretToken)
		tt := hostileBuildURLs(h)[i]
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			test(t, h, tt)
		})
	}
}

// TestMCPBuildURLOnAnotherHostGetsNoToken gives the same URLs to the
// analyze_build tool of `destill mcp`: each is a one-line tool error, and
// the listener receives nothing.
func TestMCPBuildURLOnAnotherHostGetsNoToken(t *testing.T) {
	t.Parallel()
	eachHostileBuildURL(t, func(t *testing.T, h *providertest.Hostile, tt hostileBuildURL) {
		streams, _, _ := TestStreams("", credentialEnv(tt.env...)...)
		streams.HTTPClient = h.Client()
		cs := mcpInProcess(t, streams)
		res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "analyze_build", Arguments: map[string]any{"url": tt.url}})
		require.NoError(t, err)
		require.Empty(t, h.Leaks())
		require.True(t, res.IsError)
		text := res.Content[0].(*mcp.TextContent).Text
		require.Contains(t, text, tt.want)
		require.NotContains(t, text, "\n")
		require.NotContains(t, text, secretToken)
		require.Empty(t, h.Requests(), "refused before any request")
	})
}

// mcpInProcess runs `destill mcp` on pipes in this process and connects a
// client to it; both end with the test.
func mcpInProcess(t *testing.T, streams *Streams) *mcp.ClientSession {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	streams.In, streams.Out = inR, outW
	done := make(chan int, 1)
	go func() {
		done <- Main(context.Background(), []string{"destill", "mcp"}, streams)
		outW.Close()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "v0"}, nil).
		Connect(ctx, &mcp.IOTransport{Reader: outR, Writer: inW}, nil)
	require.NoError(t, err)
	t.Cleanup(func() {
		cs.Close()
		inW.Close()
		require.Equal(t, 0, <-done)
	})
	return cs
}

// TestAnswerURLsOnAnotherHostGetNoToken analyzes builds whose API answers
// point every URL they name (next pages, logs, artifacts, redirects) at a
// hostile listener: it is asked, and never given the token.
func TestAnswerURLsOnAnotherHostGetNoToken(t *testing.T) {
	t.Parallel()
	for name, demo := range providerDemos {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sc := demo()
			sc.MaxPerPage = 2
			fake := newFake(t, sc)
			h := providertest.NewHostile(t, secretToken)
			fake.PointAt(h.URL(), "Link", "next", "Location", "raw_log_url", "download_url", "archive_download_url")
			analyzeURL(t, fake, fake.WebURL(0), nil)
			h.RequireNoLeak(t)
		})
	}
}
