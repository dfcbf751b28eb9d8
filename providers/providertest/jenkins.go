package providertest

import (
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/destill-dev/destill/providers"
)

// The fake serves Jenkins at this context path of its API server, as a
// Jenkins behind a reverse proxy at https://HOST/jenkins/ is served.
const jenkinsPrefix = "/jenkins"

// DefaultJenkinsUser is the Jenkins user whose API token is the fake's
// token, when the Scenario names none.
const DefaultJenkinsUser = "ci-bot"

// Jenkins classes, as the API's "_class" fields name them.
const (
	jenkinsWorkflowRun  = "org.jenkinsci.plugins.workflow.job.WorkflowRun"
	jenkinsWorkflowJob  = "org.jenkinsci.plugins.workflow.job.WorkflowJob"
	jenkinsFreeStyleRun = "hudson.model.FreeStyleBuild"
	jenkinsFreeStyleJob = "hudson.model.FreeStyleProject"
	jenkinsFolder       = "com.cloudbees.hudson.plugins.folder.Folder"
	jenkinsMultibranch  = "org.jenkinsci.plugins.workflow.multibranch.WorkflowMultiBranchProject"
)

// JenkinsURL is the root of the fake Jenkins (JENKINS_URL).
func (f *Fake) JenkinsURL() string { return f.API.URL + jenkinsPrefix }

// JenkinsUser is the Jenkins user the fake's token belongs to.
func (f *Fake) JenkinsUser() string {
	if f.sc.JenkinsUser != "" {
		return f.sc.JenkinsUser
	}
	return DefaultJenkinsUser
}

// jenkinsWebURL is the URL of build i: its job's URL and its number.
func (f *Fake) jenkinsWebURL(i int) string {
	b := f.sc.Builds[i]
	return providers.JenkinsJobURL(f.JenkinsURL(), b.Repo) + strconv.FormatInt(b.Number, 10) + "/"
}

// jenkinsAuthorized answers r when it may not read anything: 401 for
// credentials that are not the user's token, 403 for an anonymous user
// (unless the Scenario lets anonymous users read), with Jenkins' own
// headers. It reports whether r may go on.
func (f *Fake) jenkinsAuthorized(w http.ResponseWriter, r *http.Request) bool {
	user, token, ok := r.BasicAuth()
	switch {
	case ok && user == f.JenkinsUser() && token == f.token:
		return true
	case ok || r.Header.Get("Authorization") != "":
		w.Header().Set("WWW-Authenticate", `Basic realm="Jenkins"`)
		writeError(w, providers.KindJenkins, http.StatusUnauthorized, "Invalid password/token for user: "+user)
		return false
	case f.sc.JenkinsAnonymous:
		return true
	}
	w.Header().Set("X-You-Are-Authenticated-As", "anonymous")
	w.Header().Set("X-You-Are-In-Group-Disabled", "JENKINS-39402: use -Dhudson.security.AccessDeniedException2.REPORT_GROUP_HEADERS=true or use /whoAmI to diagnose")
	w.Header().Set("X-Required-Permission", "hudson.model.Hudson.Read")
	w.Header().Add("X-Permission-Implied-By", "hudson.security.Permission.GenericRead")
	w.Header().Add("X-Permission-Implied-By", "hudson.model.Hudson.Administer")
	writeError(w, providers.KindJenkins, http.StatusForbidden, "anonymous is missing the Overall/Read permission")
	return false
}

// serveJenkins routes a request below the context path. Every GET works
// without a crumb; anything else needs one, as Jenkins' CSRF protection
// requires.
func (f *Fake) serveJenkins(w http.ResponseWriter, r *http.Request, p string) {
	const kind = providers.KindJenkins
	w.Header().Set("X-Jenkins", "2.462.3")
	w.Header().Set("X-Jenkins-Session", "4f2a9c81")
	if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Header.Get("Jenkins-Crumb") == "" {
		writeError(w, kind, http.StatusForbidden, "No valid crumb was included in the request")
		return
	}
	segs := strings.Split(strings.Trim(p, "/"), "/")
	switch {
	case len(segs) >= 2 && segs[0] == "crumbIssuer":
		writeJSON(w, r, http.StatusOK, map[string]any{
			"_class": "hudson.security.csrf.DefaultCrumbIssuer", "crumb": "0f3a6c9e2b", "crumbRequestField": "Jenkins-Crumb",
		})
	case len(segs) >= 4 && segs[0] == "blue" && segs[1] == "rest" && segs[2] == "organizations":
		f.serveBlueOcean(w, r, segs[3:])
	case len(segs) >= 2 && segs[0] == "job":
		f.serveJenkinsJob(w, r, segs)
	default:
		writeError(w, kind, http.StatusNotFound, "")
	}
}

