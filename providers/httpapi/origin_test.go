package httpapi_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/providers/httpapi"
	"github.com/destill-dev/destill/providers/providertest"
)

// token is the credential the clients send.
const token = "s3cr3t-token-value"

// TestCredentialsGoOnlyToTheAPIOrigin sends requests for URLs that name
// every kind of host, through a client whose connections all reach one
// recording listener: only a URL of the configured API's scheme, host and
// port carries the token.
func TestCredentialsGoOnlyToTheAPIOrigin(t *testing.T) {
	tests := []struct {
		name, base, url string
		sent            bool   // the token reaches the listener
		wantErr         string // the request fails before anything is sent
	}{
		{"the API itself", "https://api.example.com", "https://api.example.com/x", true, ""},
		{"the API with a path", "https://ghe.example.com/api/v3", "https://ghe.example.com/api/v3/repos", true, ""},
		{"mixed case and a trailing dot", "https://api.example.com", "https://API.Example.COM./x", true, ""},
		{"full-width letters net/http maps to the API", "https://api.example.com", "https://ａｐｉ.example.com/x", true, ""},
		{"a user:password@ part is dropped", "https://api.example.com", "https://someone:pw@api.example.com/x", true, ""},
		{"another host", "https://api.example.com", "https://evil.example/x", false, ""},
		{"the API's name as a prefix", "https://api.example.com", "https://api.example.com.evil.example/x", false, ""},
		{"the API's name as user info", "https://api.example.com", "https://api.example.com@evil.example/x", false, ""},
		{"the API's name as a suffix", "https://api.example.com", "https://evilapi.example.com/x", false, ""},
		{"a look-alike IDN", "https://api.example.com", "https://аpi.example.com/x", false, ""},
		{"another port", "https://api.example.com", "https://api.example.com:8443/x", false, ""},
		{"plain http to the API's host", "https://api.example.com", "http://api.example.com/x", false, ""},
		{"an API over plain http", "http://api.example.com", "http://api.example.com/x", false, "refusing to send the token over plain http to api.example.com"},
		{"no API configured", "", "https://api.example.com/x", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := providertest.NewHostile(t, token)
			c := httpapi.New(httpapi.Config{Name: "Test", BaseURL: tt.base, HTTP: h.Client(), MaxTries: 1,
				Auth: func(h http.Header) { h.Set("Authorization", "Bearer "+token) }})
			_, err := c.Get(context.Background(), tt.url, nil)
			require.Error(t, err, "the listener answers 401")
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				require.Empty(t, h.Requests())
				return
			}
			require.Len(t, h.Requests(), 1, "the request reached the listener")
			if tt.sent {
				require.Contains(t, strings.Join(h.Leaks(), "\n"), "Authorization: Bearer "+token)
				require.NotContains(t, strings.Join(h.Leaks(), "\n"), "basic auth")
				return
			}
			h.RequireNoLeak(t)
		})
	}
}

func TestCheckBaseURL(t *testing.T) {
	for raw, want := range map[string]string{
		"https://api.github.com":              "",
		"https://ghe.example.com:8443/api/v3": "",
		"http://127.0.0.1:8080/github":        "",
		"http://localhost:8080":               "",
		"http://[::1]:8080":                   "",
		"http://ghe.example.com/api/v3":       "GITHUB_API_URL (or its flag) is plain http to ghe.example.com: a token is sent only over https (plain http only to a loopback host); use https://ghe.example.com/api/v3",
		"https://user:pw@ghe.example.com":     "must not hold a user:password@ part",
		"api.github.com":                      "is not an http(s) URL",
		"ftp://api.github.com":                "is not an http(s) URL",
	} {
		err := httpapi.CheckBaseURL(raw, "GITHUB_API_URL")
		if want == "" {
			require.NoError(t, err, raw)
			continue
		}
		require.ErrorContains(t, err, want, raw)
		require.NotContains(t, err.Error(), "\n")
	}
}

func TestSameHost(t *testing.T) {
	for _, tt := range []struct {
		web, api string
		want     bool
	}{
		{"https://ghe.example.com/o/r/actions/runs/1", "https://ghe.example.com/api/v3", true},
		{"https://GHE.example.com./o/r", "https://ghe.example.com/api/v3", true},
		{"https://acme.ghe.com/o/r", "https://api.acme.ghe.com", true},
		{"https://ghe.example.com:8443/o/r", "https://ghe.example.com:8443/api/v3", true},
		{"https://ghe.example.com/o/r", "https://ghe.example.com:8443/api/v3", true},
		{"https://ghe.example.com:8443/o/r", "https://ghe.example.com/api/v3", false},
		{"https://evil.example/o/r", "https://ghe.example.com/api/v3", false},
		{"https://ghe.example.com.evil.example/o/r", "https://ghe.example.com/api/v3", false},
		{"https://api.ghe.example.com/o/r", "https://ghe.example.com/api/v3", false},
	} {
		web, _ := url.Parse(tt.web)
		api, _ := url.Parse(tt.api)
		require.Equal(t, tt.want, httpapi.SameHost(web, api), "%s vs %s", tt.web, tt.api)
	}
}
