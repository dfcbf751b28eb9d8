package sources

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/buildkite"
	"github.com/destill-dev/destill/providers/githubactions"
	"github.com/destill-dev/destill/providers/gitlab"
	"github.com/destill-dev/destill/providers/httpapi"
	"github.com/destill-dev/destill/providers/jenkins"
)

// Environment variables read for build URLs.
const (
	EnvBuildkiteToken  = "BUILDKITE_API_TOKEN"
	EnvBuildkiteAPIURL = "BUILDKITE_API_URL"
	EnvGitHubToken     = "GITHUB_TOKEN"
	EnvGHToken         = "GH_TOKEN"
	EnvGitHubAPIURL    = "GITHUB_API_URL"
	EnvGitLabToken     = "GITLAB_TOKEN"
	EnvGitLabAPIURL    = "GITLAB_API_URL"
	EnvJenkinsURL      = "JENKINS_URL"
	EnvJenkinsUser     = "JENKINS_USER_ID"
	EnvJenkinsToken    = "JENKINS_API_TOKEN"
)

// resolveBuildURL resolves a CI build URL into a provider client, with its
// token and API base URL from the flags and the environment.
func resolveBuildURL(raw string, cfg Config) (Input, error) {
	ref, err := providers.ParseBuildURL(raw)
	if err != nil {
		return Input{}, &InputError{Err: err}
	}
	getenv := cfg.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	env := func(k string) string { return strings.TrimSpace(getenv(k)) }
	if ref.Provider == providers.KindJenkins {
		return resolveJenkins(ref, cfg, env)
	}
	var (
		token, tokenVar, base, baseVar string
		missing                        string
		// public is the provider's own web host; a build URL on any other
		// is served by the configured API's host (apiPath: its API's path
		// there) or not at all.
		public, apiPath, name string
	)
	switch ref.Provider {
	case providers.KindBuildkite:
		token, tokenVar = env(EnvBuildkiteToken), EnvBuildkiteToken
		base, baseVar = firstSet(cfg.BuildkiteAPIURL, env(EnvBuildkiteAPIURL), buildkite.DefaultBaseURL), EnvBuildkiteAPIURL
		public = "https://buildkite.com"
		missing = "BUILDKITE_API_TOKEN is not set: create an API access token with " + buildkite.Scopes +
			" (Buildkite → Personal Settings → API Access Tokens) and export BUILDKITE_API_TOKEN"
	case providers.KindGitHubActions:
		token, tokenVar = env(EnvGitHubToken), EnvGitHubToken
		if token == "" && env(EnvGHToken) != "" {
			token, tokenVar = env(EnvGHToken), EnvGHToken
		}
		base, baseVar = firstSet(cfg.GitHubAPIURL, env(EnvGitHubAPIURL), githubactions.DefaultBaseURL), EnvGitHubAPIURL
		public, apiPath, name = "https://github.com", "/api/v3", "GitHub"
		missing = "GITHUB_TOKEN is not set (GH_TOKEN works too): create a token with " + githubactions.Scopes +
			" and export GITHUB_TOKEN, or export GITHUB_TOKEN=$(gh auth token)"
	case providers.KindGitLab:
		token, tokenVar = env(EnvGitLabToken), EnvGitLabToken
		base, baseVar = firstSet(cfg.GitLabAPIURL, env(EnvGitLabAPIURL), gitlab.DefaultBaseURL), EnvGitLabAPIURL
		public, apiPath, name = "https://gitlab.com", "/api/v4", "GitLab"
		missing = "GITLAB_TOKEN is not set: create a personal access token with " + gitlab.Scopes + " and export GITLAB_TOKEN"
	}
	if err := httpapi.CheckBaseURL(base, baseVar); err != nil {
		return Input{}, &InputError{Err: err}
	}
	if err := checkWebHost(ref, public, base, baseVar, tokenVar, apiPath, name); err != nil {
		return Input{}, err
	}
	if token == "" && !cfg.Offline {
		return Input{}, fmt.Errorf("%s", missing)
	}
	ccfg := providers.ClientConfig{BaseURL: base, Token: token, TokenVar: tokenVar, HTTP: cfg.HTTPClient, Notify: cfg.Notify, Waiting: cfg.Waiting}
	in := newInput(ref, base, token)
	switch ref.Provider {
	case providers.KindBuildkite:
		in.Source = buildkite.New(ref, ccfg)
	case providers.KindGitHubActions:
		in.Source = githubactions.New(ref, ccfg)
	case providers.KindGitLab:
		in.Source = gitlab.New(ref, ccfg)
	}
	return in, nil
}

