package jenkins

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/destill-dev/destill/providers/httpapi"
)

// authState says whether a build's requests carry the credentials, and why
// not, so that an error can say what to set.
type authState struct {
	// configured: a user and an API token were given; sent: they go to
	// the build's host (it is JENKINS_URL's).
	configured, sent bool
	// baseURL is the Jenkins the credentials belong to (JENKINS_URL).
	baseURL           string
	userVar, tokenVar string
	// web is the root of the build's Jenkins.
	web string
}

// explain turns an error reading what (a build) into a one-line message
// saying what to do; the original error stays wrapped.
func (a authState) explain(err error, what string) error {
	hints := httpapi.Hints{Provider: "Jenkins", TokenVar: a.tokenVar, Scopes: Permissions, BaseURLVar: "JENKINS_URL"}
	var se *httpapi.StatusError
	// A request without credentials is "foreign" to the client; with
	// them, a foreign answer came from a redirect to another host.
	if !errors.As(err, &se) || se.RateLimited || (se.Foreign && a.sent) {
		return httpapi.ExplainBuild(err, hints, what)
	}
	var msg string
	switch {
	case se.Status != http.StatusUnauthorized && se.Status != http.StatusForbidden && se.Status != http.StatusNotFound:
		return httpapi.ExplainBuild(err, hints, what)
	case !a.sent && se.Status == http.StatusNotFound:
		msg = fmt.Sprintf("%s not found (404) at %s: check the URL; Jenkins also answers 404 to a user who may not see the job, and %s", what, a.web, a.whyAnonymous())
	case !a.sent:
		msg = fmt.Sprintf("Jenkins at %s refused anonymous access to %s (%d %s): %s", a.web, what, se.Status, http.StatusText(se.Status), a.whyAnonymous())
	case se.Status == http.StatusUnauthorized:
		msg = fmt.Sprintf("Jenkins rejected the user and API token in %s and %s (401 Unauthorized): check the user name, and that the token is valid and not revoked (your user → Security → API Token)", a.userVar, a.tokenVar)
	case se.Status == http.StatusForbidden:
		msg = fmt.Sprintf("the Jenkins user in %s lacks access to %s (403 Forbidden): it needs %s", a.userVar, what, Permissions)
	default:
		msg = fmt.Sprintf("%s not found (404): check the URL; Jenkins also answers 404 when the user in %s lacks Job/Read on the job", what, a.userVar)
	}
	return &httpapi.Explained{Err: err, Msg: msg}
}

// whyAnonymous says why a request carried no credentials, and what to set
// to send them.
func (a authState) whyAnonymous() string {
	host := a.web
	if u, err := url.Parse(a.web); err == nil {
		host = u.Scheme + "://" + u.Host
	}
	switch {
	case !a.configured:
		return fmt.Sprintf("the request was anonymous; to send credentials, set JENKINS_URL=%s, %s and %s (a user with %s)", a.web, a.userVar, a.tokenVar, Permissions)
	case a.baseURL == "":
		return fmt.Sprintf("%s and %s were not sent because JENKINS_URL is not set; set JENKINS_URL=%s to send them there", a.userVar, a.tokenVar, a.web)
	}
	return fmt.Sprintf("%s is not the Jenkins in JENKINS_URL (%s), so %s and %s were not sent to it; set JENKINS_URL=%s to send them there", host, a.baseURL, a.userVar, a.tokenVar, a.web)
}
