// Package httpapi is the HTTP layer the CI provider clients share: auth
// headers sent only to the API's own host over https, never to a URL of
// another host (an API answer's link, a redirect to blob storage),
// retries with backoff, rate-limit waits, pagination links, and timeouts
// that bound silence rather than the length of a download.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// Defaults for Config.
const (
	DefaultMaxTries      = 5
	DefaultMaxWait       = 5 * time.Minute
	DefaultLongWait      = 10 * time.Second
	DefaultQuietWait     = 5 * time.Second
	DefaultHeaderTimeout = 60 * time.Second
	DefaultIdleTimeout   = 90 * time.Second
	maxRedirects         = 5
	maxErrorBody         = 64 << 10
	maxJSONBody          = 64 << 20
)

// Config configures a Client.
type Config struct {
	// Name names the provider in errors and messages ("GitHub").
	Name string
	// HTTP sends the requests (nil: a client with a tuned default
	// transport). Its redirect policy and total timeout are not used: the
	// Client follows redirects itself and bounds silence, not duration.
	HTTP *http.Client
	// BaseURL is the API's base URL. Auth and Header go only to its
	// scheme, host and port, and only over https or to a loopback host:
	// a URL of any other origin, wherever it came from (a pagination link,
	// a download URL in an answer, a redirect), is fetched without them.
	// Empty: they are never sent.
	BaseURL string
	// Auth adds credentials to a request for the API's own origin.
	Auth func(http.Header)
	// Header is sent with every request to the API's own origin.
	Header http.Header
	// MaxTries bounds the attempts of one request (0: DefaultMaxTries).
	MaxTries int
	// MaxWait is the longest rate-limit wait accepted; a longer one fails
	// the request with a message saying when to try again (0: DefaultMaxWait).
	MaxWait time.Duration
	// LongWait is how long a wait must be to be announced through Notify
	// (0: DefaultLongWait).
	LongWait time.Duration
	// Notify receives one-line messages about long waits (nil: silent).
	Notify func(string)
	// Waiting, when set, hears about a request the server has not answered
	// yet: once it has been silent for QuietWait, then every second, and
	// once more (Done) when the wait ends, however it ends.
	Waiting func(Wait)
	// QuietWait is how long a server may be silent before Waiting hears of
	// it (0: DefaultQuietWait).
	QuietWait time.Duration
	// HeaderTimeout bounds the wait for a response's headers; IdleTimeout
	// bounds a pause in the body. A download that keeps flowing is never
	// cut off (0: the defaults).
	HeaderTimeout time.Duration
	IdleTimeout   time.Duration
	// InitialBackoff is the first backoff interval after a server error or
	// network failure (0: 500ms).
	InitialBackoff time.Duration
}

// Client sends GET requests to one provider's API.
type Client struct {
	cfg  Config
	http *http.Client
	// api is the origin of cfg.BaseURL; apiOK is false when there is none.
	api   origin
	apiOK bool
}

