package providertest

import (
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/destill-dev/destill/providers"
)

// This file serves what clients ask for to find earlier builds: the lists
// of builds of a pipeline (runs of a workflow, pipelines of a project),
// filtered by branch and outcome, newest first, and the pipeline's,
// repository's or project's default branch.

// pipelineBuilds returns the indexes of the builds of kind whose org and
// repo match (and that match accepts, when not nil), newest (highest
// Number) first.
func (f *Fake) pipelineBuilds(kind providers.Kind, org, repo string, match func(Build) bool) []int {
	var out []int
	for i, b := range f.sc.Builds {
		if b.Provider != kind || !strings.EqualFold(b.Org, org) || !strings.EqualFold(b.Repo, repo) {
			continue
		}
		if match != nil && !match(b) {
			continue
		}
		out = append(out, i)
	}
	sort.SliceStable(out, func(a, b int) bool { return f.sc.Builds[out[a]].Number > f.sc.Builds[out[b]].Number })
	return out
}

// queryValues returns the values of a query parameter given as name or
// name[] (Buildkite and GitLab accept both forms).
func queryValues(q url.Values, name string) []string {
	return append(append([]string(nil), q[name]...), q[name+"[]"]...)
}

func oneOf(v string, allowed []string) bool {
	if len(allowed) == 0 {
		return true
	}
	for _, a := range allowed {
		if a == v {
			return true
		}
	}
	return false
}

// serveBuildkitePipeline answers GET …/pipelines/{p} and the builds list
// GET …/pipelines/{p}/builds?branch=&state=&commit=&per_page=&page=, with
// each build's jobs embedded unless exclude_jobs=true.
func (f *Fake) serveBuildkitePipeline(w http.ResponseWriter, r *http.Request, org, slug string, rest []string) {
	const kind = providers.KindBuildkite
	all := f.pipelineBuilds(kind, org, slug, nil)
	if len(all) == 0 {
		writeError(w, kind, http.StatusNotFound, "Not Found")
		return
	}
	b0 := f.sc.Builds[all[0]]
	bkRateHeaders(w)
	switch {
	case len(rest) == 0:
		writeJSON(w, r, http.StatusOK, f.bkPipeline(b0.Org, b0.Repo))
		return
	case len(rest) != 1 || rest[0] != "builds":
		writeError(w, kind, http.StatusNotFound, "Not Found")
		return
	}
	q := r.URL.Query()
	var items []any
	for _, bi := range all {
		b := f.sc.Builds[bi]
		apiBase := f.bkAPIBase(bi)
		build := f.bkBuild(bi, apiBase)
		if !oneOf(b.Branch, queryValues(q, "branch")) || !oneOf(build["state"].(string), queryValues(q, "state")) ||
			!oneOf(b.Commit, queryValues(q, "commit")) {
			continue
		}
		f.bkEmbedJobs(build, bi, apiBase, q)
		items = append(items, build)
	}
	f.linkPage(w, r, items, 30, nil)
}

func (f *Fake) bkPipeline(org, slug string) map[string]any {
	return map[string]any{
		"id": fmt.Sprintf("0197c39f-1a2b-7c3d-8e4f-%012x", repoID(org, slug)), "slug": slug, "name": slug,
		"url":            fmt.Sprintf("%s%s/v2/organizations/%s/pipelines/%s", f.API.URL, buildkitePrefix, org, slug),
		"web_url":        fmt.Sprintf("https://buildkite.com/%s/%s", org, slug),
		"repository":     fmt.Sprintf("git@github.com:%s/%s.git", org, slug),
		"default_branch": f.sc.DefaultBranch,
	}
}

// serveGitHubRepo answers GET /repos/{o}/{r}.
func (f *Fake) serveGitHubRepo(w http.ResponseWriter, r *http.Request, org, repo string) {
	all := f.pipelineBuilds(providers.KindGitHubActions, org, repo, nil)
	if len(all) == 0 {
		writeError(w, providers.KindGitHubActions, http.StatusNotFound, "Not Found")
		return
	}
	b := f.sc.Builds[all[0]]
	writeJSON(w, r, http.StatusOK, map[string]any{
		"id": repoID(b.Org, b.Repo), "name": b.Repo, "full_name": b.Org + "/" + b.Repo, "private": true,
		"html_url":       fmt.Sprintf("https://github.com/%s/%s", b.Org, b.Repo),
		"default_branch": f.sc.DefaultBranch,
	})
}