// serveJenkinsJob serves job/A/job/B/… and what is below a job: its JSON,
// a build's JSON, console text, progressive text, stages and test report.
func (f *Fake) serveJenkinsJob(w http.ResponseWriter, r *http.Request, segs []string) {
	const kind = providers.KindJenkins
	names, segs, ok := namePairs(segs, "job")
	if !ok {
		writeError(w, kind, http.StatusBadRequest, "")
		return
	}
	fullName := strings.Join(names, "/")
	builds := f.jenkinsBuilds(fullName)
	rest := strings.Join(segs, "/")
	if len(builds) == 0 {
		// A folder or a multibranch project above some builds' jobs.
		if class := f.jenkinsParentClass(fullName); class != "" && (rest == "" || rest == "api/json") {
			writeJSON(w, r, http.StatusOK, map[string]any{"_class": class, "name": names[len(names)-1], "fullName": fullName,
				"url": providers.JenkinsJobURL(f.JenkinsURL(), fullName)})
			return
		}
		writeError(w, kind, http.StatusNotFound, "")
		return
	}
	if rest == "" || rest == "api/json" {
		f.jenkinsJob(w, r, fullName, builds)
		return
	}
	bi := f.jenkinsBuild(builds, segs[0])
	if bi < 0 {
		writeError(w, kind, http.StatusNotFound, "")
		return
	}
	b := f.sc.Builds[bi]
	switch strings.Join(segs[1:], "/") {
	case "", "api/json":
		writeJSON(w, r, http.StatusOK, f.jenkinsBuildJSON(bi))
	case "consoleText":
		if b.Freestyle && len(b.Jobs) > 0 {
			f.streamLog(w, r, providers.KindJenkins, b.Jobs[0])
			return
		}
		f.streamLog(w, r, providers.KindJenkins, Job{Log: f.jenkinsConsole(b)})
	case "logText/progressiveText":
		console := f.jenkinsConsole(b)
		start, _ := strconv.Atoi(r.URL.Query().Get("start"))
		start = min(max(start, 0), len(console))
		w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
		w.Header().Set("X-Text-Size", strconv.Itoa(len(console)))
		if jenkinsBuilding(b) {
			w.Header().Set("X-More-Data", "true")
		}
		io.WriteString(w, console[start:])
	case "wfapi/describe":
		if b.Freestyle || f.sc.NoStageView {
			writeError(w, kind, http.StatusNotFound, "")
			return
		}
		writeJSON(w, r, http.StatusOK, f.jenkinsDescribe(bi))
	case "testReport/api/json":
		suites := jenkinsSuites(b)
		if suites == nil {
			writeError(w, kind, http.StatusNotFound, "")
			return
		}
		writeJSON(w, r, http.StatusOK, map[string]any{"_class": "hudson.tasks.junit.TestResult", "failCount": failCount(suites), "suites": suites, "empty": false})
	default:
		writeError(w, kind, http.StatusNotFound, "")
	}
}

// namePairs reads the names of "KEY/NAME/KEY/NAME/…" at the start of segs,
// each escaped once, for KEY among keys, and returns what follows.
func namePairs(segs []string, keys ...string) (names, rest []string, ok bool) {
	for len(segs) >= 2 && slices.Contains(keys, segs[0]) {
		name, err := url.PathUnescape(segs[1])
		if err != nil {
			return nil, nil, false
		}
		names = append(names, name)
		segs = segs[2:]
	}
	return names, segs, true
}

