// Package jenkins reads Jenkins builds (freestyle and Pipeline, in folders
// and multibranch projects), their console logs, stages and test reports
// through Jenkins' remote access API.
package jenkins

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/httpapi"
)

// Permissions are what the Jenkins user needs.
const Permissions = "Overall/Read and Job/Read"

// Source is one Jenkins build; it implements the pipeline's Source.
type Source struct {
	ref providers.BuildRef
	api *httpapi.Client
	// job is the job's URL, with a trailing slash.
	job string
	// auth says whether the build's host gets the credentials, and why not.
	auth authState

	mu sync.Mutex
	// builds are the builds read so far (the analyzed one, a passing one),
	// by job ID (the build number).
	builds map[string]buildState
	// number is the build Build read.
	number int64
}

// buildState is what OpenLog and TestReports need to know of a build.
type buildState struct {
	running bool
	tests   bool
}

// New returns a Source for the build ref names. cfg.BaseURL is the Jenkins
// that cfg.User and cfg.Token belong to (JENKINS_URL): they are sent, as
// HTTP basic auth, to that host only; a build on another host is read
// anonymously.
func New(ref providers.BuildRef, cfg providers.ClientConfig) *Source {
	hc := httpapi.Config{Name: "Jenkins", BaseURL: cfg.BaseURL, HTTP: cfg.HTTP, Notify: cfg.Notify, Waiting: cfg.Waiting}
	if cfg.User != "" && cfg.Token != "" {
		basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(cfg.User+":"+cfg.Token))
		hc.Auth = func(h http.Header) { h.Set("Authorization", basic) }
	}
	s := &Source{
		ref:    ref,
		api:    httpapi.New(hc),
		job:    providers.JenkinsJobURL(ref.WebBase, ref.Repo),
		builds: map[string]buildState{},
	}
	s.auth = authState{
		configured: hc.Auth != nil,
		sent:       s.api.SendsCredentials(ref.WebBase + "/"),
		baseURL:    strings.TrimRight(cfg.BaseURL, "/"),
		userVar:    cfg.UserVar,
		tokenVar:   cfg.TokenVar,
		web:        ref.WebBase,
	}
	return s
}

// buildTree is the part of a build's JSON that Build reads.
const buildTree = "_class,number,url,result,building,duration,timestamp,fullDisplayName," +
	"actions[_class,lastBuiltRevision[SHA1,branch[name]],urlName,failCount]"

type buildJSON struct {
	Class     string `json:"_class"`
	Number    int64  `json:"number"`
	URL       string `json:"url"`
	Result    string `json:"result"` // null (""): still building
	Building  bool   `json:"building"`
	Duration  int64  `json:"duration"`
	Timestamp int64  `json:"timestamp"`
	Actions   []struct {
		Class             string `json:"_class"`
		LastBuiltRevision *struct {
			SHA1   string `json:"SHA1"`
			Branch []struct {
				Name string `json:"name"`
			} `json:"branch"`
		} `json:"lastBuiltRevision"`
		URLName   string `json:"urlName"`
		FailCount *int   `json:"failCount"`
	} `json:"actions"`
}

// workflowRun is the class of a Pipeline build.
const workflowRun = "org.jenkinsci.plugins.workflow.job.WorkflowRun"

// buildURL is the URL of build (a number or a permalink), with a trailing
// slash.
func (s *Source) buildURL(build string) string { return s.job + url.PathEscape(build) + "/" }

// Build reads the build (a permalink is resolved to its number) and, for a
// Pipeline build, its stages: the build is one job, its console log, whose
// step is the stage that failed.
func (s *Source) Build(ctx context.Context) (providers.Build, error) {
	build := s.ref.Permalink
	what := fmt.Sprintf("the %s of %s", build, s.name())
	if s.ref.Number > 0 {
		build = strconv.FormatInt(s.ref.Number, 10)
		what = fmt.Sprintf("build %s #%s", s.name(), build)
	}
	var b buildJSON
	if _, err := s.api.GetJSON(ctx, s.buildURL(build)+"api/json?tree="+url.QueryEscape(buildTree), &b); err != nil {
		return providers.Build{}, s.auth.explain(err, what)
	}
	var st []stage
	if b.Class == workflowRun {
		var err error
		st, err = s.stages(ctx, b.Number)
		if err != nil && ctx.Err() != nil {
			return providers.Build{}, ctx.Err()
		}
		// Without stages (no Stage View nor Blue Ocean plugin, an error),
		// the console log alone is analyzed, as for a freestyle build.
	}
	s.mu.Lock()
	s.number = b.Number
	s.mu.Unlock()
	return s.toBuild(b, st), nil
}

// name is the job's full name as Jenkins shows it in paths, branches
// decoded.
func (s *Source) name() string { return decodeName(s.ref.Repo) }

func decodeName(fullName string) string { return strings.ReplaceAll(fullName, "%2F", "/") }

// toBuild converts a build of the job s reads, with its stages (none for a
// freestyle build), and remembers it for OpenLog.
func (s *Source) toBuild(b buildJSON, stages []stage) providers.Build {
	result := b.Result
	number := strconv.FormatInt(b.Number, 10)
	out := providers.Build{
		Provider: providers.KindJenkins,
		// Build numbers are a job's own: the ID names the job too, so
		// that caches keyed by the Jenkins and the ID never mix two jobs.
		ID:       s.ref.Repo + "#" + number,
		Number:   b.Number,
		Pipeline: s.name(),
		State:    result,
		URL:      s.buildURL(number),
		Running:  b.Building,
	}
	if out.State == "" && b.Building {
		out.State = "BUILDING"
	}
	tests := false
	for _, a := range b.Actions {
		if r := a.LastBuiltRevision; r != nil && out.Commit == "" {
			out.Commit = r.SHA1
			if len(r.Branch) > 0 {
				out.Branch = shortBranch(r.Branch[0].Name)
			}
		}
		if a.URLName == "testReport" || strings.HasSuffix(a.Class, ".TestResultAction") {
			tests = tests || a.FailCount == nil || *a.FailCount > 0
		}
	}
	if out.Branch == "" {
		// Builds of one job share its branch; a job without Git data is
		// named by its own name (a multibranch job's name is its branch).
		names := strings.Split(s.ref.Repo, "/")
		out.Branch = decodeName(names[len(names)-1])
	}
	state, ran := resultState(result)
	failedStage := ""
	for _, st := range stages {
		if st.failed() {
			failedStage = st.name
			break
		}
	}
	if b.Building {
		state = providers.JobRunning
		if failedStage != "" {
			state = providers.JobFailed // a stage failed: worth reading already
		}
	}
	job := providers.Job{
		ID:        number,
		Name:      s.name(),
		Step:      failedStage,
		StepKey:   s.name(),
		State:     state,
		Attempt:   1,
		URL:       out.URL,
		HasLog:    ran,
		Partial:   b.Building,
		StartedAt: millis(b.Timestamp),
	}
	if !b.Building && b.Timestamp > 0 {
		job.FinishedAt = millis(b.Timestamp + b.Duration)
	}
	out.Jobs = []providers.Job{job}
	s.mu.Lock()
	s.builds[job.ID] = buildState{running: b.Building, tests: tests}
	s.mu.Unlock()
	return out
}

// resultState maps a build's result. UNSTABLE (tests failed, the build went
// on) is a failure a user wants explained; NOT_BUILT builds never ran.
func resultState(result string) (providers.JobState, bool) {
	switch result {
	case "SUCCESS":
		return providers.JobPassed, true
	case "FAILURE", "UNSTABLE":
		return providers.JobFailed, true
	case "ABORTED":
		return providers.JobCancelled, true
	case "NOT_BUILT":
		return providers.JobSkipped, false
	case "":
		return providers.JobRunning, true
	}
	return providers.JobUnknown, true
}

// shortBranch drops the remote and ref prefixes Git puts before a branch.
func shortBranch(name string) string {
	for _, p := range []string{"refs/remotes/origin/", "refs/heads/", "origin/"} {
		if rest, ok := strings.CutPrefix(name, p); ok {
			return rest
		}
	}
	return name
}

func millis(ms int64) time.Time {
	if ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// OpenLog streams the build's console log: consoleText for a finished
// build, and for a running one the progressive text as far as it has got
// (the rest is not waited for).
func (s *Source) OpenLog(ctx context.Context, job providers.Job) (io.ReadCloser, error) {
	s.mu.Lock()
	b := s.builds[job.ID]
	s.mu.Unlock()
	u := s.buildURL(job.ID) + "consoleText"
	if b.running {
		u = s.buildURL(job.ID) + "logText/progressiveText?start=0"
	}
	resp, err := s.api.Get(ctx, u, http.Header{"Accept": {"text/plain"}})
	if err != nil {
		return nil, httpapi.ExplainLog(err)
	}
	return resp.Body, nil
}