// serveGitHubRuns answers GET /repos/{o}/{r}/actions/runs and
// …/actions/workflows/{id}/runs, filtered by branch, status (a status or
// a conclusion), event and head_sha, newest first. workflow is the ID or
// file name from the path ("" for all workflows).
func (f *Fake) serveGitHubRuns(w http.ResponseWriter, r *http.Request, org, repo, workflow string) {
	const kind = providers.KindGitHubActions
	q := r.URL.Query()
	all := f.pipelineBuilds(kind, org, repo, func(b Build) bool {
		return workflow == "" || workflow == strconv.FormatInt(workflowID(b.Workflow), 10) || workflow == workflowFile(b.Workflow)
	})
	if workflow != "" && len(all) == 0 {
		writeError(w, kind, http.StatusNotFound, "Not Found")
		return
	}
	var items []any
	var first Build
	for _, bi := range all {
		b := f.sc.Builds[bi]
		if br := q.Get("branch"); br != "" && b.Branch != br {
			continue
		}
		if sha := q.Get("head_sha"); sha != "" && b.Commit != sha {
			continue
		}
		run := f.ghRun(bi, 0)
		if st := q.Get("status"); st != "" && run["status"] != st && run["conclusion"] != st {
			continue
		}
		if ev := q.Get("event"); ev != "" && run["event"] != ev {
			continue
		}
		if len(items) == 0 {
			first = b
		}
		items = append(items, run)
	}
	if len(items) == 0 && len(all) > 0 {
		first = f.sc.Builds[all[0]]
	}
	total := len(items)
	f.ghPage(w, r, first, items, func(pg []any) any { return map[string]any{"total_count": total, "workflow_runs": pg} })
}

// workflowID is a stable, GitHub-sized ID for a workflow name; "CI" keeps
// the ID the fake always served.
func workflowID(name string) int64 {
	if name == "CI" {
		return 61234567
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	return 61000000 + int64(h.Sum32()%1000000)
}

func workflowFile(name string) string {
	f := strings.ToLower(strings.Join(strings.Fields(name), "-"))
	if f == "" {
		f = "ci"
	}
	return f + ".yml"
}

func workflowPath(name string) string { return ".github/workflows/" + workflowFile(name) }

// serveGitLabProject answers GET /projects/{id}.
func (f *Fake) serveGitLabProject(w http.ResponseWriter, r *http.Request, builds []int) {
	b := f.sc.Builds[builds[0]]
	name := b.Repo[strings.LastIndex(b.Repo, "/")+1:]
	writeJSON(w, r, http.StatusOK, map[string]any{
		"id": projectID(b.Repo), "name": name, "path": name, "path_with_namespace": b.Repo,
		"web_url":        "https://gitlab.com/" + b.Repo,
		"default_branch": f.sc.DefaultBranch, "visibility": "private",
	})
}

// serveGitLabPipelines answers GET /projects/{id}/pipelines?ref=&status=
// &sha=&order_by=id&sort=desc&per_page=&page=, with the list's basic
// pipeline objects.
func (f *Fake) serveGitLabPipelines(w http.ResponseWriter, r *http.Request, builds []int) {
	q := r.URL.Query()
	idx := append([]int(nil), builds...)
	asc := q.Get("sort") == "asc"
	sort.SliceStable(idx, func(a, b int) bool {
		na, nb := f.sc.Builds[idx[a]].Number, f.sc.Builds[idx[b]].Number
		if asc {
			return na < nb
		}
		return na > nb
	})
	var items []any
	for _, bi := range idx {
		b := f.sc.Builds[bi]
		p := f.glPipeline(bi)
		if st := q.Get("status"); st != "" && p["status"] != st {
			continue
		}
		if q.Get("scope") == "finished" && !oneOf(p["status"].(string), []string{"success", "failed", "canceled", "skipped"}) {
			continue
		}
		if ref := q.Get("ref"); ref != "" && b.Branch != ref {
			continue
		}
		if sha := q.Get("sha"); sha != "" && b.Commit != sha {
			continue
		}
		basic := map[string]any{}
		for _, k := range []string{"id", "iid", "project_id", "sha", "ref", "status", "source", "created_at", "web_url"} {
			basic[k] = p[k]
		}
		basic["updated_at"] = p["finished_at"]
		items = append(items, basic)
	}
	f.glPage(w, r, items)
}