// New returns a Client for cfg.
func New(cfg Config) *Client {
	if cfg.MaxTries <= 0 {
		cfg.MaxTries = DefaultMaxTries
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = DefaultMaxWait
	}
	if cfg.LongWait <= 0 {
		cfg.LongWait = DefaultLongWait
	}
	if cfg.HeaderTimeout <= 0 {
		cfg.HeaderTimeout = DefaultHeaderTimeout
	}
	if cfg.QuietWait <= 0 {
		cfg.QuietWait = DefaultQuietWait
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.InitialBackoff <= 0 {
		cfg.InitialBackoff = 500 * time.Millisecond
	}
	if cfg.Name == "" {
		cfg.Name = "API"
	}
	var hc http.Client
	if cfg.HTTP != nil {
		hc = *cfg.HTTP
	} else {
		hc.Transport = DefaultTransport()
	}
	hc.Timeout = 0
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	hc.Jar = nil // no cookies: the only credential is the one Auth adds
	c := &Client{cfg: cfg, http: &hc}
	if base, err := url.Parse(cfg.BaseURL); err == nil && base.Host != "" {
		c.api, err = originOf(base)
		c.apiOK = err == nil
	}
	return c
}

// trusts reports whether a request to u may carry the API's credentials
// and headers: u is on the API's origin. It fails for the API's origin
// over plain http to a host that is not a loopback one.
func (c *Client) trusts(u *url.URL) (bool, error) {
	o, err := originOf(u)
	if err != nil || !c.apiOK || o != c.api {
		return false, nil
	}
	if !o.secure() {
		return false, fmt.Errorf("%s: refusing to send the token over plain http to %s: use an https API URL (plain http only to a loopback host)", c.cfg.Name, o.host)
	}
	return true, nil
}

// SendsCredentials reports whether a request to rawURL carries the API's
// credentials (Auth and Header): rawURL is on the API's origin, over https
// or to a loopback host.
func (c *Client) SendsCredentials(rawURL string) bool {
	u, err := url.Parse(rawURL)
	if err != nil {
		return false
	}
	ok, err := c.trusts(u)
	return ok && err == nil && c.cfg.Auth != nil
}

// DefaultTransport is http.DefaultTransport with enough idle connections
// per host for concurrent log downloads.
func DefaultTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 32
	t.ResponseHeaderTimeout = 0 // enforced per request by Client
	return t
}

var (
	errHeaderTimeout = errors.New("no response")
	errIdleTimeout   = errors.New("download stalled")
)

// Get fetches rawURL and returns a 2xx response whose body the caller must
// close. Redirects are followed. Credentials and API headers go only to
// the API's own origin: a URL of another (blob storage, or whatever an
// answer names) is fetched without them, as is anything after a redirect
// left the API's origin. Server errors, network
// failures and rate limits are retried; any other status is a
// *StatusError.
func (c *Client) Get(ctx context.Context, rawURL string, header http.Header) (*http.Response, error) {
	try := 0
	op := func() (*http.Response, error) {
		try++
		resp, err := c.once(ctx, rawURL, header, try)
		if err == nil {
			return resp, nil
		}
		if ctx.Err() != nil {
			return nil, backoff.Permanent(ctx.Err())
		}
		var se *StatusError
		if errors.As(err, &se) {
			switch {
			case se.RateLimited && se.RetryAfter > c.cfg.MaxWait:
				se.TooLong = true
				return nil, backoff.Permanent(se)
			case se.RateLimited && se.RetryAfter > 0:
				return nil, &retryAfter{wait: &backoff.RetryAfterError{Duration: se.RetryAfter}, err: se}
			case se.RateLimited, se.Temporary():
				return nil, se
			}
			return nil, backoff.Permanent(se)
		}
		return nil, err // network errors and timeouts: retry
	}
	eb := backoff.NewExponentialBackOff()
	eb.InitialInterval = c.cfg.InitialBackoff
	eb.MaxInterval = 30 * time.Second
	resp, err := backoff.Retry(ctx, op,
		backoff.WithBackOff(eb),
		backoff.WithMaxTries(uint(c.cfg.MaxTries)),
		backoff.WithMaxElapsedTime(0),
		backoff.WithNotify(func(err error, wait time.Duration) {
			if c.cfg.Notify != nil && wait >= c.cfg.LongWait {
				c.cfg.Notify(fmt.Sprintf("%s: %s; waiting %s before retrying", c.cfg.Name, waitReason(err), wait.Round(time.Second)))
			}
		}))
	if err != nil {
		var ra *retryAfter
		if errors.As(err, &ra) {
			err = ra.err
		}
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil, err
		}
		var na *noAnswer
		if errors.As(err, &na) {
			tries := fmt.Sprintf("%d tries went", try)
			if try == 1 {
				tries = "1 try went"
			}
			return nil, fmt.Errorf("%s: no answer from %s: %s unanswered for %s each (GET %s); it took the connection but sent nothing back: try again later, or check the host",
				c.cfg.Name, na.host, tries, c.cfg.HeaderTimeout, redactURL(rawURL))
		}
		var se *StatusError
		if !errors.As(err, &se) {
			err = fmt.Errorf("%s: GET %s: %w", c.cfg.Name, redactURL(rawURL), err)
		}
		return nil, err
	}
	return resp, nil
}