// jenkinsBuilds returns the indexes of the Jenkins builds of job fullName,
// newest first.
func (f *Fake) jenkinsBuilds(fullName string) []int {
	var out []int
	for i, b := range f.sc.Builds {
		if b.Provider == providers.KindJenkins && b.Repo == fullName {
			out = append(out, i)
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return f.sc.Builds[out[a]].Number > f.sc.Builds[out[b]].Number })
	return out
}

// jenkinsParentClass is the class of the folder or multibranch project
// fullName, or "" when no job is below it.
func (f *Fake) jenkinsParentClass(fullName string) string {
	class := ""
	for _, b := range f.sc.Builds {
		parent, _, ok := cutLast(b.Repo)
		switch {
		case b.Provider != providers.KindJenkins || !strings.HasPrefix(b.Repo, fullName+"/"):
		case ok && parent == fullName && b.Multibranch:
			return jenkinsMultibranch
		default:
			class = jenkinsFolder
		}
	}
	return class
}

func cutLast(fullName string) (string, string, bool) {
	i := strings.LastIndex(fullName, "/")
	if i < 0 {
		return "", fullName, false
	}
	return fullName[:i], fullName[i+1:], true
}

// jenkinsBuild returns the build a number or a permalink names among
// builds (newest first), or -1.
func (f *Fake) jenkinsBuild(builds []int, seg string) int {
	for _, bi := range builds {
		b := f.sc.Builds[bi]
		result := jenkinsResult(b)
		var ok bool
		switch seg {
		case strconv.FormatInt(b.Number, 10), "lastBuild":
			ok = true
		case "lastFailedBuild":
			ok = result == "FAILURE"
		case "lastSuccessfulBuild", "lastStableBuild":
			ok = result == "SUCCESS"
		case "lastUnstableBuild":
			ok = result == "UNSTABLE"
		case "lastCompletedBuild":
			ok = result != ""
		case "lastUnsuccessfulBuild":
			ok = result != "" && result != "SUCCESS"
		}
		if ok {
			return bi
		}
	}
	return -1
}

// jenkinsJob is a job's JSON: its builds, newest first, and permalinks.
func (f *Fake) jenkinsJob(w http.ResponseWriter, r *http.Request, fullName string, builds []int) {
	b0 := f.sc.Builds[builds[0]]
	class := jenkinsWorkflowJob
	if b0.Freestyle {
		class = jenkinsFreeStyleJob
	}
	_, name, _ := cutLast(fullName)
	job := map[string]any{
		"_class": class, "name": name, "fullName": fullName, "displayName": strings.ReplaceAll(name, "%2F", "/"),
		"url": providers.JenkinsJobURL(f.JenkinsURL(), fullName), "buildable": true, "color": "red",
	}
	var list []any
	for _, bi := range builds {
		list = append(list, f.jenkinsBuildJSON(bi))
	}
	job["builds"] = list
	for _, link := range []string{"lastBuild", "lastFailedBuild", "lastSuccessfulBuild", "lastCompletedBuild"} {
		if bi := f.jenkinsBuild(builds, link); bi >= 0 {
			job[link] = map[string]any{"_class": jenkinsWorkflowRun, "number": f.sc.Builds[bi].Number, "url": f.jenkinsWebURL(bi)}
		} else {
			job[link] = nil
		}
	}
	writeJSON(w, r, http.StatusOK, job)
}

// jenkinsResult is a build's result: its State, or what its stages say;
// "" while it is building.
func jenkinsResult(b Build) string {
	switch b.State {
	case "running":
		return ""
	case "":
	default:
		return b.State
	}
	return deriveState(b, map[string]string{"passed": "SUCCESS", "failed": "FAILURE", "running": "", "failing": ""})
}

func jenkinsBuilding(b Build) bool { return jenkinsResult(b) == "" }

