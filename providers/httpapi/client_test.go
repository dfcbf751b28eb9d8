package httpapi

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/internal/silenthttp"
)

const token = "s3cr3t-token-value"

// newClient is a client of the API at base (a test server's URL).
func newClient(base string, notify func(string)) *Client {
	return New(Config{
		Name:           "Test",
		BaseURL:        base,
		Auth:           func(h http.Header) { h.Set("Authorization", "Bearer "+token) },
		Header:         http.Header{"X-Api-Version": {"1"}},
		InitialBackoff: 10 * time.Millisecond,
		Notify:         notify,
		LongWait:       500 * time.Millisecond,
	})
}

// localhostURL rewrites a 127.0.0.1 test server URL to the hostname
// localhost: another host as far as redirects go.
func localhostURL(u string) string { return strings.Replace(u, "127.0.0.1", "localhost", 1) }

func TestRedirectToAnotherHostDropsCredentials(t *testing.T) {
	blob := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" || r.Header.Get("X-Api-Version") != "" {
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, "<Error><Code>AuthenticationFailed</Code></Error>")
			return
		}
		io.WriteString(w, "the log")
	}))
	defer blob.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.Equal(t, "Bearer "+token, r.Header.Get("Authorization"))
		switch r.URL.Path {
		case "/relative":
			http.Redirect(w, r, "/logs", http.StatusFound)
		case "/logs":
			http.Redirect(w, r, localhostURL(blob.URL)+"/blob?sig=SIGNATURE", http.StatusFound)
		}
	}))
	defer api.Close()

	resp, err := newClient(api.URL, nil).Get(context.Background(), api.URL+"/relative", nil)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, "the log", string(body))
}

func TestForeignErrorHidesSignature(t *testing.T) {
	blob := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, "<Error><Code>AuthenticationFailed</Code><Message>expired</Message></Error>")
	}))
	defer blob.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, localhostURL(blob.URL)+"/blob?sig=SIGNATURE", http.StatusFound)
	}))
	defer api.Close()
	_, err := newClient(api.URL, nil).Get(context.Background(), api.URL+"/logs", nil)
	var se *StatusError
	require.ErrorAs(t, err, &se)
	require.True(t, se.Foreign)
	require.Equal(t, 403, se.Status)
	require.NotContains(t, err.Error(), "SIGNATURE")
	require.NotContains(t, err.Error(), token)
	require.Contains(t, err.Error(), "AuthenticationFailed")
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name     string
		fail     func(w http.ResponseWriter)
		failures int
		wantTry  int32
		wantErr  int
		minWait  time.Duration
	}{
		{"503 recovers", func(w http.ResponseWriter) { w.WriteHeader(503) }, 2, 3, 0, 0},
		{"502 recovers", func(w http.ResponseWriter) { w.WriteHeader(502) }, 1, 2, 0, 0},
		{"429 Retry-After", func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(429)
		}, 1, 2, 0, time.Second},
		{"403 primary rate limit", func(w http.ResponseWriter) {
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", fmt.Sprint(time.Now().Unix()))
			w.WriteHeader(403)
			io.WriteString(w, `{"message":"API rate limit exceeded"}`)
		}, 1, 2, 0, 0},
		{"buildkite RateLimit-Reset delta", func(w http.ResponseWriter) {
			w.Header().Set("RateLimit-Reset", "0")
			w.Header().Set("RateLimit-User-Reset", "1")
			w.WriteHeader(429)
		}, 1, 2, 0, time.Second},
		{"403 permission is not retried", func(w http.ResponseWriter) {
			w.WriteHeader(403)
			io.WriteString(w, `{"message":"Resource not accessible by personal access token"}`)
		}, 5, 1, 403, 0},
		{"401 is not retried", func(w http.ResponseWriter) { w.WriteHeader(401) }, 5, 1, 401, 0},
		{"404 is not retried", func(w http.ResponseWriter) { w.WriteHeader(404) }, 5, 1, 404, 0},
		{"410 is not retried", func(w http.ResponseWriter) { w.WriteHeader(410) }, 5, 1, 410, 0},
		{"500 gives up", func(w http.ResponseWriter) { w.WriteHeader(500) }, 100, DefaultMaxTries, 500, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tries atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if int(tries.Add(1)) <= tt.failures {
					tt.fail(w)
					return
				}
				io.WriteString(w, `{"ok":true}`)
			}))
			defer srv.Close()
			start := time.Now()
			var v struct{ OK bool }
			_, err := newClient(srv.URL, nil).GetJSON(context.Background(), srv.URL+"/x", &v)
			require.Equal(t, tt.wantTry, tries.Load())
			require.GreaterOrEqual(t, time.Since(start), tt.minWait)
			if tt.wantErr == 0 {
				require.NoError(t, err)
				require.True(t, v.OK)
				return
			}
			var se *StatusError
			require.ErrorAs(t, err, &se)
			require.Equal(t, tt.wantErr, se.Status)
			require.NotContains(t, err.Error(), token)
			require.NotContains(t, err.Error(), "\n")
		})
	}
}

func TestLongRateLimitWaitIsAnnouncedOrRefused(t *testing.T) {
	var tries atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tries.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(429)
			return
		}
		io.WriteString(w, "{}")
	}))
	defer srv.Close()
	var msgs []string
	_, err := newClient(srv.URL, func(m string) { msgs = append(msgs, m) }).GetJSON(context.Background(), srv.URL, &struct{}{})
	require.NoError(t, err)
	require.Equal(t, []string{"Test: rate limit reached; waiting 1s before retrying"}, msgs)

	long := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(429)
	}))
	defer long.Close()
	_, err = newClient(long.URL, nil).GetJSON(context.Background(), long.URL, &struct{}{})
	require.ErrorContains(t, err, "rate limit resets in 1h0m0s; try again then")
}

