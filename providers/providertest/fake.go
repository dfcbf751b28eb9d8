package providertest

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/destill-dev/destill/providers"
)

// Path prefixes of the three APIs on the fake's API server (Jenkins is at
// jenkinsPrefix).
const (
	buildkitePrefix = "/buildkite"
	githubPrefix    = "/github"
	gitlabPrefix    = "/gitlab/api/v4"
)

// Fake serves a Scenario: one API server for all four providers on
// 127.0.0.1 (Jenkins under the context path /jenkins), and a blob server reached as "localhost" (another hostname, as
// real blob storage is) that answers 403 to any request carrying
// credentials.
type Fake struct {
	// API and Blob are the two servers.
	API  *httptest.Server
	Blob *httptest.Server

	sc       Scenario
	token    string
	blobBase string

	mu     sync.Mutex
	counts map[string]int
	faults []int // remaining uses per fault; -1: unlimited
	blobs  map[string]blob
	nblob  int
	// pointAt, when set, rewrites URLs in answers (see PointAt).
	pointAt *pointAt
}

type blob struct {
	build, job int // job -1: a run-level artifact
	artifact   int // -1: the job's log
}

// New starts a Fake for sc and closes it when the test ends.
func New(t testing.TB, sc Scenario) *Fake {
	t.Helper()
	f := Start(sc)
	t.Cleanup(f.Close)
	return f
}

// Start starts a Fake for sc; Close stops it.
func Start(sc Scenario) *Fake {
	f := &Fake{sc: sc, token: sc.Token, counts: map[string]int{}, blobs: map[string]blob{}}
	if f.token == "" {
		f.token = DefaultToken
	}
	f.fillDefaults()
	for _, flt := range sc.Faults {
		n := flt.Times
		if n == 0 {
			n = -1
		}
		f.faults = append(f.faults, n)
	}
	f.Blob = httptest.NewServer(http.HandlerFunc(f.serveBlob))
	f.blobBase = strings.Replace(f.Blob.URL, "127.0.0.1", "localhost", 1)
	// The handlers read f.API: assign it before the server takes requests.
	f.API = httptest.NewUnstartedServer(http.HandlerFunc(f.serveAPI))
	f.API.Start()
	return f
}

// Close stops both servers.
func (f *Fake) Close() {
	f.API.Close()
	f.Blob.Close()
}

// Token is the credential the fake accepts.
func (f *Fake) Token() string { return f.token }

// BuildkiteURL, GitHubURL and GitLabURL are the API base URLs to configure
// the clients with (BUILDKITE_API_URL, GITHUB_API_URL, GITLAB_API_URL).
func (f *Fake) BuildkiteURL() string { return f.API.URL + buildkitePrefix }

// GitHubURL is the GitHub API base URL.
func (f *Fake) GitHubURL() string { return f.API.URL + githubPrefix }

// GitLabURL is the GitLab API base URL.
func (f *Fake) GitLabURL() string { return f.API.URL + gitlabPrefix }

// Env returns the environment destill needs to use the fake, as
// "KEY", "value" pairs (the form app.TestStreams takes).
func (f *Fake) Env() []string {
	return []string{
		"BUILDKITE_API_URL", f.BuildkiteURL(), "BUILDKITE_API_TOKEN", f.token,
		"GITHUB_API_URL", f.GitHubURL(), "GITHUB_TOKEN", f.token,
		"GITLAB_API_URL", f.GitLabURL(), "GITLAB_TOKEN", f.token,
		"JENKINS_URL", f.JenkinsURL(), "JENKINS_USER_ID", f.JenkinsUser(), "JENKINS_API_TOKEN", f.token,
	}
}

// EnvMap returns Env as a map, for tests that edit it.
func (f *Fake) EnvMap() map[string]string {
	m := map[string]string{}
	for kv := f.Env(); len(kv) >= 2; kv = kv[2:] {
		m[kv[0]] = kv[1]
	}
	return m
}

// Getenv looks key up in Env; it fits a Getenv field.
func (f *Fake) Getenv(key string) string {
	for kv := f.Env(); len(kv) >= 2; kv = kv[2:] {
		if kv[0] == key {
			return kv[1]
		}
	}
	return ""
}

// Environ returns Env as "KEY=value" strings, for exec.Cmd.Env.
func (f *Fake) Environ() []string {
	env := f.Env()
	var out []string
	for i := 0; i+1 < len(env); i += 2 {
		out = append(out, env[i]+"="+env[i+1])
	}
	return out
}

