package providers

import (
	"fmt"
	"net/url"
	"strings"
)

// pipelineShapes names the pipeline URLs ParsePipelineURL reads, for errors.
const pipelineShapes = "https://buildkite.com/ORG/PIPELINE, https://github.com/OWNER/REPO/actions/workflows/FILE.yml, " +
	"https://gitlab.com/GROUP/PROJECT/-/pipelines, https://JENKINS/job/NAME/ or a build URL"

func notPipelineURL(raw string) error {
	return fmt.Errorf("not a pipeline URL: %s; expected %s", oneLineURL(raw), pipelineShapes)
}

// ParsePipelineURL reads what a pipeline's history is asked for with: a
// build URL (its pipeline, on its branch: Number is the build), or a
// pipeline's own URL, whose ref has Number 0 — a Buildkite pipeline, a
// GitHub Actions workflow (Workflow set), a GitLab project or its
// pipelines page, a Jenkins job. branch is the branch the URL's query
// names (Buildkite ?branch=, GitLab ?ref=, GitHub ?query=branch:NAME), or "".
func ParsePipelineURL(raw string) (ref BuildRef, branch string, err error) {
	if ref, err := ParseBuildURL(raw); err == nil {
		return ref, "", nil
	}
	u, host, err := parseWebURL(raw, "pipeline")
	if err != nil {
		return BuildRef{}, "", err
	}
	segs := splitPath(u.Path)
	q := u.Query()
	switch host {
	case "buildkite.com", "www.buildkite.com", "api.buildkite.com":
		if len(segs) > 0 && segs[0] == "v2" {
			segs = segs[1:]
		}
		switch {
		case len(segs) == 4 && segs[0] == "organizations" && segs[2] == "pipelines":
			segs = []string{segs[1], segs[3]}
		case len(segs) == 3 && segs[2] == "builds":
			segs = segs[:2]
		}
		if len(segs) != 2 {
			return BuildRef{}, "", notPipelineURL(raw)
		}
		return BuildRef{Provider: KindBuildkite, WebBase: "https://buildkite.com", Org: segs[0], Repo: segs[1]}, q.Get("branch"), nil
	}
	web := webBase(u, host)
	if len(segs) == 5 && segs[2] == "actions" && segs[3] == "workflows" {
		b := ""
		for _, f := range strings.Fields(q.Get("query")) {
			if v, ok := strings.CutPrefix(f, "branch:"); ok {
				b = v
			}
		}
		if host == "www.github.com" {
			web = "https://github.com"
		}
		return BuildRef{Provider: KindGitHubActions, WebBase: web, Org: segs[0], Repo: segs[1], Workflow: segs[4]}, b, nil
	}
	if ref, ok := parseGitLabProject(segs, host); ok {
		ref.WebBase = web
		return ref, q.Get("ref"), nil
	}
	if ref, ok := parseJenkinsPipeline(u.EscapedPath()); ok {
		ref.WebBase = web + ref.WebBase
		return ref, "", nil
	}
	return BuildRef{}, "", notPipelineURL(raw)
}

// parseGitLabProject reads GROUP/[SUB/…]PROJECT/-/pipelines, or a bare
// project path on a host whose name says GitLab.
func parseGitLabProject(segs []string, host string) (BuildRef, bool) {
	n := len(segs)
	switch {
	case n >= 4 && segs[n-2] == "-" && segs[n-1] == "pipelines":
		return BuildRef{Provider: KindGitLab, Repo: strings.Join(segs[:n-2], "/")}, true
	case n >= 2 && strings.Contains(host, "gitlab") && !containsSeg(segs, "-"):
		return BuildRef{Provider: KindGitLab, Repo: strings.Join(segs, "/")}, true
	}
	return BuildRef{}, false
}

// parseJenkinsPipeline reads a job's URL: [ROOT]/[view/V/]job/A/job/B/.
func parseJenkinsPipeline(escaped string) (BuildRef, bool) {
	segs := splitPath(escaped)
	for i := 0; i+1 < len(segs); i++ {
		if segs[i] != "job" && segs[i] != "view" {
			continue
		}
		ref := BuildRef{Provider: KindJenkins, WebBase: rootPath(segs[:i])}
		var names []string
		rest := segs[i:]
		for len(rest) >= 2 && (rest[0] == "job" || rest[0] == "view") {
			if rest[0] == "job" {
				name, ok := jenkinsName(rest[1])
				if !ok {
					return ref, false
				}
				names = append(names, name)
			}
			rest = rest[2:]
		}
		if len(names) == 0 || len(rest) > 0 {
			return ref, false
		}
		ref.Repo = strings.Join(names, "/")
		return ref, true
	}
	return BuildRef{}, false
}

// PipelineString is the web URL of the pipeline a ref names.
func (r BuildRef) PipelineString() string {
	switch r.Provider {
	case KindBuildkite:
		return fmt.Sprintf("%s/%s/%s", r.WebBase, r.Org, r.Repo)
	case KindGitHubActions:
		if r.Workflow != "" {
			return fmt.Sprintf("%s/%s/%s/actions/workflows/%s", r.WebBase, r.Org, r.Repo, url.PathEscape(r.Workflow))
		}
		return fmt.Sprintf("%s/%s/%s/actions", r.WebBase, r.Org, r.Repo)
	case KindGitLab:
		return fmt.Sprintf("%s/%s/-/pipelines", r.WebBase, r.Repo)
	case KindJenkins:
		return JenkinsJobURL(r.WebBase, r.Repo)
	}
	return ""
}

// PipelineName is the pipeline's name as its builds give it (Build.Pipeline),
// where the URL alone says it: "" for GitHub Actions, whose builds are named
// by their workflow's name.
func (r BuildRef) PipelineName() string {
	switch r.Provider {
	case KindBuildkite:
		return r.Org + "/" + r.Repo
	case KindGitLab:
		return r.Repo
	case KindJenkins:
		return strings.ReplaceAll(r.Repo, "%2F", "/")
	}
	return ""
}