// retryAfter carries both the wait backoff.Retry understands and the error
// to report if the tries run out.
type retryAfter struct {
	wait *backoff.RetryAfterError
	err  error
}

func (r *retryAfter) Error() string   { return r.err.Error() }
func (r *retryAfter) Unwrap() []error { return []error{r.wait, r.err} }

func waitReason(err error) string {
	var se *StatusError
	if errors.As(err, &se) {
		if se.RateLimited {
			return "rate limit reached"
		}
		return fmt.Sprintf("server error %d", se.Status)
	}
	return "network error"
}

// GetJSON fetches rawURL and decodes its JSON body into v. It returns the
// response headers (for pagination).
func (c *Client) GetJSON(ctx context.Context, rawURL string, v any) (http.Header, error) {
	resp, err := c.Get(ctx, rawURL, nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxJSONBody)).Decode(v); err != nil {
		return nil, fmt.Errorf("%s: GET %s: unexpected response: %w", c.cfg.Name, redactURL(rawURL), err)
	}
	return resp.Header, nil
}

// Wait is a request the server has not answered yet.
type Wait struct {
	// Host is the server waited for (host:port when the port is not the
	// scheme's).
	Host string
	// For is how long it has been silent.
	For time.Duration
	// Try is the attempt of the request, of Tries.
	Try, Tries int
	// Done is set when the wait ended (an answer, an error, a retry).
	Done bool
}

// noAnswer is a request whose server did not answer within HeaderTimeout.
type noAnswer struct {
	host string
	wait time.Duration
}

func (e *noAnswer) Error() string {
	return fmt.Sprintf("no answer from %s within %s", e.host, e.wait)
}

// watch reports, through cfg.Waiting, a request to host that has not been
// answered for QuietWait, every second until the returned stop is called.
func (c *Client) watch(host string, try int) (stop func()) {
	if c.cfg.Waiting == nil {
		return func() {}
	}
	start := time.Now()
	done := make(chan struct{})
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		timer := time.NewTimer(c.cfg.QuietWait)
		defer timer.Stop()
		told := false
		for {
			select {
			case <-done:
				if told {
					c.cfg.Waiting(Wait{Host: host, For: time.Since(start), Try: try, Tries: c.cfg.MaxTries, Done: true})
				}
				return
			case <-timer.C:
				told = true
				c.cfg.Waiting(Wait{Host: host, For: time.Since(start), Try: try, Tries: c.cfg.MaxTries})
				timer.Reset(time.Second)
			}
		}
	}()
	return func() {
		close(done)
		<-ended
	}
}

