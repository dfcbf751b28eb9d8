package providertest

import (
	"fmt"
	"hash/fnv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/destill-dev/destill/providers"
)

func repoID(org, repo string) int64 {
	h := fnv.New32a()
	h.Write([]byte(strings.ToLower(org + "/" + repo)))
	return int64(h.Sum32()%9_000_000) + 100_000
}

// serveGitHub routes /repos/{o}/{r}/actions/… and /repositories/{id}/actions/….
func (f *Fake) serveGitHub(w http.ResponseWriter, r *http.Request, p string) {
	const kind = providers.KindGitHubActions
	s := strings.Split(strings.Trim(p, "/"), "/")
	var org, repo string
	switch {
	case len(s) == 3 && s[0] == "repos":
		f.serveGitHubRepo(w, r, s[1], s[2])
		return
	case len(s) >= 4 && s[0] == "repos":
		org, repo, s = s[1], s[2], s[3:]
	case len(s) >= 3 && s[0] == "repositories":
		id, _ := strconv.ParseInt(s[1], 10, 64)
		for _, b := range f.sc.Builds {
			if b.Provider == kind && repoID(b.Org, b.Repo) == id {
				org, repo = b.Org, b.Repo
			}
		}
		s = s[2:]
	default:
		writeError(w, kind, http.StatusNotFound, "")
		return
	}
	if len(s) < 2 || s[0] != "actions" {
		writeError(w, kind, http.StatusNotFound, "")
		return
	}
	w.Header().Set("X-GitHub-Request-Id", "8C1E:3A2B:1F00A1:2B3C4D:67C6A1B2")
	w.Header().Set("X-RateLimit-Limit", "5000")
	w.Header().Set("X-RateLimit-Remaining", "4999")
	switch {
	case len(s) == 2 && s[1] == "runs":
		f.serveGitHubRuns(w, r, org, repo, "")
		return
	case len(s) == 4 && s[1] == "workflows" && s[3] == "runs":
		f.serveGitHubRuns(w, r, org, repo, s[2])
		return
	case len(s) < 3:
		writeError(w, kind, http.StatusNotFound, "")
		return
	}
	switch s[1] {
	case "runs":
		id, _ := strconv.ParseInt(s[2], 10, 64)
		bi := f.findBuild(kind, org, repo, id)
		if bi < 0 {
			writeError(w, kind, http.StatusNotFound, "")
			return
		}
		b := f.sc.Builds[bi]
		rest := s[3:]
		attempt := 0
		if len(rest) >= 2 && rest[0] == "attempts" {
			attempt, _ = strconv.Atoi(rest[1])
			if attempt < 1 || attempt > b.Attempt {
				writeError(w, kind, http.StatusNotFound, "")
				return
			}
			rest = rest[2:]
		}
		switch {
		case len(rest) == 0:
			writeJSON(w, r, http.StatusOK, f.ghRun(bi, attempt))
		case len(rest) == 1 && rest[0] == "jobs":
			filter := r.URL.Query().Get("filter")
			var items []any
			for ji, j := range b.Jobs {
				switch {
				case attempt > 0 && j.Attempt != attempt:
					continue
				case attempt == 0 && filter != "all" && j.Retried:
					continue
				}
				items = append(items, f.ghJob(bi, ji))
			}
			total := len(items)
			f.ghPage(w, r, b, items, func(pg []any) any { return map[string]any{"total_count": total, "jobs": pg} })
		case len(rest) == 1 && rest[0] == "artifacts" && attempt == 0:
			var items []any
			for ai := range b.Artifacts {
				items = append(items, f.ghArtifact(bi, ai))
			}
			total := len(items)
			f.ghPage(w, r, b, items, func(pg []any) any { return map[string]any{"total_count": total, "artifacts": pg} })
		default:
			writeError(w, kind, http.StatusNotFound, "")
		}
	case "jobs":
		for bi, b := range f.sc.Builds {
			if b.Provider != kind || !strings.EqualFold(b.Org, org) || !strings.EqualFold(b.Repo, repo) {
				continue
			}
			ji := jobIndex(b, s[2])
			if ji < 0 {
				continue
			}
			switch {
			case len(s) == 3:
				writeJSON(w, r, http.StatusOK, f.ghJob(bi, ji))
			case len(s) == 4 && s[3] == "logs":
				j := b.Jobs[ji]
				switch {
				case j.LogStatus == http.StatusGone:
					writeError(w, kind, http.StatusGone, "")
				case j.LogStatus != 0:
					writeError(w, kind, j.LogStatus, "")
				case !finished(j.State) || j.State == "skipped":
					writeError(w, kind, http.StatusNotFound, "")
				default:
					w.Header().Set("Location", f.blobURL(blob{build: bi, job: ji, artifact: -1}))
					w.WriteHeader(http.StatusFound)
				}
			default:
				writeError(w, kind, http.StatusNotFound, "")
			}
			return
		}
		writeError(w, kind, http.StatusNotFound, "")
	case "artifacts":
		for bi, b := range f.sc.Builds {
			if b.Provider != kind || !strings.EqualFold(b.Org, org) || !strings.EqualFold(b.Repo, repo) {
				continue
			}
			for ai, a := range b.Artifacts {
				if strconv.FormatInt(ghArtifactID(bi, ai), 10) != s[2] {
					continue
				}
				switch {
				case len(s) == 4 && s[3] == "zip" && a.Expired:
					writeError(w, kind, http.StatusGone, "Artifact has expired")
				case len(s) == 4 && s[3] == "zip":
					w.Header().Set("Location", f.blobURL(blob{build: bi, job: -1, artifact: ai}))
					w.WriteHeader(http.StatusFound)
				default:
					writeJSON(w, r, http.StatusOK, f.ghArtifact(bi, ai))
				}
				return
			}
		}
		writeError(w, kind, http.StatusNotFound, "")
	default:
		writeError(w, kind, http.StatusNotFound, "")
	}
}