func (f *Fake) jenkinsBuildJSON(bi int) map[string]any {
	b := f.sc.Builds[bi]
	class := jenkinsWorkflowRun
	if b.Freestyle {
		class = jenkinsFreeStyleRun
	}
	start := time.Date(2026, 3, 4, 9, 12, 0, 0, time.UTC).Add(time.Duration(b.Number) * time.Minute)
	if !b.FinishedAt.IsZero() {
		start = b.FinishedAt.Add(-184 * time.Second)
	}
	var result any
	if r := jenkinsResult(b); r != "" {
		result = r
	}
	_, name, _ := cutLast(b.Repo)
	actions := []any{
		map[string]any{"_class": "hudson.model.CauseAction", "causes": []any{map[string]any{
			"_class": "hudson.model.Cause$UserIdCause", "shortDescription": "Started by user Ada Lovelace", "userId": "ada"}}},
		map[string]any{},
		map[string]any{"_class": "hudson.plugins.git.util.BuildData", "lastBuiltRevision": map[string]any{
			"SHA1": b.Commit, "branch": []any{map[string]any{"SHA1": b.Commit, "name": "refs/remotes/origin/" + b.Branch}}},
			"remoteUrls": []any{"https://git.example.com/acme/api.git"}},
		map[string]any{"_class": "org.jenkinsci.plugins.workflow.cps.EnvActionImpl"},
	}
	if suites := jenkinsSuites(b); suites != nil {
		fails := failCount(suites)
		actions = append(actions, map[string]any{"_class": "hudson.tasks.junit.TestResultAction", "failCount": fails, "skipCount": 0, "totalCount": fails + 3, "urlName": "testReport"})
	}
	return map[string]any{
		"_class": class, "number": b.Number, "id": strconv.FormatInt(b.Number, 10),
		"displayName": "#" + strconv.FormatInt(b.Number, 10), "fullDisplayName": strings.ReplaceAll(strings.ReplaceAll(b.Repo, "%2F", "/"), "/", " » ") + " #" + strconv.FormatInt(b.Number, 10),
		"url": f.jenkinsWebURL(bi), "result": result, "building": result == nil, "inProgress": result == nil,
		"duration": map[bool]int64{true: 0, false: 184_000}[result == nil], "estimatedDuration": 190_000,
		"timestamp": start.UnixMilli(), "queueId": 40000 + b.Number, "keepLog": false, "description": nil,
		"actions": actions, "artifacts": []any{}, "changeSets": []any{},
		"previousBuild": nil, "nextBuild": nil, "builtOn": "agent-7", "name": name,
	}
}

// jenkinsStage words: Stage View's status and Blue Ocean's result and state.
var jenkinsStage = map[string][3]string{
	"passed":    {"SUCCESS", "SUCCESS", "FINISHED"},
	"failed":    {"FAILED", "FAILURE", "FINISHED"},
	"timed_out": {"FAILED", "FAILURE", "FINISHED"},
	"cancelled": {"ABORTED", "ABORTED", "FINISHED"},
	"running":   {"IN_PROGRESS", "UNKNOWN", "RUNNING"},
	"pending":   {"NOT_EXECUTED", "UNKNOWN", "QUEUED"},
	"created":   {"NOT_EXECUTED", "UNKNOWN", "QUEUED"},
	"skipped":   {"NOT_EXECUTED", "NOT_BUILT", "SKIPPED"},
	"broken":    {"NOT_EXECUTED", "NOT_BUILT", "SKIPPED"},
	"blocked":   {"PAUSED_PENDING_INPUT", "UNKNOWN", "PAUSED"},
}

func stageID(ji int) string { return strconv.Itoa(12 + 7*ji) }

// jenkinsDescribe is a Pipeline build's wfapi/describe.
func (f *Fake) jenkinsDescribe(bi int) map[string]any {
	b := f.sc.Builds[bi]
	self := strings.TrimPrefix(f.jenkinsWebURL(bi), f.API.URL)
	status := map[string]string{"SUCCESS": "SUCCESS", "FAILURE": "FAILED", "UNSTABLE": "UNSTABLE", "ABORTED": "ABORTED", "": "IN_PROGRESS"}[jenkinsResult(b)]
	var stages []any
	for ji, j := range b.Jobs {
		st := jenkinsStage[j.State][0]
		if j.Raw != "" {
			st = j.Raw
		}
		stages = append(stages, map[string]any{
			"_links": map[string]any{"self": map[string]any{"href": self + "execution/node/" + stageID(ji) + "/wfapi/describe"}},
			"id":     stageID(ji), "name": j.Name, "execNode": "", "status": st,
			"startTimeMillis": 1772615520000 + int64(ji)*1000, "durationMillis": 1000, "pauseDurationMillis": 0,
		})
	}
	return map[string]any{
		"_links": map[string]any{"self": map[string]any{"href": self + "wfapi/describe"}},
		"id":     strconv.FormatInt(b.Number, 10), "name": "#" + strconv.FormatInt(b.Number, 10), "status": status,
		"startTimeMillis": 1772615520000, "endTimeMillis": 1772615704000, "durationMillis": 184000,
		"queueDurationMillis": 5, "pauseDurationMillis": 0, "stages": stages,
	}
}