func (c *Client) once(ctx context.Context, rawURL string, header http.Header, try int) (*http.Response, error) {
	target, err := url.Parse(rawURL)
	if err != nil {
		return nil, backoff.Permanent(fmt.Errorf("%s: bad URL %s: %w", c.cfg.Name, redactURL(rawURL), err))
	}
	target.User = nil // no basic auth from a URL, whoever wrote it
	trusted, err := c.trusts(target)
	if err != nil {
		return nil, backoff.Permanent(err)
	}
	for hop := 0; ; hop++ {
		reqCtx, cancel := context.WithCancelCause(ctx)
		req, err := http.NewRequestWithContext(reqCtx, http.MethodGet, target.String(), nil)
		if err != nil {
			cancel(nil)
			return nil, backoff.Permanent(err)
		}
		req.Header.Set("User-Agent", "destill")
		if trusted {
			for k, vs := range c.cfg.Header {
				req.Header[k] = vs
			}
			for k, vs := range header {
				req.Header[k] = vs
			}
			if c.cfg.Auth != nil {
				c.cfg.Auth(req.Header)
			}
		}
		timer := time.AfterFunc(c.cfg.HeaderTimeout, func() { cancel(errHeaderTimeout) })
		stopWatch := c.watch(target.Host, try)
		resp, err := c.http.Do(req)
		stopWatch()
		timer.Stop()
		if err != nil {
			cause := context.Cause(reqCtx)
			cancel(nil)
			if errors.Is(cause, errHeaderTimeout) {
				return nil, &noAnswer{host: target.Host, wait: c.cfg.HeaderTimeout}
			}
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err // its URL may be a signed one; Get names the URL without its query
			}
			return nil, err
		}
		if isRedirect(resp.StatusCode) {
			loc := resp.Header.Get("Location")
			discard(resp)
			cancel(nil)
			if loc == "" {
				se := c.statusError(resp, target, nil)
				se.Foreign = !trusted
				return nil, se
			}
			if hop >= maxRedirects {
				return nil, backoff.Permanent(fmt.Errorf("%s: GET %s: too many redirects", c.cfg.Name, redactURL(rawURL)))
			}
			next, err := target.Parse(loc)
			if err != nil {
				return nil, backoff.Permanent(fmt.Errorf("%s: GET %s: bad redirect: %w", c.cfg.Name, redactURL(rawURL), err))
			}
			next.User = nil
			if ok, _ := c.trusts(next); !ok {
				trusted = false // blob storage: a signed URL, never our token
			}
			target = next
			continue
		}
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
			discard(resp)
			cancel(nil)
			se := c.statusError(resp, target, body)
			se.Foreign = !trusted
			return nil, se
		}
		resp.Body = newIdleBody(resp.Body, c.cfg.IdleTimeout, reqCtx, cancel)
		return resp, nil
	}
}

func isRedirect(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

func discard(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
	resp.Body.Close()
}

// idleBody cancels its request when no byte arrives for a while.
type idleBody struct {
	rc     io.ReadCloser
	idle   time.Duration
	timer  *time.Timer
	ctx    context.Context
	cancel context.CancelCauseFunc
}

func newIdleBody(rc io.ReadCloser, idle time.Duration, ctx context.Context, cancel context.CancelCauseFunc) *idleBody {
	b := &idleBody{rc: rc, idle: idle, ctx: ctx, cancel: cancel}
	b.timer = time.AfterFunc(idle, func() { cancel(errIdleTimeout) })
	return b
}

func (b *idleBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 {
		b.timer.Reset(b.idle)
	}
	if err != nil && err != io.EOF && errors.Is(context.Cause(b.ctx), errIdleTimeout) {
		err = fmt.Errorf("download stalled: no data for %s", b.idle)
	}
	return n, err
}

func (b *idleBody) Close() error {
	b.timer.Stop()
	err := b.rc.Close()
	b.cancel(nil)
	return err
}

// IsNetworkError reports whether err is a network failure rather than an
// answer from the server.
func IsNetworkError(err error) bool {
	var ne net.Error
	return errors.As(err, &ne)
}

// redactURL drops the query (signed blob URLs carry credentials in it).
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	u.RawQuery = ""
	u.Fragment = ""
	u.User = nil
	return u.String()
}

// NextLink returns the URL of the Link header's rel="next", or "".
func NextLink(h http.Header) string {
	for _, v := range h.Values("Link") {
		for _, part := range strings.Split(v, ",") {
			segs := strings.Split(part, ";")
			if len(segs) < 2 {
				continue
			}
			target := strings.TrimSpace(segs[0])
			if !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
				continue
			}
			for _, p := range segs[1:] {
				p = strings.TrimSpace(p)
				if strings.EqualFold(p, `rel="next"`) || strings.EqualFold(p, "rel=next") {
					return target[1 : len(target)-1]
				}
			}
		}
	}
	return ""
}
