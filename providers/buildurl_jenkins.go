package providers

import (
	"net/url"
	"strconv"
	"strings"
)

// jenkinsPermalinks are the build permalinks a Jenkins job URL may name
// instead of a number.
var jenkinsPermalinks = map[string]bool{
	"lastBuild": true, "lastFailedBuild": true, "lastSuccessfulBuild": true, "lastCompletedBuild": true,
	"lastStableBuild": true, "lastUnstableBuild": true, "lastUnsuccessfulBuild": true,
}

// parseJenkins reads the escaped path of a Jenkins build URL: a classic one
// ([ROOT]/[view/V/]job/A/job/B/N[/console…]) or a Blue Ocean one
// ([ROOT]/blue/organizations/ORG/PIPELINE/detail/BRANCH/N/…). WebBase is
// set to the root's path ("" or "/jenkins"), to be put after the host.
func parseJenkins(escaped string) (BuildRef, bool) {
	segs := splitPath(escaped)
	for i := 0; i+1 < len(segs); i++ {
		switch {
		case segs[i] == "blue" && segs[i+1] == "organizations":
			return parseBlueOcean(segs[:i], segs[i+2:])
		case segs[i] == "job" || segs[i] == "view":
			return parseJenkinsJob(segs[:i], segs[i:])
		}
	}
	return BuildRef{}, false
}

// parseJenkinsJob reads "job/A/view/V/job/B/N/…" after the root.
func parseJenkinsJob(root, segs []string) (BuildRef, bool) {
	ref := BuildRef{Provider: KindJenkins, WebBase: rootPath(root)}
	var names []string
	for len(segs) >= 2 && (segs[0] == "job" || segs[0] == "view") {
		if segs[0] == "job" {
			name, ok := jenkinsName(segs[1])
			if !ok {
				return ref, false
			}
			names = append(names, name)
		}
		segs = segs[2:]
	}
	if len(names) == 0 || len(segs) == 0 || !ref.setBuild(segs[0]) {
		return ref, false
	}
	ref.Repo = strings.Join(names, "/")
	return ref, true
}

// parseBlueOcean reads "ORG/PIPELINE/detail/BRANCH/N/…" after
// "blue/organizations". PIPELINE is the job's full name with its slashes
// encoded; BRANCH is a multibranch project's branch, or the job's own
// name for a plain Pipeline job.
func parseBlueOcean(root, segs []string) (BuildRef, bool) {
	ref := BuildRef{Provider: KindJenkins, WebBase: rootPath(root)}
	if len(segs) < 5 || segs[2] != "detail" {
		return ref, false
	}
	pipeline, err1 := url.PathUnescape(segs[1])
	branch, err2 := url.PathUnescape(segs[3])
	if err1 != nil || err2 != nil || pipeline == "" || branch == "" {
		return ref, false
	}
	names := strings.Split(strings.Trim(pipeline, "/"), "/")
	if branch != names[len(names)-1] {
		names = append(names, encodeBranch(branch))
	}
	if !ref.setBuild(segs[4]) {
		return ref, false
	}
	ref.Repo = strings.Join(names, "/")
	return ref, true
}

// setBuild reads a build number or permalink.
func (r *BuildRef) setBuild(seg string) bool {
	if jenkinsPermalinks[seg] {
		r.Permalink = seg
		return true
	}
	if !digitRe().MatchString(seg) {
		return false
	}
	n, err := strconv.ParseInt(seg, 10, 64)
	if err != nil || n <= 0 {
		return false
	}
	r.Number = n
	return true
}

// jenkinsName decodes one escaped job segment into the job's name. A
// multibranch job's name for branch "feature/x" is "feature%2Fx", whose
// URL segment is "feature%252Fx"; a segment escaped only once
// ("feature%2Fx") names the same job.
func jenkinsName(seg string) (string, bool) {
	name, err := url.PathUnescape(seg)
	if err != nil || name == "" || name == "." || name == ".." {
		return "", false
	}
	return encodeBranch(name), true
}

// encodeBranch turns a branch name into its multibranch job's name.
func encodeBranch(branch string) string {
	return strings.ReplaceAll(branch, "/", "%2F")
}

// rootPath is the context path of a Jenkins from the segments before its
// first job or view, without a user's own views ("me/my-views",
// "user/NAME/my-views").
func rootPath(root []string) string {
	if n := len(root); n >= 2 && root[n-1] == "my-views" && root[n-2] == "me" {
		root = root[:n-2]
	} else if n >= 3 && root[n-1] == "my-views" && root[n-3] == "user" {
		root = root[:n-3]
	}
	if len(root) == 0 {
		return ""
	}
	return "/" + strings.Join(root, "/")
}

func containsSeg(segs []string, s string) bool {
	for _, x := range segs {
		if x == s {
			return true
		}
	}
	return false
}

// JenkinsJobURL returns the URL of the job with full name fullName (names
// joined by "/") on the Jenkins at root, with a trailing slash.
func JenkinsJobURL(root, fullName string) string {
	var b strings.Builder
	b.WriteString(strings.TrimRight(root, "/"))
	for _, name := range strings.Split(fullName, "/") {
		b.WriteString("/job/")
		b.WriteString(url.PathEscape(name))
	}
	b.WriteString("/")
	return b.String()
}