// ghPage paginates with a Link header whose next URL uses the
// /repositories/{id}/ form, as GitHub's sometimes does.
func (f *Fake) ghPage(w http.ResponseWriter, r *http.Request, b Build, items []any, wrap func([]any) any) {
	size := f.pageSize(r, 30)
	p := pageNumber(r)
	from, to, more := page(len(items), p, size)
	if more {
		path := r.URL.Path
		if i := strings.Index(path, "/actions/"); i >= 0 {
			path = fmt.Sprintf("%s/repositories/%d%s", githubPrefix, repoID(b.Org, b.Repo), path[i:])
		}
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(p+1))
		q.Set("per_page", strconv.Itoa(size))
		last := (len(items) + size - 1) / size
		ql := r.URL.Query()
		ql.Set("page", strconv.Itoa(last))
		ql.Set("per_page", strconv.Itoa(size))
		w.Header().Set("Link", fmt.Sprintf(`<http://%s%s?%s>; rel="next", <http://%s%s?%s>; rel="last"`,
			r.Host, path, q.Encode(), r.Host, path, ql.Encode()))
	}
	pg := items[from:to]
	if pg == nil {
		pg = []any{}
	}
	writeJSON(w, r, http.StatusOK, wrap(pg))
}

func ghArtifactID(bi, ai int) int64 { return 2611439981 + int64(bi)*100 + int64(ai) }

var ghConclusions = map[string]string{
	"passed": "success", "failed": "failure", "timed_out": "timed_out", "cancelled": "cancelled",
	"skipped": "skipped", "broken": "skipped", "blocked": "action_required",
}

func (f *Fake) ghRun(bi, attempt int) map[string]any {
	b := f.sc.Builds[bi]
	if attempt == 0 {
		attempt = b.Attempt
	}
	state := b.State
	if state == "" {
		sub := b
		sub.Jobs = nil
		for _, j := range b.Jobs {
			if (attempt == b.Attempt && !j.Retried) || j.Attempt == attempt {
				sub.Jobs = append(sub.Jobs, j)
			}
		}
		state = deriveState(sub, map[string]string{"passed": "success", "failed": "failure", "running": "running", "failing": "running"})
		if state != "running" && hasJobIn(sub, "blocked") {
			state = "waiting" // a deployment awaits a reviewer
		}
	}
	status, conclusion := "completed", any(state)
	switch state {
	case "waiting":
		status, conclusion = "waiting", nil
	case "running", "in_progress":
		status, conclusion = "in_progress", nil
	case "queued":
		status, conclusion = "queued", nil
	}
	web := fmt.Sprintf("https://github.com/%s/%s/actions/runs/%d", b.Org, b.Repo, b.Number)
	api := fmt.Sprintf("%s%s/repos/%s/%s/actions/runs/%d", f.API.URL, githubPrefix, b.Org, b.Repo, b.Number)
	updated := "2026-03-04T09:31:07Z"
	if !b.FinishedAt.IsZero() {
		updated = b.FinishedAt.UTC().Format(time.RFC3339)
	}
	var prev any
	if attempt > 1 {
		prev = fmt.Sprintf("%s/attempts/%d", api, attempt-1)
	}
	return map[string]any{
		"id": b.Number, "name": b.Workflow, "head_branch": b.Branch, "head_sha": b.Commit,
		"path": workflowPath(b.Workflow), "display_title": "uploader: retry on 503 with jitter",
		"run_number": 1532, "event": "pull_request", "status": status, "conclusion": conclusion,
		"workflow_id": workflowID(b.Workflow), "url": api, "html_url": web, "run_attempt": attempt,
		"created_at": "2026-03-04T09:09:51Z", "run_started_at": "2026-03-04T09:24:10Z", "updated_at": updated,
		"jobs_url": api + "/jobs", "logs_url": api + "/logs", "artifacts_url": api + "/artifacts",
		"previous_attempt_url": prev,
		"repository":           map[string]any{"id": repoID(b.Org, b.Repo), "full_name": b.Org + "/" + b.Repo},
	}
}

