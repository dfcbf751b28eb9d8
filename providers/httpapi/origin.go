package httpapi

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"golang.org/x/net/idna"
)

// origin is where a request goes: a scheme, a host in canonical form and a
// port. A credential goes to one origin only, its API's.
type origin struct {
	scheme, host, port string
}

// originOf returns u's origin. Its host is the one the HTTP client
// connects to: IDNA-mapped to ASCII as net/http maps it, lower case,
// without a trailing dot; the port is explicit.
func originOf(u *url.URL) (origin, error) {
	host, err := CanonicalHost(u.Hostname())
	if err != nil {
		return origin{}, err
	}
	o := origin{scheme: strings.ToLower(u.Scheme), host: host, port: u.Port()}
	if o.port == "" {
		switch o.scheme {
		case "https":
			o.port = "443"
		case "http":
			o.port = "80"
		}
	}
	return o, nil
}

// secure reports whether a credential may travel to o: over https, or over
// plain http to a loopback host (tests, a local proxy).
func (o origin) secure() bool {
	return o.scheme == "https" || (o.scheme == "http" && IsLoopback(o.host))
}

// CanonicalHost returns host (without a port) as a connection to it names
// it: IDNA-mapped to ASCII (full-width letters, upper case), lower case,
// without the trailing dot of a fully qualified name.
func CanonicalHost(host string) (string, error) {
	h := strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if h == "" {
		return "", fmt.Errorf("no host")
	}
	if ip := net.ParseIP(h); ip != nil {
		return ip.String(), nil
	}
	a, err := idna.Lookup.ToASCII(h)
	if err != nil {
		return "", fmt.Errorf("host %q is not a valid host name: %w", host, err)
	}
	return strings.ToLower(a), nil
}

// IsLoopback reports whether host (canonical, without a port) is this
// machine: localhost or a loopback IP address.
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// CheckBaseURL says, naming varName, why a credential may not be sent to
// the API at raw: not an http(s) URL, a user:password@ part, or plain http
// to a host that is not a loopback one. It returns nil for a usable base.
func CheckBaseURL(raw, varName string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s (or its flag) is not an http(s) URL: %q", varName, raw)
	}
	if u.User != nil {
		return fmt.Errorf("%s (or its flag) must not hold a user:password@ part: the token is sent in a header", varName)
	}
	o, err := originOf(u)
	if err != nil {
		return fmt.Errorf("%s (or its flag): %w", varName, err)
	}
	if !o.secure() {
		return fmt.Errorf("%s (or its flag) is plain http to %s: a token is sent only over https (plain http only to a loopback host); use https://%s", varName, o.host, strings.TrimPrefix(raw, "http://"))
	}
	return nil
}

// SameHost reports whether web, a build's web URL, is served by the API at
// api: the same host, or the API's "api." subdomain of it (GitHub
// Enterprise Cloud with data residency), and the same port when web names
// one.
func SameHost(web, api *url.URL) bool {
	wo, err1 := originOf(web)
	ao, err2 := originOf(api)
	if err1 != nil || err2 != nil {
		return false
	}
	if ao.host != wo.host && ao.host != "api."+wo.host {
		return false
	}
	return web.Port() == "" || web.Port() == ao.port
}
