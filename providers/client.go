package providers

import (
	"net/http"
	"strings"

	"github.com/destill-dev/destill/providers/httpapi"
)

// ClientConfig configures a provider's API client.
type ClientConfig struct {
	// BaseURL is the API's base URL ("https://api.github.com").
	BaseURL string
	// Token is the API token; TokenVar names the variable it came from,
	// for error messages (never the value).
	Token    string
	TokenVar string
	// User is the user name sent with Token as HTTP basic auth (Jenkins);
	// UserVar names the variable it came from.
	User    string
	UserVar string
	// HTTP sends the requests (nil: a default client).
	HTTP *http.Client
	// Notify receives one-line messages a user should see while waiting
	// (a long rate-limit wait). Nil: silent.
	Notify func(string)
	// Waiting hears about requests the server has not answered for a while
	// (httpapi.Config.Waiting). Nil: silent.
	Waiting func(httpapi.Wait)
}

// APIBase returns BaseURL without its trailing slashes, or def when it is
// empty.
func (c ClientConfig) APIBase(def string) string {
	if b := strings.TrimRight(c.BaseURL, "/"); b != "" {
		return b
	}
	return def
}

// TestReport is a test report (a JUnit XML file) a build published.
type TestReport struct {
	// JobID is the job that published it, when the provider says.
	JobID string
	// Path names the report: the artifact path, plus the file inside an
	// archive.
	Path string
	// Failed are the failed (or errored) test cases it lists.
	Failed []TestCase
}

// TestCase is one failed test case of a test report.
type TestCase struct {
	Name      string
	Classname string
	File      string
	// Message is the failure's message attribute; Details its body (an
	// assertion diff, a stack trace).
	Message string
	Details string
}
