package providers

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/destill-dev/destill/providers/httpapi"
)

// BuildRef is what a build URL names: the provider, the build and maybe one
// of its jobs.
type BuildRef struct {
	Provider Kind
	// WebBase is the scheme and host of the web UI the URL came from, e.g.
	// "https://github.com" or "https://gitlab.example.com"; for Jenkins,
	// the root of the instance, with its context path
	// ("https://ci.example.com/jenkins").
	WebBase string
	// Org is the Buildkite organization or the GitHub owner.
	Org string
	// Repo is the Buildkite pipeline slug, the GitHub repository, the
	// GitLab project's full path (groups included: "acme/platform/api"),
	// or the Jenkins job's full name: its folders' and its own names joined
	// by "/" ("team/api/main"; a multibranch job keeps the "%2F" Jenkins
	// puts in the name of a branch with a slash: "api/feature%2Flogin").
	Repo string
	// Number is the Buildkite build number, the GitHub run ID, the GitLab
	// pipeline ID or the Jenkins build number. It is 0 when the URL names
	// only a job (a GitLab /-/jobs/ID URL) or a Jenkins permalink; the
	// client then looks the build up.
	Number int64
	// Permalink is the Jenkins permalink the URL names instead of a number
	// ("lastFailedBuild").
	Permalink string
	// Attempt is the GitHub run attempt the URL names (0: the latest).
	Attempt int
	// JobID is the one job the URL names, if any.
	JobID string
	// StepID is a Buildkite step UUID (a "sid=" link): every job of that
	// step.
	StepID string
	// Workflow is the GitHub Actions workflow (file name or ID) a workflow
	// URL names, for a pipeline's history (ParsePipelineURL).
	Workflow string
}

// String returns the canonical web URL of the build (or job).
func (r BuildRef) String() string {
	switch r.Provider {
	case KindBuildkite:
		u := fmt.Sprintf("%s/%s/%s/builds/%d", r.WebBase, r.Org, r.Repo, r.Number)
		if r.JobID != "" {
			u += "#" + r.JobID
		}
		return u
	case KindGitHubActions:
		u := fmt.Sprintf("%s/%s/%s/actions/runs/%d", r.WebBase, r.Org, r.Repo, r.Number)
		switch {
		case r.JobID != "":
			u += "/job/" + r.JobID
		case r.Attempt > 0:
			u += fmt.Sprintf("/attempts/%d", r.Attempt)
		}
		return u
	case KindGitLab:
		if r.Number == 0 && r.JobID != "" {
			return fmt.Sprintf("%s/%s/-/jobs/%s", r.WebBase, r.Repo, r.JobID)
		}
		return fmt.Sprintf("%s/%s/-/pipelines/%d", r.WebBase, r.Repo, r.Number)
	case KindJenkins:
		build := r.Permalink
		if r.Number > 0 {
			build = strconv.FormatInt(r.Number, 10)
		}
		return JenkinsJobURL(r.WebBase, r.Repo) + build + "/"
	}
	return ""
}

// URL shapes named in errors.
const (
	buildkiteShape = "https://buildkite.com/ORG/PIPELINE/builds/N[#JOB_ID]"
	githubShape    = "https://github.com/OWNER/REPO/actions/runs/RUN_ID[/attempts/N | /job/JOB_ID]"
	gitlabShape    = "https://gitlab.com/GROUP/PROJECT/-/pipelines/ID (or /-/jobs/ID)"
	jenkinsShape   = "https://JENKINS/job/NAME[/job/…]/N (or /lastFailedBuild, Blue Ocean …/detail/BRANCH/N/pipeline)"
)