// serveBlueOcean serves …/jenkins/pipelines/A/pipelines/B/runs/N/nodes/
// and …/pipelines/A/branches/B/runs/N/nodes/.
func (f *Fake) serveBlueOcean(w http.ResponseWriter, r *http.Request, segs []string) {
	const kind = providers.KindJenkins
	if segs[0] != "jenkins" {
		writeError(w, kind, http.StatusNotFound, "")
		return
	}
	names, segs, ok := namePairs(segs[1:], "pipelines", "branches")
	if !ok {
		writeError(w, kind, http.StatusBadRequest, "")
		return
	}
	if len(segs) < 3 || segs[0] != "runs" || segs[2] != "nodes" {
		writeError(w, kind, http.StatusNotFound, "")
		return
	}
	bi := f.jenkinsBuild(f.jenkinsBuilds(strings.Join(names, "/")), segs[1])
	if bi < 0 {
		writeError(w, kind, http.StatusNotFound, "")
		return
	}
	var nodes []any
	for ji, j := range f.sc.Builds[bi].Jobs {
		words := jenkinsStage[j.State]
		nodes = append(nodes, map[string]any{
			"_class": "io.jenkins.blueocean.rest.impl.pipeline.PipelineNodeImpl", "displayName": j.Name,
			"id": stageID(ji), "result": words[1], "state": words[2], "type": "STAGE", "durationInMillis": 1000,
			"startTime": "2026-03-04T09:12:01.000+0000", "edges": []any{},
		})
	}
	writeJSON(w, r, http.StatusOK, nodes)
}

// jenkinsConsole is the console log of a build: a freestyle build's one
// job's log, or a Pipeline's chatter around each stage's log, then the
// verdict. A running build's log stops inside its running stage.
func (f *Fake) jenkinsConsole(b Build) string {
	if b.Freestyle {
		if len(b.Jobs) == 0 {
			return ""
		}
		return b.Jobs[0].Log
	}
	var s strings.Builder
	name := strings.ReplaceAll(b.Repo, "%2F", "/")
	fmt.Fprintf(&s, "Started by user Ada Lovelace\nObtained Jenkinsfile from git https://git.example.com/acme/api.git\n"+
		"[Pipeline] Start of Pipeline\n[Pipeline] node\nRunning on agent-7 in /var/lib/jenkins/workspace/%s\n[Pipeline] {\n"+
		"[Pipeline] stage\n[Pipeline] { (Declarative: Checkout SCM)\n[Pipeline] checkout\nThe recommended git tool is: NONE\n"+
		"Checking out Revision %s (refs/remotes/origin/%s)\nCommit message: \"uploader: retry on 503 with jitter\"\n"+
		"[Pipeline] }\n[Pipeline] // stage\n[Pipeline] withEnv\n[Pipeline] {\n", strings.ReplaceAll(name, "/", "_"), b.Commit, b.Branch)
	for _, j := range b.Jobs {
		fmt.Fprintf(&s, "[Pipeline] stage\n[Pipeline] { (%s)\n", j.Name)
		switch {
		case j.State == "skipped" || j.State == "broken":
			fmt.Fprintf(&s, "Stage \"%s\" skipped due to earlier failure(s)\n", j.Name)
		case j.State == "blocked":
			fmt.Fprintf(&s, "[Pipeline] input\nDeploy to production?\nProceed or Abort\n")
			return s.String()
		case j.State == "created" || j.State == "pending":
			return s.String()
		default:
			s.WriteString(j.Log)
		}
		if j.State == "running" {
			return s.String()
		}
		failedStage := j.State == "failed" && len(b.Jobs) > 1
		if failedStage {
			// The stages run on (as in parallel stages, or under catchError):
			// a failed one says so where it failed.
			s.WriteString("ERROR: script returned exit code 1\n")
		}
		s.WriteString("[Pipeline] }\n[Pipeline] // stage\n")
	}
	s.WriteString("[Pipeline] }\n[Pipeline] // withEnv\n[Pipeline] }\n[Pipeline] // node\n[Pipeline] End of Pipeline\n")
	result := jenkinsResult(b)
	if result == "" {
		return s.String()
	}
	if result == "FAILURE" && !failedStages(b) {
		s.WriteString("ERROR: script returned exit code 1\n")
	}
	fmt.Fprintf(&s, "Finished: %s\n", result)
	return s.String()
}

