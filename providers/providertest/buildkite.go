package providertest

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/destill-dev/destill/providers"
)

// serveBuildkite routes /v2/organizations/{org}/pipelines/{p}/builds/{n}[/…].
func (f *Fake) serveBuildkite(w http.ResponseWriter, r *http.Request, p string) {
	const kind = providers.KindBuildkite
	s := strings.Split(strings.Trim(p, "/"), "/")
	if (len(s) == 5 || len(s) == 6) && s[0] == "v2" && s[1] == "organizations" && s[3] == "pipelines" {
		f.serveBuildkitePipeline(w, r, s[2], s[4], s[5:])
		return
	}
	if len(s) < 7 || s[0] != "v2" || s[1] != "organizations" || s[3] != "pipelines" || s[5] != "builds" {
		writeError(w, kind, http.StatusNotFound, "Not Found")
		return
	}
	n, _ := strconv.ParseInt(s[6], 10, 64)
	bi := f.findBuild(kind, s[2], s[4], n)
	if bi < 0 {
		writeError(w, kind, http.StatusNotFound, "Not Found")
		return
	}
	b := f.sc.Builds[bi]
	rest := s[7:]
	apiBase := f.bkAPIBase(bi)
	switch {
	case len(rest) == 0:
		build := f.bkBuild(bi, apiBase)
		f.bkEmbedJobs(build, bi, apiBase, r.URL.Query())
		bkRateHeaders(w)
		writeJSON(w, r, http.StatusOK, build)
	case len(rest) == 1 && rest[0] == "jobs" && f.sc.NoBuildkiteJobList:
		writeError(w, kind, http.StatusNotFound, "Not Found")
	case len(rest) == 1 && rest[0] == "jobs":
		// Cursor pagination in the body; retried jobs included by default.
		size := f.pageSize(r, 30)
		from := 0
		if c := r.URL.Query().Get("after"); c != "" {
			raw, err := base64.RawURLEncoding.DecodeString(c)
			if err != nil {
				writeError(w, kind, http.StatusBadRequest, "Invalid cursor")
				return
			}
			from, _ = strconv.Atoi(strings.TrimPrefix(string(raw), "job:"))
		}
		var all []int
		for ji, j := range b.Jobs {
			if j.Retried && r.URL.Query().Get("include_retried_jobs") == "false" {
				continue
			}
			all = append(all, ji)
		}
		to := min(from+size, len(all))
		items := []any{}
		for _, ji := range all[min(from, len(all)):to] {
			items = append(items, f.bkJob(bi, ji, apiBase))
		}
		links := map[string]string{"self": apiBase + "/jobs"}
		if to < len(all) {
			cur := base64.RawURLEncoding.EncodeToString([]byte("job:" + strconv.Itoa(to)))
			links["next"] = fmt.Sprintf("%s/jobs?after=%s&per_page=%d", apiBase, cur, size)
		}
		bkRateHeaders(w)
		writeJSON(w, r, http.StatusOK, map[string]any{"items": items, "links": links})
	case len(rest) == 1 && rest[0] == "artifacts":
		var all []any
		for ji, j := range b.Jobs {
			for ai := range j.Artifacts {
				all = append(all, f.bkArtifact(bi, ji, ai, apiBase))
			}
		}
		f.linkPage(w, r, all, 30, nil)
	case len(rest) >= 2 && rest[0] == "jobs":
		ji := jobIndex(b, rest[1])
		if ji < 0 {
			writeError(w, kind, http.StatusNotFound, "No job found")
			return
		}
		j := b.Jobs[ji]
		switch {
		case len(rest) == 3 && (rest[2] == "log" || rest[2] == "log.txt"):
			if st := bkLogStatus(j); st != 0 {
				writeError(w, kind, st, "Not Found")
				return
			}
			if rest[2] == "log" && !strings.Contains(r.Header.Get("Accept"), "text/plain") {
				writeJSON(w, r, http.StatusOK, map[string]any{
					"url": apiBase + "/jobs/" + j.ID + "/log", "content": j.Log, "size": len(j.Log), "header_times": []int64{},
				})
				return
			}
			f.streamLog(w, r, kind, j)
		case len(rest) == 3 && rest[2] == "artifacts":
			var all []any
			for ai := range j.Artifacts {
				all = append(all, f.bkArtifact(bi, ji, ai, apiBase))
			}
			f.linkPage(w, r, all, 30, nil)
		case len(rest) == 5 && rest[2] == "artifacts" && rest[4] == "download":
			for ai, a := range j.Artifacts {
				if artifactID(bi, ji, ai) == rest[3] {
					if a.Expired {
						writeError(w, kind, http.StatusNotFound, "Not Found")
						return
					}
					u := f.blobURL(blob{build: bi, job: ji, artifact: ai})
					w.Header().Set("Location", u)
					writeJSON(w, r, http.StatusFound, map[string]string{"url": u})
					return
				}
			}
			writeError(w, kind, http.StatusNotFound, "Not Found")
		default:
			writeError(w, kind, http.StatusNotFound, "Not Found")
		}
	default:
		writeError(w, kind, http.StatusNotFound, "Not Found")
	}
}

