package providertest

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/destill-dev/destill/providers"
)

// serveGitLab routes /projects/{url-encoded path or id}/….  The project is
// matched on the escaped path, as GitLab requires "%2F" in it.
func (f *Fake) serveGitLab(w http.ResponseWriter, r *http.Request, p string) {
	const kind = providers.KindGitLab
	s := strings.Split(strings.Trim(p, "/"), "/")
	if len(s) < 2 || s[0] != "projects" {
		writeError(w, kind, http.StatusNotFound, "404 Not found")
		return
	}
	project, err := url.PathUnescape(s[1])
	if err != nil {
		writeError(w, kind, http.StatusNotFound, "404 Project Not Found")
		return
	}
	var builds []int
	for i, b := range f.sc.Builds {
		if b.Provider == kind && (strings.EqualFold(b.Repo, project) || strconv.FormatInt(projectID(b.Repo), 10) == project) {
			builds = append(builds, i)
		}
	}
	if len(builds) == 0 {
		writeError(w, kind, http.StatusNotFound, "404 Project Not Found")
		return
	}
	rest := s[2:]
	switch {
	case len(rest) == 0:
		f.serveGitLabProject(w, r, builds)
		return
	case len(rest) == 1 && rest[0] == "pipelines":
		f.serveGitLabPipelines(w, r, builds)
		return
	case len(rest) == 1:
		writeError(w, kind, http.StatusNotFound, "404 Not found")
		return
	}
	id, _ := strconv.ParseInt(rest[1], 10, 64)
	switch rest[0] {
	case "pipelines":
		bi := -1
		for _, i := range builds {
			if f.sc.Builds[i].Number == id {
				bi = i
			}
		}
		if bi < 0 {
			writeError(w, kind, http.StatusNotFound, "404 Not found")
			return
		}
		switch {
		case len(rest) == 2:
			writeJSON(w, r, http.StatusOK, f.glPipeline(bi))
		case len(rest) == 3 && rest[2] == "jobs":
			var items []any
			b := f.sc.Builds[bi]
			for ji := len(b.Jobs) - 1; ji >= 0; ji-- { // newest first
				if b.Jobs[ji].Retried && r.URL.Query().Get("include_retried") != "true" {
					continue
				}
				items = append(items, f.glJob(bi, ji))
			}
			f.glPage(w, r, items)
		case len(rest) == 3 && rest[2] == "bridges":
			f.glPage(w, r, nil)
		default:
			writeError(w, kind, http.StatusNotFound, "404 Not found")
		}
	case "jobs":
		for _, bi := range builds {
			b := f.sc.Builds[bi]
			ji := jobIndex(b, rest[1])
			if ji < 0 {
				continue
			}
			j := b.Jobs[ji]
			switch {
			case len(rest) == 2:
				writeJSON(w, r, http.StatusOK, f.glJob(bi, ji))
			case len(rest) == 3 && rest[2] == "trace":
				switch {
				case j.LogStatus != 0:
					writeError(w, kind, j.LogStatus, "")
				case neverRan(j.State):
					writeError(w, kind, http.StatusNotFound, "404 Not found")
				case ji%2 == 1:
					// Archived traces come from object storage, by redirect.
					w.Header().Set("Location", f.blobURL(blob{build: bi, job: ji, artifact: -1}))
					w.WriteHeader(http.StatusFound)
				default:
					f.streamLog(w, r, kind, j)
				}
			default:
				writeError(w, kind, http.StatusNotFound, "404 Not found")
			}
			return
		}
		writeError(w, kind, http.StatusNotFound, "404 Not found")
	default:
		writeError(w, kind, http.StatusNotFound, "404 Not found")
	}
}

func projectID(path string) int64 { return repoID("gitlab", path) }

// glPage paginates with Link and the X-Page/X-Next-Page headers.
func (f *Fake) glPage(w http.ResponseWriter, r *http.Request, items []any) {
	size := f.pageSize(r, 20)
	p := pageNumber(r)
	_, _, more := page(len(items), p, size)
	w.Header().Set("X-Page", strconv.Itoa(p))
	w.Header().Set("X-Per-Page", strconv.Itoa(size))
	w.Header().Set("X-Total", strconv.Itoa(len(items)))
	w.Header().Set("X-Next-Page", "")
	if more {
		w.Header().Set("X-Next-Page", strconv.Itoa(p+1))
	}
	f.linkPage(w, r, items, 20, nil)
}

var glStatuses = map[string]string{
	"passed": "success", "failed": "failed", "timed_out": "failed", "cancelled": "canceled",
	"running": "running", "pending": "pending", "skipped": "skipped", "broken": "skipped", "blocked": "manual", "created": "created",
}

func (f *Fake) glPipeline(bi int) map[string]any {
	b := f.sc.Builds[bi]
	state := b.State
	if state == "" {
		state = deriveState(b, map[string]string{"passed": "success", "failed": "failed", "running": "running", "failing": "running"})
	}
	started, fin := timesFor(Job{State: map[string]string{"running": "running"}[state]}, 0)
	if !b.FinishedAt.IsZero() && fin != nil {
		fin = b.FinishedAt.UTC().Format(time.RFC3339)
	}
	return map[string]any{
		"id": b.Number, "iid": 5821, "project_id": projectID(b.Repo), "status": state, "source": "push",
		"ref": b.Branch, "sha": b.Commit, "tag": false, "yaml_errors": nil,
		"created_at": started, "started_at": started, "finished_at": fin,
		"web_url": fmt.Sprintf("https://gitlab.com/%s/-/pipelines/%d", b.Repo, b.Number),
	}
}

func (f *Fake) glJob(bi, ji int) map[string]any {
	b := f.sc.Builds[bi]
	j := b.Jobs[ji]
	id, _ := strconv.ParseInt(j.ID, 10, 64)
	status := j.Raw
	if status == "" {
		status = glStatuses[j.State]
	}
	m := map[string]any{
		"id": id, "name": j.Name, "stage": j.Step, "status": status, "allow_failure": j.SoftFailed,
		"ref": b.Branch, "tag": false, "erased_at": nil,
		"web_url":  fmt.Sprintf("https://gitlab.com/%s/-/jobs/%s", b.Repo, j.ID),
		"pipeline": map[string]any{"id": b.Number, "project_id": projectID(b.Repo), "ref": b.Branch, "sha": b.Commit, "status": "failed"},
	}
	if m["stage"] == "" {
		m["stage"] = "test"
	}
	switch j.State {
	case "failed":
		m["failure_reason"] = "script_failure"
	case "timed_out":
		m["failure_reason"] = "job_execution_timeout"
	}
	started, fin := timesFor(j, ji)
	m["started_at"], m["finished_at"] = started, fin
	if j.Log != "" || j.LogSize > 0 {
		m["artifacts"] = []any{map[string]any{"file_type": "trace", "size": max(int64(len(j.Log)), j.LogSize), "filename": "job.log", "file_format": "raw"}}
	}
	return m
}