func (f *Fake) ghJob(bi, ji int) map[string]any {
	b := f.sc.Builds[bi]
	j := b.Jobs[ji]
	id, _ := strconv.ParseInt(j.ID, 10, 64)
	status, conclusion := "completed", any(ghConclusions[j.State])
	switch j.State {
	case "running":
		status, conclusion = "in_progress", nil
	case "pending", "created":
		status, conclusion = "queued", nil
	case "blocked": // an environment awaiting a reviewer's approval
		status, conclusion = "waiting", nil
	}
	if j.Raw != "" {
		conclusion = j.Raw
	}
	started, fin := timesFor(j, ji)
	steps := []any{}
	runner := any(fmt.Sprintf("GitHub Actions %d", 1000123456+ji))
	failedStep := j.Step
	if failedStep == "" {
		failedStep = "Run make test"
	}
	switch j.State {
	case "skipped", "broken", "pending", "blocked", "created":
		runner = nil
	default:
		step := func(n int, name, concl string) map[string]any {
			st := map[string]any{"name": name, "status": "completed", "conclusion": concl, "number": n,
				"started_at": started, "completed_at": fin}
			if concl == "" {
				st["status"], st["conclusion"] = "in_progress", nil
			}
			return st
		}
		main := "success"
		switch j.State {
		case "failed", "timed_out":
			main = "failure"
		case "cancelled":
			main = "cancelled"
		case "running":
			main = ""
		}
		steps = append(steps, step(1, "Set up job", "success"), step(2, "Run actions/checkout@v4", "success"), step(3, failedStep, main))
		if main != "" {
			steps = append(steps, step(4, "Complete job", "success"))
		}
	}
	return map[string]any{
		"id": id, "run_id": b.Number, "run_attempt": j.Attempt, "head_sha": b.Commit, "head_branch": b.Branch,
		"url":      fmt.Sprintf("%s%s/repos/%s/%s/actions/jobs/%s", f.API.URL, githubPrefix, b.Org, b.Repo, j.ID),
		"html_url": fmt.Sprintf("https://github.com/%s/%s/actions/runs/%d/job/%s", b.Org, b.Repo, b.Number, j.ID),
		"status":   status, "conclusion": conclusion, "started_at": started, "completed_at": fin,
		"name": j.Name, "steps": steps, "runner_name": runner, "workflow_name": b.Workflow, "labels": []string{"ubuntu-latest"},
		"check_run_url": fmt.Sprintf("%s%s/repos/%s/%s/check-runs/%s", f.API.URL, githubPrefix, b.Org, b.Repo, j.ID),
	}
}

func (f *Fake) ghArtifact(bi, ai int) map[string]any {
	b := f.sc.Builds[bi]
	a := b.Artifacts[ai]
	id := ghArtifactID(bi, ai)
	api := fmt.Sprintf("%s%s/repos/%s/%s/actions/artifacts/%d", f.API.URL, githubPrefix, b.Org, b.Repo, id)
	size := len(a.Content)
	for _, c := range a.Files {
		size += len(c)
	}
	return map[string]any{
		"id": id, "name": a.Path, "size_in_bytes": size, "url": api, "archive_download_url": api + "/zip",
		"expired": a.Expired, "created_at": "2026-03-04T09:29:44Z", "expires_at": "2026-06-02T09:29:39Z",
		"workflow_run": map[string]any{"id": b.Number, "head_branch": b.Branch, "head_sha": b.Commit},
	}
}
