// Package sources turns what a user names (a build URL, a log file, "-")
// into a pipeline.Source, with the provider configuration (tokens, API base
// URLs, HTTP client) taken from flags and the environment.
package sources

import (
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/pipeline"
	"github.com/destill-dev/destill/providers/httpapi"
	"github.com/destill-dev/destill/providers/local"
)

// Config is what resolving an input may need.
type Config struct {
	// Getenv reads the environment (tokens, base URLs).
	Getenv func(string) string
	// Stdin is read for the input "-".
	Stdin io.Reader
	// HTTPClient talks to CI providers (nil: a default client).
	HTTPClient *http.Client
	// BuildkiteAPIURL, GitHubAPIURL and GitLabAPIURL override the API base
	// URLs from the environment (flags; "" to use the environment).
	BuildkiteAPIURL string
	GitHubAPIURL    string
	GitLabAPIURL    string
	// JenkinsURL overrides JENKINS_URL: the Jenkins that the Jenkins user
	// and API token belong to.
	JenkinsURL string
	// Notify receives one-line messages for the user while a provider
	// waits (a long rate-limit wait). Nil: silent.
	Notify func(string)
	// Waiting hears about requests a provider has not answered for a while.
	Waiting func(httpapi.Wait)
	// Offline means the provider will not be called (everything comes
	// from the cache): a missing token is then not an error.
	Offline bool
	// RegularFilesOnly refuses a log file path that is not a regular file
	// (a device, a named pipe, /dev/stdin): for paths someone else chose.
	RegularFilesOnly bool
}

// Input is a resolved input: the Source to analyze and how a report names it.
type Input struct {
	Source pipeline.Source
	// Describe names the input in reports.
	Describe analysis.Origin
	// JobIDs restricts the analysis to these jobs (a URL naming one job).
	JobIDs []string
	// Secrets are the credentials the input uses, to redact everywhere.
	Secrets []string
	// CacheScope names the provider and API a build URL is read from, and
	// CacheBuild the build within it (its canonical URL): how caches key
	// it. Both are empty for files and standard input.
	CacheScope string
	CacheBuild string
}

// Resolve turns arg into an Input: "-" is standard input, an http(s) URL is
// a CI build, anything else is a log file (plain or gzip).
// Every provider token in the environment is among the Input's Secrets,
// whatever the input: a log file or another provider's log may print them.
func Resolve(arg string, cfg Config) (Input, error) {
	var in Input
	switch {
	case arg == "-":
		in = Input{Source: local.Stdin{R: cfg.Stdin}, Describe: analysis.Origin{Kind: "stdin"}}
	case LooksLikeURL(arg):
		var err error
		if in, err = resolveBuildURL(arg, cfg); err != nil {
			return in, err
		}
	default:
		in = Input{Source: local.File{Path: arg, RegularOnly: cfg.RegularFilesOnly}, Describe: analysis.Origin{Kind: "file", Path: arg}}
	}
	for _, sec := range EnvTokens(cfg.Getenv) {
		if !slices.Contains(in.Secrets, sec) {
			in.Secrets = append(in.Secrets, sec)
		}
	}
	return in, nil
}

// EnvTokens returns the provider tokens set in the environment.
func EnvTokens(getenv func(string) string) []string {
	if getenv == nil {
		return nil
	}
	var out []string
	for _, name := range []string{EnvGitHubToken, EnvGHToken, EnvGitLabToken, EnvBuildkiteToken, EnvJenkinsToken} {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// LooksLikeURL reports whether s is an http or https URL.
func LooksLikeURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}