// newInput is the Input of a build read from the API at base with token,
// without its Source.
func newInput(ref providers.BuildRef, base, token string) Input {
	in := Input{
		Describe:   analysis.Origin{Kind: string(ref.Provider), URL: ref.String()},
		CacheScope: string(ref.Provider) + " " + base,
		CacheBuild: cacheBuildKey(ref),
	}
	if token != "" {
		in.Secrets = []string{token}
	}
	if ref.JobID != "" {
		in.JobIDs = []string{ref.JobID}
	}
	return in
}

// resolveJenkins resolves a Jenkins build URL. Jenkins is always
// self-hosted: the user and API token go, as HTTP basic auth, only to the
// Jenkins in JENKINS_URL (or its flag); a build on any other host is read
// anonymously, and an error reading it says why. Without them, every
// build is read anonymously (a public Jenkins).
func resolveJenkins(ref providers.BuildRef, cfg Config, env func(string) string) (Input, error) {
	base := firstSet(cfg.JenkinsURL, env(EnvJenkinsURL))
	user, token := env(EnvJenkinsUser), env(EnvJenkinsToken)
	switch {
	case (user == "") != (token == ""):
		set, unset := EnvJenkinsUser, EnvJenkinsToken
		if user == "" {
			set, unset = unset, set
		}
		return Input{}, &InputError{Err: fmt.Errorf("%s is set but %s is not: Jenkins needs both (the user and its API token) for HTTP basic auth, or neither to read anonymously", set, unset)}
	case base != "" && token != "":
		if err := httpapi.CheckBaseURL(base, EnvJenkinsURL); err != nil {
			return Input{}, &InputError{Err: err}
		}
	}
	in := newInput(ref, ref.WebBase, token)
	in.Source = jenkins.New(ref, providers.ClientConfig{BaseURL: base, User: user, UserVar: EnvJenkinsUser,
		Token: token, TokenVar: EnvJenkinsToken, HTTP: cfg.HTTPClient, Notify: cfg.Notify, Waiting: cfg.Waiting})
	return in, nil
}

// checkWebHost refuses a build URL on a host other than the provider's
// own (public) unless the configured API at base is on that host: the
// token goes only where the user pointed it, never to a host a pasted URL
// names. The error says which variable to set.
func checkWebHost(ref providers.BuildRef, public, base, baseVar, tokenVar, apiPath, name string) error {
	if ref.WebBase == public {
		return nil
	}
	web, err := url.Parse(ref.WebBase)
	if err != nil {
		return err
	}
	api, err := url.Parse(base)
	if err != nil {
		return err
	}
	if httpapi.SameHost(web, api) {
		return nil
	}
	return fmt.Errorf("%s is not the configured %s API host; set %s=https://%s%s to send %s there",
		web.Host, name, baseVar, web.Host, apiPath, tokenVar)
}

// cacheBuildKey is the build ref names, without the one job it may name
// (the pipeline picks the job from the whole build), with the step it may
// name (that changes the jobs the provider lists).
func cacheBuildKey(ref providers.BuildRef) string {
	if ref.Number != 0 {
		ref.JobID = ""
	}
	k := ref.String()
	if ref.StepID != "" {
		k += " step " + ref.StepID
	}
	return k
}

func firstSet(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return strings.TrimRight(v, "/")
		}
	}
	return ""
}

// InputError is an input the user named wrongly (a malformed URL, an
// unsupported provider): a usage error rather than a failure to fetch.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }
