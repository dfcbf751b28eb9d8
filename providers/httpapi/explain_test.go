package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// closedURL returns the URL of a loopback port nothing listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr + "/builds/1"
}

func TestExplainBuild(t *testing.T) {
	hints := Hints{Provider: "Test", TokenVar: "TEST_TOKEN", Scopes: "read_builds", BaseURLVar: "TEST_API_URL"}
	tls := httptest.NewTLSServer(http.NotFoundHandler())
	defer tls.Close()
	get := func(ctx context.Context, url string) error {
		c := New(Config{Name: "Test", MaxTries: 1, InitialBackoff: time.Millisecond})
		_, err := c.Get(ctx, url, nil)
		if err == nil {
			t.Fatalf("GET %s succeeded", url)
		}
		return err
	}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		err  func() error
		want string // "" means the error comes back unexplained
	}{
		{"connection refused", func() error { return get(context.Background(), closedURL(t)) },
			"cannot reach Test (127.0.0.1:"},
		{"untrusted certificate", func() error { return get(context.Background(), tls.URL) },
			"cannot reach Test (its TLS certificate is not trusted): check the network connection and any proxy (HTTPS_PROXY), and TEST_API_URL if the server is self-hosted"},
		{"unknown host", func() error {
			return fmt.Errorf("Test: GET x: %w", &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Name: "ci.example.invalid", Err: "no such host", IsNotFound: true}})
		}, "cannot reach Test (cannot resolve ci.example.invalid)"},
		{"canceled", func() error { return get(canceled, closedURL(t)) }, ""},
		{"unauthorized", func() error { return &StatusError{Provider: "Test", Status: http.StatusUnauthorized} },
			"Test rejected the token in TEST_TOKEN (401 Unauthorized)"},
		{"other", func() error { return errors.New("boom") }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := tt.err()
			got := ExplainBuild(orig, hints, "build 1")
			if !errors.Is(got, orig) {
				t.Errorf("explained error does not wrap the original: %v", got)
			}
			var ex *Explained
			explained := errors.As(got, &ex)
			if tt.want == "" {
				if explained {
					t.Fatalf("got explanation %q, want the error unchanged", ex.Msg)
				}
				return
			}
			if !explained || !strings.Contains(got.Error(), tt.want) {
				t.Fatalf("got %q, want it to contain %q", got, tt.want)
			}
			if strings.Contains(got.Error(), "\n") {
				t.Errorf("explanation spans lines: %q", got)
			}
		})
	}
}

func TestBrief(t *testing.T) {
	nf := &StatusError{Provider: "GitHub", Status: 404, URL: "https://api.github.com/repos/acme/app"}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("read the default branch of acme/app: %w", nf), "GitHub answered 404 Not Found"},
		{&StatusError{Provider: "GitLab", Status: 403, Message: "insufficient_scope"}, "GitLab answered 403 Forbidden: insufficient_scope"},
		{&StatusError{Provider: "GitHub", Status: 403, Foreign: true}, "the download server answered 403 Forbidden"},
		{fmt.Errorf("read log of job %q: %w", "test", ExplainLog(&StatusError{Provider: "GitHub", Status: 410})), "log expired or deleted (410 Gone)"},
		{errors.New("no response within 1m0s"), "no response within 1m0s"},
	} {
		if got := Brief(tc.err); got != tc.want {
			t.Errorf("Brief(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
