package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// StatusError is a response the API answered with a status other than 2xx.
type StatusError struct {
	// Provider names the API ("GitHub").
	Provider string
	Status   int
	// URL is the request URL without its query (signed URLs carry
	// credentials there).
	URL string
	// Message is the API's own explanation, from its error body.
	Message string
	// RequestID is the provider's request ID, when it sends one.
	RequestID string
	// RateLimited is set when the answer is a rate limit; RetryAfter is
	// then how long to wait, when the response says.
	RateLimited bool
	RetryAfter  time.Duration
	// TooLong is set when the rate-limit wait was longer than accepted.
	TooLong bool
	// Foreign is set when the error came from a redirect target on another
	// host (blob storage), not from the API itself.
	Foreign bool
}

func (e *StatusError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: GET %s: %d %s", e.Provider, e.URL, e.Status, http.StatusText(e.Status))
	if e.Message != "" && !strings.EqualFold(e.Message, http.StatusText(e.Status)) {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.TooLong {
		fmt.Fprintf(&b, " (rate limit resets in %s; try again then)", e.RetryAfter.Round(time.Second))
	}
	return b.String()
}

// Temporary reports whether the status is worth retrying (server errors).
func (e *StatusError) Temporary() bool {
	switch e.Status {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

func (c *Client) statusError(resp *http.Response, target *url.URL, body []byte) *StatusError {
	e := &StatusError{
		Provider: c.cfg.Name,
		Status:   resp.StatusCode,
		URL:      redactURL(target.String()),
		Message:  bodyMessage(body),
	}
	for _, h := range []string{"X-GitHub-Request-Id", "X-Request-Id"} {
		if v := resp.Header.Get(h); v != "" {
			e.RequestID = v
			break
		}
	}
	e.RateLimited, e.RetryAfter = rateLimit(resp, body, time.Now())
	return e
}

var tagRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`<[^>]*>`) })

// bodyMessage extracts an error message from a JSON, XML or text body.
func bodyMessage(body []byte) string {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return ""
	}
	if body[0] == '{' {
		var m struct {
			Message any    `json:"message"`
			Error   string `json:"error"`
		}
		if json.Unmarshal(body, &m) == nil {
			switch msg := m.Message.(type) {
			case string:
				return clip(msg)
			case nil:
			default:
				b, _ := json.Marshal(msg)
				return clip(string(b))
			}
			if m.Error != "" {
				return clip(m.Error)
			}
		}
	}
	s := string(body)
	if body[0] == '<' {
		s = tagRe().ReplaceAllString(s, " ")
	}
	return clip(s)
}

func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// rateLimit reads whether resp is a rate limit and how long to wait:
// Retry-After, then GitHub's X-RateLimit-Reset (epoch), then
// RateLimit-Reset and RateLimit-User-Reset (Buildkite: seconds from now;
// GitLab: epoch), then a minute for a GitHub secondary limit.
func rateLimit(resp *http.Response, body []byte, now time.Time) (bool, time.Duration) {
	h := resp.Header
	lower := strings.ToLower(string(body))
	limited := resp.StatusCode == http.StatusTooManyRequests
	if resp.StatusCode == http.StatusForbidden {
		limited = h.Get("X-RateLimit-Remaining") == "0" || h.Get("Retry-After") != "" ||
			strings.Contains(lower, "rate limit")
	}
	if !limited {
		return false, 0
	}
	if v := h.Get("Retry-After"); v != "" {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
			return true, time.Duration(n) * time.Second
		}
		if t, err := http.ParseTime(v); err == nil {
			return true, positive(t.Sub(now))
		}
	}
	if h.Get("X-RateLimit-Remaining") == "0" {
		if n, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			return true, positive(time.Unix(n, 0).Sub(now)) + time.Second
		}
	}
	var wait time.Duration
	for _, k := range []string{"RateLimit-Reset", "RateLimit-User-Reset"} {
		n, err := strconv.ParseInt(strings.TrimSpace(h.Get(k)), 10, 64)
		if err != nil || n < 0 {
			continue
		}
		d := time.Duration(n) * time.Second
		if n > 1_000_000_000 { // an epoch time, not a delta
			d = positive(time.Unix(n, 0).Sub(now)) + time.Second
		}
		if d > wait {
			wait = d
		}
	}
	if wait > 0 {
		return true, wait
	}
	if strings.Contains(lower, "secondary rate limit") {
		return true, time.Minute
	}
	return true, 0
}

func positive(d time.Duration) time.Duration {
	if d < 0 {
		return 0
	}
	return d
}
