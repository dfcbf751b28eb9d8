package providertest

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/destill-dev/destill/providers"
)

// Hostile is a host that must never receive a credential: a listener over
// plain http and one over https that record every request, and every
// credential one carries: an Authorization, Proxy-Authorization,
// Private-Token, Job-Token or Cookie header, basic auth, or the value of
// a known secret anywhere in the headers or the URL. It answers 401, as a
// host fishing for a token would.
type Hostile struct {
	Plain *httptest.Server
	TLS   *httptest.Server

	secrets []string

	mu       sync.Mutex
	requests []string
	leaks    []string
}

// NewHostile starts a Hostile that also looks for secrets, and closes it
// when the test ends.
func NewHostile(t testing.TB, secrets ...string) *Hostile {
	t.Helper()
	h := &Hostile{secrets: secrets}
	h.Plain = httptest.NewServer(http.HandlerFunc(h.serve))
	h.TLS = httptest.NewTLSServer(http.HandlerFunc(h.serve))
	t.Cleanup(func() {
		h.Plain.Close()
		h.TLS.Close()
	})
	return h
}

// URL is the plain-http listener's base URL (a loopback address).
func (h *Hostile) URL() string { return h.Plain.URL }

// credentialHeaders are the headers that carry credentials.
var credentialHeaders = []string{"Authorization", "Proxy-Authorization", "Private-Token", "Job-Token", "Cookie"}

func (h *Hostile) serve(w http.ResponseWriter, r *http.Request) {
	what := r.Host + r.URL.RequestURI()
	var leaks []string
	for _, k := range credentialHeaders {
		if v := r.Header.Get(k); v != "" {
			leaks = append(leaks, fmt.Sprintf("%s: %s to %s", k, v, what))
		}
	}
	if u, p, ok := r.BasicAuth(); ok {
		leaks = append(leaks, fmt.Sprintf("basic auth %s:%s to %s", u, p, what))
	}
	for _, s := range h.secrets {
		if s == "" {
			continue
		}
		if strings.Contains(r.URL.String(), s) {
			leaks = append(leaks, fmt.Sprintf("a secret in the URL %s", what))
		}
		for k, vs := range r.Header {
			if strings.Contains(strings.Join(vs, "\n"), s) {
				leaks = append(leaks, fmt.Sprintf("a secret in header %s to %s", k, what))
			}
		}
	}
	h.mu.Lock()
	h.requests = append(h.requests, what)
	h.leaks = append(h.leaks, leaks...)
	h.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnauthorized)
	fmt.Fprint(w, `{"message":"Bad credentials"}`)
}

// Requests returns the host and request URI of every request received.
func (h *Hostile) Requests() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.requests...)
}

// Leaks returns every credential received, deduplicated and sorted.
func (h *Hostile) Leaks() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	seen := map[string]bool{}
	var out []string
	for _, l := range h.leaks {
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}

// Client returns an HTTP client that connects every host that is not a
// loopback one to the Hostile (https to its TLS listener, whose
// certificate it trusts for any name), so a URL naming any host at all
// (evil.example, an IDN, api.github.com.evil.example) reaches it.
// Loopback hosts (the fakes) are dialled as usual.
func (h *Hostile) Client() *http.Client {
	var d net.Dialer
	route := func(addr, to string) string {
		host, _, _ := net.SplitHostPort(addr)
		if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
			return addr
		}
		return to
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return d.DialContext(ctx, network, route(addr, h.Plain.Listener.Addr().String()))
	}
	t.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, _ := net.SplitHostPort(addr)
		td := tls.Dialer{NetDialer: &d, Config: &tls.Config{ServerName: host, InsecureSkipVerify: true}}
		return td.DialContext(ctx, network, route(addr, h.TLS.Listener.Addr().String()))
	}
	return &http.Client{Transport: t}
}

// RequireNoLeak fails t when h received any credential, or no request at
// all (the test did not reach it, and so proves nothing).
func (h *Hostile) RequireNoLeak(t testing.TB) {
	t.Helper()
	if len(h.Requests()) == 0 {
		t.Fatalf("the hostile host received no request: the test does not reach it")
	}
	if leaks := h.Leaks(); len(leaks) > 0 {
		t.Fatalf("credentials sent to the hostile host:\n%s", strings.Join(leaks, "\n"))
	}
}

// BuildReader is what a provider's client does for an analysis.
type BuildReader interface {
	Build(ctx context.Context) (providers.Build, error)
	OpenLog(ctx context.Context, job providers.Job) (io.ReadCloser, error)
}

// reporter is a client that reads test reports too.
type reporter interface {
	TestReports(ctx context.Context, jobs []providers.Job) ([]providers.TestReport, error)
}

// ReadBuild reads a build as an analysis does: the build, the log of every
// failed job, their test reports (when c reads them). It ignores errors:
// tests use it to watch where the requests go.
func ReadBuild(ctx context.Context, c BuildReader) {
	b, err := c.Build(ctx)
	if err != nil {
		return
	}
	var failed []providers.Job
	for _, j := range b.Jobs {
		if j.Failed() && j.HasLog {
			failed = append(failed, j)
			if rc, err := c.OpenLog(ctx, j); err == nil {
				io.Copy(io.Discard, rc)
				rc.Close()
			}
		}
	}
	if r, ok := c.(reporter); ok {
		r.TestReports(ctx, failed)
	}
}

// RequireAnswerURLsGetNoToken serves sc once per place, its answers
// pointing the URLs in that place (see PointAt) at a Hostile, reads build
// 0 through the client newClient makes for the fake, and fails t when the
// Hostile gets a credential, or no request.
func RequireAnswerURLsGetNoToken(t *testing.T, sc Scenario, newClient func(*Fake, providers.BuildRef) BuildReader, places ...string) {
	for _, place := range places {
		t.Run(place, func(t *testing.T) {
			fake := New(t, sc)
			hostile := NewHostile(t, fake.Token())
			fake.PointAt(hostile.URL(), place)
			ref, err := providers.ParseBuildURL(fake.WebURL(0))
			if err != nil {
				t.Fatal(err)
			}
			ReadBuild(context.Background(), newClient(fake, ref))
			hostile.RequireNoLeak(t)
		})
	}
}