// WebURL returns the web URL a user would paste for build i of the
// scenario.
func (f *Fake) WebURL(i int) string {
	b := f.sc.Builds[i]
	switch b.Provider {
	case providers.KindBuildkite:
		return fmt.Sprintf("https://buildkite.com/%s/%s/builds/%d", b.Org, b.Repo, b.Number)
	case providers.KindGitHubActions:
		return fmt.Sprintf("https://github.com/%s/%s/actions/runs/%d", b.Org, b.Repo, b.Number)
	case providers.KindGitLab:
		return fmt.Sprintf("https://gitlab.com/%s/-/pipelines/%d", b.Repo, b.Number)
	case providers.KindJenkins:
		return f.jenkinsWebURL(i)
	}
	return ""
}

// JobWebURL returns the web URL of job j of build i, as the API serves it.
func (f *Fake) JobWebURL(i, j int) string {
	b, job := f.sc.Builds[i], f.sc.Builds[i].Jobs[j]
	switch b.Provider {
	case providers.KindBuildkite:
		return f.WebURL(i) + "#" + job.ID
	case providers.KindGitHubActions:
		return f.WebURL(i) + "/job/" + job.ID
	case providers.KindGitLab:
		return fmt.Sprintf("https://gitlab.com/%s/-/jobs/%s", b.Repo, job.ID)
	case providers.KindJenkins:
		return f.jenkinsWebURL(i) // one console log for the whole build
	}
	return ""
}

// Scenario returns the scenario served, with defaults (job IDs) filled in.
func (f *Fake) Scenario() Scenario { return f.sc }

// Requests counts the requests, on either server, whose path starts with
// prefix ("" counts all).
func (f *Fake) Requests(prefix string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for p, c := range f.counts {
		if strings.HasPrefix(p, prefix) {
			n += c
		}
	}
	return n
}

// Paths returns every path requested with its count, sorted by path.
func (f *Fake) Paths() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for p, c := range f.counts {
		out = append(out, fmt.Sprintf("%s %d", p, c))
	}
	sort.Strings(out)
	return out
}

// LogRequests counts requests for job logs, on any provider.
func (f *Fake) LogRequests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for p, c := range f.counts {
		if strings.HasSuffix(p, "/log") || strings.HasSuffix(p, "/log.txt") ||
			strings.HasSuffix(p, "/logs") || strings.HasSuffix(p, "/trace") ||
			strings.HasSuffix(p, "/consoleText") || strings.HasSuffix(p, "/progressiveText") {
			n += c
		}
	}
	return n
}

// ResetCounts forgets the requests counted so far.
func (f *Fake) ResetCounts() {
	f.mu.Lock()
	f.counts = map[string]int{}
	f.mu.Unlock()
}

func (f *Fake) fillDefaults() {
	if f.sc.DefaultBranch == "" {
		f.sc.DefaultBranch = "main"
	}
	for bi := range f.sc.Builds {
		b := &f.sc.Builds[bi]
		if b.Attempt == 0 {
			b.Attempt = 1
		}
		if b.Commit == "" {
			b.Commit = "3f9c2d1e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e"
		}
		if b.Branch == "" {
			b.Branch = f.sc.DefaultBranch
		}
		if b.Workflow == "" {
			b.Workflow = "CI"
		}
		for ji := range b.Jobs {
			j := &b.Jobs[ji]
			if j.ID == "" {
				switch b.Provider {
				case providers.KindBuildkite:
					j.ID = fmt.Sprintf("0197c3a1-%04x-7c41-9d1e-%012x", bi, b.Number*1000+int64(ji))
				default:
					j.ID = strconv.FormatInt(b.Number*1000+int64(ji)+1, 10)
				}
			}
			if j.Attempt == 0 {
				j.Attempt = b.Attempt
			}
			if j.State == "" {
				j.State = "passed"
			}
		}
	}
}

func (f *Fake) count(r *http.Request) {
	f.mu.Lock()
	f.counts[r.URL.Path]++
	f.mu.Unlock()
}

func (f *Fake) serveAPI(w http.ResponseWriter, r *http.Request) {
	if d := time.Duration(f.sc.APIDelay); d > 0 {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
	}
	f.mu.Lock()
	p := f.pointAt
	f.mu.Unlock()
	if p != nil {
		p.serve(w, r, f.serveRoute)
		return
	}
	f.serveRoute(w, r)
}

