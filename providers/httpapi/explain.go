package httpapi

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// Hints say what a provider's errors should tell the user.
type Hints struct {
	// Provider names the provider ("GitHub").
	Provider string
	// TokenVar is the environment variable the token came from.
	TokenVar string
	// Scopes are the token scopes needed ("read_builds, read_build_logs").
	Scopes string
	// SSO mentions single sign-on authorization on 403s (GitHub).
	SSO bool
	// BaseURLVar is the environment variable that points at a self-hosted
	// server ("GITHUB_API_URL").
	BaseURLVar string
}

// ExplainBuild turns an error reading what (a build, a pipeline) into a
// one-line message saying what to do. The original error stays wrapped.
func ExplainBuild(err error, h Hints, what string) error {
	if e := unreachable(err, h); e != nil {
		return e
	}
	var se *StatusError
	if !errors.As(err, &se) || se.RateLimited {
		return err
	}
	switch se.Status {
	case http.StatusUnauthorized:
		return &Explained{Err: err, Msg: fmt.Sprintf("%s rejected the token in %s (401 Unauthorized): check that it is valid, not expired or revoked", h.Provider, h.TokenVar)}
	case http.StatusForbidden:
		msg := fmt.Sprintf("the token in %s lacks access to %s (403 Forbidden", h.TokenVar, what)
		if se.Message != "" && !strings.Contains(se.Message, http.StatusText(se.Status)) {
			msg += ": " + se.Message
		}
		msg += fmt.Sprintf("): it needs %s", h.Scopes)
		if h.SSO {
			msg += ", and SSO authorization for the organization if it uses SAML single sign-on"
		}
		return &Explained{Err: err, Msg: msg}
	case http.StatusNotFound:
		return &Explained{Err: err, Msg: fmt.Sprintf("%s not found (404): check the URL; if it is private, the token in %s needs access to it (%s)", what, h.TokenVar, h.Scopes)}
	case http.StatusGone:
		return &Explained{Err: err, Msg: fmt.Sprintf("%s is gone (410): it expired or was deleted", what)}
	}
	return err
}

// ExplainLog turns an error fetching one job's log into a short message.
func ExplainLog(err error) error {
	var se *StatusError
	if !errors.As(err, &se) {
		return err
	}
	switch {
	case se.Foreign && (se.Status == http.StatusForbidden || se.Status == http.StatusBadRequest):
		return &Explained{Err: err, Msg: fmt.Sprintf("the log's download link was refused by blob storage (%d): it may have expired; run again", se.Status)}
	case se.Status == http.StatusGone:
		return &Explained{Err: err, Msg: "log expired or deleted (410 Gone)"}
	case se.Status == http.StatusNotFound:
		return &Explained{Err: err, Msg: "log not found (404): the job may never have run, still be running, or its log was deleted"}
	case se.Status == http.StatusUnauthorized || se.Status == http.StatusForbidden:
		return &Explained{Err: err, Msg: fmt.Sprintf("log not readable (%d %s): the token lacks the scope for logs", se.Status, http.StatusText(se.Status))}
	}
	return err
}

// unreachable explains an error that left no HTTP response: DNS, refused
// or reset connections, TLS. It returns nil for any other error.
func unreachable(err error, h Hints) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return nil
	}
	var dns *net.DNSError
	var op *net.OpError
	var cert *tls.CertificateVerificationError
	var what string
	switch {
	case errors.As(err, &dns):
		what = fmt.Sprintf("cannot resolve %s", dns.Name)
	case errors.As(err, &cert):
		what = "its TLS certificate is not trusted"
	case errors.As(err, &op):
		what = op.Err.Error()
		if op.Addr != nil {
			what = fmt.Sprintf("%s: %s", op.Addr, what)
		}
	default:
		return nil
	}
	msg := fmt.Sprintf("cannot reach %s (%s): check the network connection and any proxy (HTTPS_PROXY)", h.Provider, what)
	if h.BaseURLVar != "" {
		msg += fmt.Sprintf(", and %s if the server is self-hosted", h.BaseURLVar)
	}
	return &Explained{Err: err, Msg: msg}
}

// Explained is an error with a message meant for the user, wrapping the
// API error it explains.
type Explained struct {
	Err error
	Msg string
}

func (e *Explained) Error() string { return e.Msg }
func (e *Explained) Unwrap() error { return e.Err }

// Brief says in a few words what went wrong, for a message that already
// says what was being done: an explanation (ExplainBuild, ExplainLog) as
// it is, "GitHub answered 404 Not Found" for any other answer, else the
// error itself.
func Brief(err error) string {
	var ex *Explained
	if errors.As(err, &ex) {
		return ex.Msg
	}
	var se *StatusError
	if !errors.As(err, &se) {
		return err.Error()
	}
	who := se.Provider
	if se.Foreign {
		who = "the download server"
	}
	s := fmt.Sprintf("%s answered %d %s", who, se.Status, http.StatusText(se.Status))
	if m := se.Message; m != "" && !strings.EqualFold(m, http.StatusText(se.Status)) {
		if len(m) > 120 {
			m = m[:120] + "…"
		}
		s += ": " + m
	}
	if se.TooLong {
		s += fmt.Sprintf(" (rate limit resets in %s)", se.RetryAfter.Round(time.Second))
	}
	return s
}