func bkRateHeaders(w http.ResponseWriter) {
	w.Header().Set("RateLimit-Scope", "rest")
	w.Header().Set("RateLimit-Remaining", "180")
	w.Header().Set("RateLimit-Limit", "200")
	w.Header().Set("RateLimit-Reset", "42")
}

// bkLogStatus is the status a Buildkite log request gets for j, 0 for 200.
func bkLogStatus(j Job) int {
	switch {
	case j.LogStatus != 0:
		return j.LogStatus
	case j.Type != "" && j.Type != "script":
		return http.StatusNotFound
	case neverRan(j.State):
		return http.StatusNotFound
	}
	return 0
}

func jobIndex(b Build, id string) int {
	for i, j := range b.Jobs {
		if j.ID == id {
			return i
		}
	}
	return -1
}

func artifactID(bi, ji, ai int) string {
	return fmt.Sprintf("0197c3a3-%04x-7a1b-9c8d-%012x", bi, ji*1000+ai)
}

var bkStates = map[string]string{
	"passed": "passed", "failed": "failed", "timed_out": "timed_out", "cancelled": "canceled",
	"running": "running", "pending": "scheduled", "skipped": "skipped", "broken": "broken", "blocked": "blocked", "created": "waiting",
}

// bkAPIBase is the API URL of build bi.
func (f *Fake) bkAPIBase(bi int) string {
	b := f.sc.Builds[bi]
	return fmt.Sprintf("%s%s/v2/organizations/%s/pipelines/%s/builds/%d", f.API.URL, buildkitePrefix, b.Org, b.Repo, b.Number)
}

// bkEmbedJobs adds build bi's jobs to build, as the build and the builds
// list do: not with exclude_jobs=true, retried jobs only with
// include_retried_jobs=true.
func (f *Fake) bkEmbedJobs(build map[string]any, bi int, apiBase string, q url.Values) {
	if q.Get("exclude_jobs") == "true" {
		return
	}
	jobs := []any{}
	for ji, j := range f.sc.Builds[bi].Jobs {
		if j.Retried && q.Get("include_retried_jobs") != "true" {
			continue
		}
		jobs = append(jobs, f.bkJob(bi, ji, apiBase))
	}
	build["jobs"] = jobs
}

func (f *Fake) bkBuild(bi int, apiBase string) map[string]any {
	b := f.sc.Builds[bi]
	state := b.State
	if state == "" {
		state = deriveState(b, map[string]string{"passed": "passed", "failed": "failed", "running": "running", "failing": "failing"})
		if state == "passed" && hasJobIn(b, "blocked") {
			state = "blocked" // finished, waiting at a block step
		}
	}
	web := fmt.Sprintf("https://buildkite.com/%s/%s/builds/%d", b.Org, b.Repo, b.Number)
	started, fin := timesFor(Job{State: state}, 0)
	if !b.FinishedAt.IsZero() && fin != nil {
		fin = b.FinishedAt.UTC().Format(time.RFC3339)
	}
	return map[string]any{
		"id": fmt.Sprintf("0197c3a0-8f10-7b2e-a1d4-%012x", b.Number), "number": b.Number,
		"url": apiBase, "web_url": web, "state": state, "blocked": state == "blocked",
		"message": "uploader: retry on 503 with jitter", "commit": b.Commit, "branch": b.Branch,
		"source": "webhook", "created_at": started, "started_at": started, "finished_at": fin,
		"pipeline": f.bkPipeline(b.Org, b.Repo),
	}
}