// The patterns of URL segments, compiled when first used: not at start-up,
// which every run pays.
var (
	uuidRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	})
	digitRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]+$`) })
)

// ParseBuildURL reads a build or job URL of Buildkite, GitHub Actions
// (github.com or GitHub Enterprise Server), GitLab (gitlab.com or
// self-managed) or Jenkins. The error, for anything else, says which
// shapes work.
func ParseBuildURL(raw string) (BuildRef, error) {
	u, host, err := parseWebURL(raw, "build")
	if err != nil {
		return BuildRef{}, err
	}
	segs := splitPath(u.Path)
	web := webBase(u, host)

	switch host {
	case "buildkite.com", "www.buildkite.com", "api.buildkite.com":
		ref, ok := parseBuildkite(segs, u)
		if !ok {
			return BuildRef{}, notBuildURL(raw, buildkiteShape)
		}
		ref.WebBase = "https://buildkite.com"
		return ref, nil
	case "github.com", "www.github.com":
		ref, ok := parseGitHub(segs)
		if !ok {
			return BuildRef{}, notBuildURL(raw, githubShape)
		}
		ref.WebBase = "https://github.com"
		return ref, nil
	}
	// Self-hosted GitLab and GitHub Enterprise are known by their paths.
	if ref, ok := parseGitLab(segs, host); ok {
		ref.WebBase = web
		return ref, nil
	}
	if ref, ok := parseGitHub(segs); ok {
		ref.WebBase = web
		return ref, nil
	}
	if ref, ok := parseJenkins(u.EscapedPath()); ok {
		ref.WebBase = web + ref.WebBase
		return ref, nil
	}
	switch {
	case host == "gitlab.com" || strings.Contains(host, "gitlab"):
		return BuildRef{}, notBuildURL(raw, gitlabShape)
	case strings.Contains(host, "github"):
		return BuildRef{}, notBuildURL(raw, githubShape)
	case strings.Contains(host, "jenkins") || containsSeg(segs, "job") || containsSeg(segs, "blue"):
		return BuildRef{}, notBuildURL(raw, jenkinsShape)
	}
	return BuildRef{}, notBuildURL(raw, "")
}

// parseWebURL parses a pasted web URL (of a what: "build", "pipeline")
// and returns it with its canonical host.
func parseWebURL(raw, what string) (*url.URL, string, error) {
	s := strings.TrimSpace(raw)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">") // Slack wraps links in <…>
	if i := strings.Index(s, "|"); i > 0 && strings.HasPrefix(raw, "<") {
		s = s[:i] // <url|label>
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		if what == "build" {
			return nil, "", notBuildURL(raw, "")
		}
		return nil, "", notPipelineURL(raw)
	}
	if u.User != nil {
		u.User = nil
		return nil, "", fmt.Errorf("not a %s URL: %s has a user@ part before its host %s, which a %s URL never has; paste the URL the CI shows", what, oneLineURL(u.String()), u.Hostname(), what)
	}
	host, err := httpapi.CanonicalHost(u.Hostname())
	if err != nil {
		return nil, "", fmt.Errorf("not a %s URL: %s: %w", what, oneLineURL(raw), err)
	}
	return u, host, nil
}

// webBase is the scheme and canonical host (with its port) of u.
func webBase(u *url.URL, host string) string {
	if p := u.Port(); p != "" {
		return u.Scheme + "://" + net.JoinHostPort(host, p)
	} else if strings.Contains(host, ":") {
		return u.Scheme + "://[" + host + "]"
	}
	return u.Scheme + "://" + host
}

func notBuildURL(raw, shape string) error {
	if shape == "" {
		shape = buildkiteShape + ", " + githubShape + ", " + gitlabShape + " or " + jenkinsShape
	}
	return fmt.Errorf("not a build URL: %s; expected %s", oneLineURL(raw), shape)
}

// oneLineURL keeps a pasted value printable on one line.
func oneLineURL(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

func splitPath(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func parseBuildkite(segs []string, u *url.URL) (BuildRef, bool) {
	ref := BuildRef{Provider: KindBuildkite}
	// REST or web-frontend shape: [v2/]organizations/ORG/pipelines/P/builds/N[/jobs/UUID…]
	if len(segs) > 0 && segs[0] == "v2" {
		segs = segs[1:]
	}
	var rest []string
	switch {
	case len(segs) >= 6 && segs[0] == "organizations" && segs[2] == "pipelines" && segs[4] == "builds":
		ref.Org, ref.Repo = segs[1], segs[3]
		rest = segs[5:]
	case len(segs) >= 4 && segs[2] == "builds":
		ref.Org, ref.Repo = segs[0], segs[1]
		rest = segs[3:]
	default:
		return ref, false
	}
	n, err := strconv.ParseInt(rest[0], 10, 64)
	if err != nil || n <= 0 {
		return ref, false
	}
	ref.Number = n
	q := u.Query()
	switch {
	case len(rest) >= 3 && rest[1] == "jobs" && uuidRe().MatchString(rest[2]):
		ref.JobID = strings.ToLower(rest[2])
	case uuidRe().MatchString(q.Get("jid")):
		ref.JobID = strings.ToLower(q.Get("jid"))
	case uuidRe().MatchString(u.Fragment):
		ref.JobID = strings.ToLower(u.Fragment)
	case uuidRe().MatchString(q.Get("sid")):
		ref.StepID = strings.ToLower(q.Get("sid"))
	}
	return ref, true
}

func parseGitHub(segs []string) (BuildRef, bool) {
	ref := BuildRef{Provider: KindGitHubActions}
	if len(segs) < 5 || segs[2] != "actions" || segs[3] != "runs" || !digitRe().MatchString(segs[4]) {
		return ref, false
	}
	ref.Org, ref.Repo = segs[0], segs[1]
	n, err := strconv.ParseInt(segs[4], 10, 64)
	if err != nil || n <= 0 {
		return ref, false
	}
	ref.Number = n
	rest := segs[5:]
	if len(rest) >= 2 {
		switch rest[0] {
		case "attempts":
			a, err := strconv.Atoi(rest[1])
			if err != nil || a <= 0 {
				return ref, false
			}
			ref.Attempt = a
		case "job", "jobs":
			if !digitRe().MatchString(rest[1]) {
				return ref, false
			}
			ref.JobID = rest[1]
		}
	}
	return ref, true
}

func parseGitLab(segs []string, host string) (BuildRef, bool) {
	ref := BuildRef{Provider: KindGitLab}
	dash := -1
	for i, s := range segs {
		if s == "-" {
			dash = i
			break
		}
	}
	kindAt := dash + 1
	if dash < 0 {
		// Legacy links without "/-/" still work in GitLab's UI.
		if !strings.Contains(host, "gitlab") {
			return ref, false
		}
		for i := len(segs) - 2; i >= 2; i-- {
			if (segs[i] == "pipelines" || segs[i] == "jobs") && digitRe().MatchString(segs[i+1]) {
				dash, kindAt = i, i
				break
			}
		}
		if dash < 0 {
			return ref, false
		}
	}
	if dash < 2 || len(segs) < kindAt+2 || !digitRe().MatchString(segs[kindAt+1]) {
		return ref, false
	}
	ref.Repo = strings.Join(segs[:dash], "/")
	id, err := strconv.ParseInt(segs[kindAt+1], 10, 64)
	if err != nil || id <= 0 {
		return ref, false
	}
	switch segs[kindAt] {
	case "pipelines":
		ref.Number = id
	case "jobs":
		ref.JobID = segs[kindAt+1]
	default:
		return ref, false
	}
	return ref, true
}