func (f *Fake) serveRoute(w http.ResponseWriter, r *http.Request) {
	f.count(r)
	path := r.URL.EscapedPath()
	var kind providers.Kind
	switch {
	case strings.HasPrefix(path, buildkitePrefix+"/"):
		kind = providers.KindBuildkite
	case strings.HasPrefix(path, githubPrefix+"/"):
		kind = providers.KindGitHubActions
	case strings.HasPrefix(path, gitlabPrefix+"/"):
		kind = providers.KindGitLab
	case strings.HasPrefix(path, jenkinsPrefix+"/"):
		kind = providers.KindJenkins
	default:
		http.NotFound(w, r)
		return
	}
	if f.fault(w, r, kind) {
		return
	}
	if kind == providers.KindJenkins {
		if f.jenkinsAuthorized(w, r) {
			f.serveJenkins(w, r, strings.TrimPrefix(path, jenkinsPrefix))
		}
		return
	}
	if !f.authorized(r, kind) {
		writeError(w, kind, http.StatusUnauthorized, "")
		return
	}
	switch kind {
	case providers.KindBuildkite:
		f.serveBuildkite(w, r, strings.TrimPrefix(path, buildkitePrefix))
	case providers.KindGitHubActions:
		f.serveGitHub(w, r, strings.TrimPrefix(path, githubPrefix))
	case providers.KindGitLab:
		f.serveGitLab(w, r, strings.TrimPrefix(path, gitlabPrefix))
	}
}

func (f *Fake) authorized(r *http.Request, kind providers.Kind) bool {
	auth := r.Header.Get("Authorization")
	switch kind {
	case providers.KindGitLab:
		return r.Header.Get("PRIVATE-TOKEN") == f.token || auth == "Bearer "+f.token
	case providers.KindGitHubActions:
		return auth == "Bearer "+f.token || auth == "token "+f.token
	}
	return auth == "Bearer "+f.token
}

// fault answers r with the first matching fault that has uses left.
func (f *Fake) fault(w http.ResponseWriter, r *http.Request, kind providers.Kind) bool {
	f.mu.Lock()
	var flt *Fault
	for i := range f.sc.Faults {
		c := &f.sc.Faults[i]
		if (c.Provider != "" && c.Provider != kind) || !strings.Contains(r.URL.Path, c.Path) || f.faults[i] == 0 {
			continue
		}
		if f.faults[i] > 0 {
			f.faults[i]--
		}
		flt = c
		break
	}
	f.mu.Unlock()
	if flt == nil {
		return false
	}
	for k, v := range flt.Header {
		w.Header().Set(k, v)
	}
	if flt.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(flt.RetryAfter))
	}
	if flt.Status == http.StatusTooManyRequests && kind == providers.KindBuildkite && flt.Header == nil {
		reset := strconv.Itoa(max(flt.RetryAfter, 1))
		w.Header().Set("RateLimit-Remaining", "0")
		w.Header().Set("RateLimit-Reset", reset)
		w.Header().Set("RateLimit-User-Remaining", "0")
		w.Header().Set("RateLimit-User-Reset", reset)
	}
	if flt.Body != "" {
		w.WriteHeader(flt.Status)
		io.WriteString(w, flt.Body)
		return true
	}
	writeError(w, kind, flt.Status, "")
	return true
}

// writeError answers with the provider's own error body for status.
func writeError(w http.ResponseWriter, kind providers.Kind, status int, msg string) {
	switch kind {
	case "blob":
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		code := map[int]string{403: "AuthenticationFailed", 404: "BlobNotFound"}[status]
		if code == "" {
			code = "ServerBusy"
		}
		if msg == "" {
			msg = http.StatusText(status)
		}
		fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>%s</Code><Message>%s</Message></Error>", code, msg)
		return
	case providers.KindJenkins:
		writeJenkinsError(w, status, msg)
		return
	case providers.KindGitLab:
		if status == http.StatusTooManyRequests {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(status)
			io.WriteString(w, "Retry later\n")
			return
		}
		if msg == "" {
			msg = fmt.Sprintf("%d %s", status, http.StatusText(status))
		}
		writeJSON(w, nil, status, map[string]string{"message": msg})
		return
	case providers.KindGitHubActions:
		if msg == "" {
			msg = map[int]string{401: "Bad credentials", 410: "Server Error", 403: "Resource not accessible by personal access token"}[status]
		}
		if msg == "" {
			msg = http.StatusText(status)
		}
		writeJSON(w, nil, status, map[string]string{
			"message": msg, "documentation_url": "https://docs.github.com/rest", "status": strconv.Itoa(status),
		})
		return
	}
	if msg == "" {
		msg = map[int]string{
			401: "Authentication required. Please supply a valid API Access Token: https://buildkite.com/docs/apis/rest-api#authentication",
			403: "Your access token doesn't have the read_builds scope",
			429: "You have exceeded your API rate limit. Please wait 1 seconds before making more requests.",
		}[status]
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	writeJSON(w, nil, status, map[string]string{"message": msg})
}

// gzipWriters are reused: a new one allocates most of a megabyte, which
// would make the fake, not the client, the cost of a small answer.
var gzipWriters = sync.Pool{New: func() any { return gzip.NewWriter(io.Discard) }}

// writeJSON writes v, gzip-compressed when the client accepts it (as
// GitHub's API does).
func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	body, _ := json.Marshal(v)
	if r != nil && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") && len(body) > 512 {
		w.Header().Set("Content-Encoding", "gzip")
		w.WriteHeader(status)
		zw := gzipWriters.Get().(*gzip.Writer)
		zw.Reset(w)
		zw.Write(body)
		zw.Close()
		gzipWriters.Put(zw)
		return
	}
	w.WriteHeader(status)
	w.Write(body)
}