func TestNetworkErrorIsRetried(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	url := srv.URL
	srv.Close()
	c := New(Config{Name: "Test", InitialBackoff: time.Millisecond, MaxTries: 3})
	_, err := c.Get(context.Background(), url, nil)
	require.Error(t, err)
	require.True(t, IsNetworkError(err), "%v", err)
	require.Contains(t, err.Error(), "Test: GET "+url)

	_, err = c.Get(context.Background(), url+"/blob?sig=SECRET", nil)
	require.Error(t, err)
	require.NotContains(t, err.Error(), "SECRET")
	require.Equal(t, 1, strings.Count(err.Error(), url), err.Error())
}

func TestTimeoutsBoundSilenceNotLength(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f := w.(http.Flusher)
		switch r.URL.Path {
		case "/flowing": // 1.2s in total, never silent for long
			for i := 0; i < 12; i++ {
				fmt.Fprintf(w, "line %d\n", i)
				f.Flush()
				time.Sleep(100 * time.Millisecond)
			}
		case "/stalls":
			io.WriteString(w, "first line\n")
			f.Flush()
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		case "/slow-headers":
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}
	}))
	defer srv.Close()
	c := New(Config{Name: "Test", IdleTimeout: 400 * time.Millisecond, HeaderTimeout: 300 * time.Millisecond, MaxTries: 1})

	resp, err := c.Get(context.Background(), srv.URL+"/flowing", nil)
	require.NoError(t, err)
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, 12, strings.Count(string(b), "\n"))

	resp, err = c.Get(context.Background(), srv.URL+"/stalls", nil)
	require.NoError(t, err)
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	require.ErrorContains(t, err, "download stalled")

	start := time.Now()
	_, err = c.Get(context.Background(), srv.URL+"/slow-headers", nil)
	require.ErrorContains(t, err, "no answer from "+strings.TrimPrefix(srv.URL, "http://")+": 1 try went unanswered for 300ms each")
	require.Less(t, time.Since(start), 3*time.Second)
}

func TestGzipResponses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.Contains(t, r.Header.Get("Accept-Encoding"), "gzip")
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		io.WriteString(zw, `{"name":"compressed"}`)
		zw.Close()
	}))
	defer srv.Close()
	var v struct{ Name string }
	_, err := newClient(srv.URL, nil).GetJSON(context.Background(), srv.URL, &v)
	require.NoError(t, err)
	require.Equal(t, "compressed", v.Name)
}

func TestContextCancelStopsRetrying(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(429)
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := newClient(srv.URL, nil).Get(ctx, srv.URL, nil)
	require.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
}

func TestNextLink(t *testing.T) {
	h := http.Header{}
	h.Add("Link", `<https://api.github.com/repositories/1/actions/runs/2/jobs?page=2&per_page=100>; rel="next", <https://api.github.com/repositories/1/actions/runs/2/jobs?page=3&per_page=100>; rel="last"`)
	require.Equal(t, "https://api.github.com/repositories/1/actions/runs/2/jobs?page=2&per_page=100", NextLink(h))
	h.Set("Link", `<https://x/?page=1>; rel="prev"`)
	require.Equal(t, "", NextLink(h))
	require.Equal(t, "", NextLink(http.Header{}))
}

// TestWaitingForASilentServer: a server that takes the connection and never
// answers is announced once it has been silent for QuietWait, with the try
// it is, every second after; each wait ends with Done; when the tries run
// out, the error names the host.
func TestWaitingForASilentServer(t *testing.T) {
	srv := silenthttp.Server(t)
	host := strings.TrimPrefix(srv.URL, "http://")
	var mu sync.Mutex
	var waits []Wait
	c := New(Config{Name: "GitHub", MaxTries: 2, HeaderTimeout: 1500 * time.Millisecond, QuietWait: 200 * time.Millisecond,
		InitialBackoff: time.Millisecond, Waiting: func(w Wait) {
			mu.Lock()
			waits = append(waits, w)
			mu.Unlock()
		}})
	_, err := c.Get(context.Background(), srv.URL+"/repos/acme/app", nil)
	require.EqualError(t, err, "GitHub: no answer from "+host+": 2 tries went unanswered for 1.5s each (GET "+srv.URL+
		"/repos/acme/app); it took the connection but sent nothing back: try again later, or check the host")
	mu.Lock()
	defer mu.Unlock()
	var tries []int
	for _, w := range waits {
		require.Equal(t, host, w.Host)
		require.Equal(t, 2, w.Tries)
		if w.Done {
			tries = append(tries, w.Try)
			continue
		}
		require.GreaterOrEqual(t, w.For, 200*time.Millisecond, "announced before the quiet wait")
	}
	require.Equal(t, []int{1, 2}, tries, "each try's wait ends: %+v", waits)
	require.GreaterOrEqual(t, len(waits), 6, "announced every second of each try, then done: %+v", waits)
}

// TestWaitingEndsWithTheContext: a deadline on the whole run ends the wait
// at once.
func TestWaitingEndsWithTheContext(t *testing.T) {
	srv := silenthttp.Server(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := New(Config{Name: "GitHub"}).Get(ctx, srv.URL, nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), 5*time.Second)
}