// failedStages reports whether a Pipeline of several stages had a failed
// one, which said so itself (see jenkinsConsole).
func failedStages(b Build) bool {
	for _, j := range b.Jobs {
		if j.State == "failed" && len(b.Jobs) > 1 {
			return true
		}
	}
	return false
}

// jenkinsSuites is the test report of a build: the JUnit XML artifacts of
// its jobs, as Jenkins' junit step records them; nil when there is none.
func jenkinsSuites(b Build) []map[string]any {
	var out []map[string]any
	for _, j := range b.Jobs {
		for _, a := range j.Artifacts {
			var doc struct {
				Suites []junitSuite `xml:"testsuite"`
				junitSuite
			}
			if xml.Unmarshal([]byte(a.Content), &doc) != nil {
				continue
			}
			suites := doc.Suites
			if len(doc.Cases) > 0 {
				suites = append(suites, doc.junitSuite)
			}
			for _, su := range suites {
				cases := []any{}
				for _, c := range su.Cases {
					m := map[string]any{"className": c.Classname, "name": c.Name, "status": "PASSED", "errorDetails": nil, "errorStackTrace": nil, "duration": 0.31}
					if c.Failure != nil {
						m["status"], m["errorDetails"], m["errorStackTrace"] = "FAILED", c.Failure.Message, c.Failure.Body
					}
					cases = append(cases, m)
				}
				out = append(out, map[string]any{"name": su.Name, "cases": cases, "duration": 0.4})
			}
		}
	}
	return out
}

// failCount counts the failed cases of a test report's suites.
func failCount(suites []map[string]any) int {
	n := 0
	for _, s := range suites {
		for _, c := range s["cases"].([]any) {
			if c.(map[string]any)["status"] == "FAILED" {
				n++
			}
		}
	}
	return n
}

type junitSuite struct {
	Name  string `xml:"name,attr"`
	Cases []struct {
		Name      string `xml:"name,attr"`
		Classname string `xml:"classname,attr"`
		Failure   *struct {
			Message string `xml:"message,attr"`
			Body    string `xml:",chardata"`
		} `xml:"failure"`
	} `xml:"testcase"`
}

// writeJenkinsError writes Jenkins' HTML error page.
func writeJenkinsError(w http.ResponseWriter, status int, msg string) {
	if msg == "" {
		msg = http.StatusText(status)
	}
	w.Header().Set("Content-Type", "text/html;charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<html><head><title>Error %d %s</title></head><body><h2>HTTP ERROR %d %s</h2>"+
		"<table><tr><th>URI:</th><td>/</td></tr><tr><th>MESSAGE:</th><td>%s</td></tr></table></body></html>\n",
		status, http.StatusText(status), status, http.StatusText(status), html.EscapeString(msg))
}

// JenkinsLog formats lines as the Timestamper plugin writes them in a
// Pipeline's console text: "[2026-03-04T09:24:20.123Z] " before each.
func JenkinsLog(lines ...string) string {
	var b strings.Builder
	t := time.Date(2026, 3, 4, 9, 24, 20, 0, time.UTC)
	for i, l := range lines {
		fmt.Fprintf(&b, "[%s] %s\n", t.Add(time.Duration(i)*time.Millisecond).Format("2006-01-02T15:04:05.000Z"), l)
	}
	return b.String()
}