func (f *Fake) bkJob(bi, ji int, apiBase string) map[string]any {
	b := f.sc.Builds[bi]
	j := b.Jobs[ji]
	typ := j.Type
	if typ == "" {
		typ = "script"
	}
	m := map[string]any{"id": j.ID, "type": typ, "graphql_id": base64.StdEncoding.EncodeToString([]byte("Job---" + j.ID))}
	state := j.Raw
	if state == "" {
		state = bkStates[j.State]
	}
	m["state"] = state
	if typ == "waiter" {
		return m
	}
	m["name"] = j.Name
	key := j.StepKey
	if key == "" {
		key = strings.ToLower(strings.Fields(j.Name + " job")[0])
	}
	m["step_key"] = key
	m["step"] = map[string]any{"id": fmt.Sprintf("0197c3a0-9e01-7d55-b2c0-%012x", len(key)*7919+int(key[0])), "signature": nil}
	if j.Step != "" {
		m["group_key"] = j.Step
	}
	var exit any
	switch {
	case j.NullExit:
	case j.ExitStatus != nil:
		exit = *j.ExitStatus
	case j.State == "passed":
		exit = 0
	case j.State == "failed":
		exit = 1
	case j.State == "timed_out":
		exit = -1
	}
	m["exit_status"] = exit
	m["soft_failed"] = j.SoftFailed
	m["retried"] = j.Retried
	if j.Attempt > 1 {
		m["retries_count"] = j.Attempt - 1
	}
	web := fmt.Sprintf("https://buildkite.com/%s/%s/builds/%d#%s", b.Org, b.Repo, b.Number, j.ID)
	m["web_url"] = web
	if typ == "script" {
		m["log_url"] = apiBase + "/jobs/" + j.ID + "/log"
		m["raw_log_url"] = apiBase + "/jobs/" + j.ID + "/log.txt"
		m["artifacts_url"] = apiBase + "/jobs/" + j.ID + "/artifacts"
		m["command"] = "make ci"
	}
	started, fin := timesFor(j, ji)
	m["started_at"], m["finished_at"] = started, fin
	if started == nil {
		m["agent"] = nil
	} else {
		m["agent"] = map[string]any{"id": "0197b9d2-0000-7000-8000-000000000001", "name": fmt.Sprintf("ci-linux-amd64-%d", ji)}
	}
	return m
}

func (f *Fake) bkArtifact(bi, ji, ai int, apiBase string) map[string]any {
	j := f.sc.Builds[bi].Jobs[ji]
	a := j.Artifacts[ai]
	id := artifactID(bi, ji, ai)
	url := apiBase + "/jobs/" + j.ID + "/artifacts/" + id
	state := "finished"
	if a.Expired {
		state = "expired"
	}
	return map[string]any{
		"id": id, "job_id": j.ID, "url": url, "download_url": url + "/download", "state": state,
		"path": a.Path, "dirname": path.Dir(a.Path), "filename": path.Base(a.Path),
		"mime_type": "application/xml", "file_size": len(a.Content),
	}
}

// deriveState names a build's state from its jobs, in words from names:
// passed, failed, running, failing.
// hasJobIn reports whether a job of b (not a retried one) is in state.
func hasJobIn(b Build, state string) bool {
	for _, j := range b.Jobs {
		if !j.Retried && j.State == state {
			return true
		}
	}
	return false
}

func deriveState(b Build, names map[string]string) string {
	failed, running := false, false
	for _, j := range b.Jobs {
		if j.Retried {
			continue
		}
		switch j.State {
		case "failed", "timed_out", "cancelled":
			if !j.SoftFailed {
				failed = true
			}
		case "running", "pending":
			running = true
		}
	}
	switch {
	case running && failed:
		return names["failing"]
	case running:
		return names["running"]
	case failed:
		return names["failed"]
	}
	return names["passed"]
}

// linkPage serves items a page at a time with a Link header (Buildkite
// classic lists, GitHub, GitLab). wrap, when set, wraps the page.
func (f *Fake) linkPage(w http.ResponseWriter, r *http.Request, items []any, def int, wrap func(page []any) any) {
	size := f.pageSize(r, def)
	p := pageNumber(r)
	from, to, more := page(len(items), p, size)
	if more {
		u := *r.URL
		u.Scheme, u.Host = "http", r.Host
		q := u.Query()
		q.Set("page", strconv.Itoa(p+1))
		q.Set("per_page", strconv.Itoa(size))
		u.RawQuery = q.Encode()
		w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next"`, u.String()))
	}
	pg := items[from:to]
	if pg == nil {
		pg = []any{}
	}
	if wrap != nil {
		writeJSON(w, r, http.StatusOK, wrap(pg))
		return
	}
	writeJSON(w, r, http.StatusOK, pg)
}

// zipFiles returns a zip archive of files.
func zipFiles(files map[string]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range files {
		fw, _ := zw.Create(name)
		fw.Write([]byte(content))
	}
	zw.Close()
	return buf.Bytes()
}