// blobURL registers a blob and returns its signed URL on the blob host.
func (f *Fake) blobURL(bl blob) string {
	f.mu.Lock()
	f.nblob++
	key := fmt.Sprintf("b%06d", f.nblob)
	f.blobs[key] = bl
	f.mu.Unlock()
	exp := time.Now().Add(10 * time.Minute).UTC().Format(time.RFC3339)
	return fmt.Sprintf("%s/actions-results/%s/blob.txt?rsct=text%%2Fplain&se=%s&sp=r&sig=FAKESIGNATURE%s", f.blobBase, key, exp, key)
}

func (f *Fake) serveBlob(w http.ResponseWriter, r *http.Request) {
	f.count(r)
	if f.fault(w, r, "blob") {
		return
	}
	if r.Header.Get("Authorization") != "" || r.Header.Get("PRIVATE-TOKEN") != "" || r.Header.Get("Cookie") != "" {
		writeError(w, "blob", http.StatusForbidden, "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.")
		return
	}
	parts := strings.Split(r.URL.Path, "/")
	if len(parts) < 3 {
		writeError(w, "blob", http.StatusNotFound, "The specified blob does not exist.")
		return
	}
	key := parts[2]
	f.mu.Lock()
	bl, ok := f.blobs[key]
	f.mu.Unlock()
	if !ok || !strings.HasSuffix(r.URL.Query().Get("sig"), key) {
		writeError(w, "blob", http.StatusNotFound, "The specified blob does not exist.")
		return
	}
	b := f.sc.Builds[bl.build]
	if bl.artifact < 0 {
		f.streamLog(w, r, b.Provider, b.Jobs[bl.job])
		return
	}
	var a Artifact
	if bl.job < 0 {
		a = b.Artifacts[bl.artifact]
	} else {
		a = b.Jobs[bl.job].Artifacts[bl.artifact]
	}
	if len(a.Files) > 0 {
		w.Header().Set("Content-Type", "application/zip")
		w.Write(zipFiles(a.Files))
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	io.WriteString(w, a.Content)
}

// streamLog writes a job's log without holding it in memory: generated
// filler in the provider's format, then the job's Log.
func (f *Fake) streamLog(w http.ResponseWriter, r *http.Request, kind providers.Kind, j Job) {
	if j.LogDelay > 0 {
		select {
		case <-time.After(time.Duration(j.LogDelay)):
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if j.LogSize > int64(len(j.Log)) {
		w.Header().Set("Content-Length", strconv.FormatInt(j.LogSize, 10))
	} else {
		w.Header().Set("Content-Length", strconv.Itoa(len(j.Log)))
	}
	w.WriteHeader(http.StatusOK)
	var fl http.Flusher
	if x, ok := w.(http.Flusher); ok {
		fl = x
	}
	// The throttle paces the whole stream (chunk n is due at start +
	// n*LogThrottle), so a late wake-up on a busy machine is made up for
	// rather than added up.
	start, chunks := time.Now(), 0
	pause := func() bool {
		if fl != nil {
			fl.Flush()
		}
		if j.LogThrottle <= 0 {
			return r.Context().Err() == nil
		}
		chunks++
		wait := time.Until(start.Add(time.Duration(chunks) * time.Duration(j.LogThrottle)))
		if wait <= 0 {
			return r.Context().Err() == nil
		}
		select {
		case <-time.After(wait):
			return true
		case <-r.Context().Done():
			return false
		}
	}
	if n := j.LogSize - int64(len(j.Log)); n > 0 {
		block := fillerBlock(kind)
		if kind == providers.KindGitHubActions {
			w.Write([]byte("\ufeff"))
			n -= 3
		}
		for n > 0 {
			chunk := block
			if int64(len(chunk)) > n {
				chunk = chunk[:n]
				// end the filler on a line boundary
				if i := lastNewline(chunk); i > 0 {
					chunk = chunk[:i+1]
				}
				chunk = append(chunk[:len(chunk):len(chunk)], padding(int(n)-len(chunk))...)
			}
			if _, err := w.Write(chunk); err != nil {
				return
			}
			n -= int64(len(chunk))
			if !pause() {
				return
			}
		}
	}
	for s := j.Log; len(s) > 0; {
		k := min(len(s), 64<<10)
		if _, err := io.WriteString(w, s[:k]); err != nil {
			return
		}
		s = s[k:]
		if len(s) > 0 && !pause() {
			return
		}
	}
}

func lastNewline(b []byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == '\n' {
			return i
		}
	}
	return -1
}

// padding returns n bytes of spaces ending in a newline (n >= 1), or
// nothing.
func padding(n int) []byte {
	if n <= 0 {
		return nil
	}
	p := []byte(strings.Repeat(" ", n))
	p[n-1] = '\n'
	return p
}

var (
	fillerOnce  sync.Mutex
	fillerCache = map[providers.Kind][]byte{}
)

// fillerBlock is 64 KiB of ordinary, passing build output in the
// provider's log format.
func fillerBlock(kind providers.Kind) []byte {
	fillerOnce.Lock()
	defer fillerOnce.Unlock()
	if b, ok := fillerCache[kind]; ok {
		return b
	}
	var out []byte
	for i := 0; len(out) < 64<<10; i++ {
		var line string
		switch i % 4 {
		case 0:
			line = fmt.Sprintf("=== RUN   TestHandler%d/case_%d", i%97, i%13)
		case 1:
			line = fmt.Sprintf("--- PASS: TestHandler%d/case_%d (0.%02ds)", i%97, i%13, i%100)
		case 2:
			line = fmt.Sprintf("ok  \tgithub.com/acme/api/internal/pkg%d\t0.%03ds\tcoverage: %d.%d%% of statements", i%211, i%1000, i%100, i%10)
		default:
			line = fmt.Sprintf("Downloading module github.com/acme/dep%d v1.%d.%d (%d kB)", i%53, i%20, i%9, 10+i%400)
		}
		switch kind {
		case providers.KindBuildkite:
			line = fmt.Sprintf("\x1b_bk;t=%d\x07%s\r\n", 1772615523552+int64(i), line)
		case providers.KindGitHubActions:
			line = fmt.Sprintf("2026-03-04T09:24:%02d.%07dZ %s\n", i%60, i%10000000, line)
		default:
			line += "\n"
		}
		out = append(out, line...)
	}
	if i := lastNewline(out[:64<<10]); i > 0 {
		out = out[:i+1]
	}
	fillerCache[kind] = out
	return out
}

// findBuild returns the index of the build of kind matching org/repo and
// number, or -1.
func (f *Fake) findBuild(kind providers.Kind, org, repo string, number int64) int {
	for i, b := range f.sc.Builds {
		if b.Provider == kind && strings.EqualFold(b.Org, org) && strings.EqualFold(b.Repo, repo) && b.Number == number {
			return i
		}
	}
	return -1
}

// pageSize reads per_page, capped at the API's max and the scenario's.
func (f *Fake) pageSize(r *http.Request, def int) int {
	n, err := strconv.Atoi(r.URL.Query().Get("per_page"))
	if err != nil || n <= 0 {
		n = def
	}
	n = min(n, 100)
	if f.sc.MaxPerPage > 0 {
		n = min(n, f.sc.MaxPerPage)
	}
	return n
}

func pageNumber(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// page returns the bounds of page p of n items, size per page.
func page(n, p, size int) (int, int, bool) {
	from := min((p-1)*size, n)
	to := min(from+size, n)
	return from, to, to < n
}

func finished(state string) bool {
	switch state {
	case "running", "pending", "blocked", "created":
		return false
	}
	return true
}

// neverRan reports whether a job in state has no log: it never started.
func neverRan(state string) bool {
	switch state {
	case "skipped", "broken", "pending", "blocked", "created":
		return true
	}
	return false
}

// timesFor gives a finished job plausible start and finish times.
func timesFor(j Job, i int) (started, finishedAt any) {
	base := time.Date(2026, 3, 4, 9, 12, 0, 0, time.UTC).Add(time.Duration(i) * time.Second)
	switch j.State {
	case "pending", "skipped", "broken", "blocked", "created":
		return nil, nil
	case "running":
		return base.Format(time.RFC3339), nil
	}
	return base.Format(time.RFC3339), base.Add(3 * time.Minute).Format(time.RFC3339)
}
