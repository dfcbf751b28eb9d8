package analysis

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// History verdicts: what a finding's fingerprint did in the pipeline's
// earlier builds on the same branch. They are stable strings: part of the
// JSON contract.
const (
	// VerdictNew: not seen in the window's earlier builds.
	VerdictNew = "new"
	// VerdictRecurring: it failed earlier builds too.
	VerdictRecurring = "recurring"
	// VerdictFlaky: the same job failed with it and then passed, on a
	// retry of the same build or in another build of the same commit.
	VerdictFlaky = "flaky"
	// VerdictNoise: passing jobs print it too.
	VerdictNoise = "noise"
)

// History is where a fingerprint occurred in the last finished builds of
// the same pipeline and branch (the window), and what that says about it.
type History struct {
	// Verdict is VerdictNew, VerdictRecurring, VerdictFlaky or VerdictNoise;
	// Evidence says why, in one line.
	Verdict  string `json:"verdict"`
	Evidence string `json:"evidence"`
	// Builds is how many builds the window holds.
	Builds int `json:"builds"`
	// FailedBuilds counts the window's builds where it occurred in a job
	// that failed (any attempt), PassingBuilds those where it occurred in
	// a job that passed.
	FailedBuilds  int `json:"failed_builds"`
	PassingBuilds int `json:"passing_builds"`
	// Flaky lists the builds where the same job failed with it and then
	// passed: on a retry, or in another build of the same commit.
	Flaky []HistoryBuild `json:"flaky,omitempty"`
	// FirstSeen and LastSeen are the window's oldest and newest builds it
	// occurred in (failed or passing jobs); nil when it did not.
	FirstSeen *HistoryBuild `json:"first_seen,omitempty"`
	LastSeen  *HistoryBuild `json:"last_seen,omitempty"`
	// Jobs names the jobs it occurred in, over the window.
	Jobs []string `json:"jobs,omitempty"`
}

// HistoryBuild names one build of a history.
type HistoryBuild struct {
	Number int64  `json:"number"`
	URL    string `json:"url,omitempty"`
	// Time is when the build finished (RFC 3339), when the provider says.
	Time string `json:"time,omitempty"`
}

// HistoryWindow describes the builds a report's histories were taken from.
type HistoryWindow struct {
	// Source is where the builds' contents came from: "api" (the
	// provider's API and the log cache) or "database" (the store).
	Source   string `json:"source"`
	Pipeline string `json:"pipeline,omitempty"`
	Branch   string `json:"branch,omitempty"`
	// Builds is how many builds the window holds (at most the window size
	// asked for); Oldest and Newest bound it.
	Builds int           `json:"builds"`
	Oldest *HistoryBuild `json:"oldest,omitempty"`
	Newest *HistoryBuild `json:"newest,omitempty"`
	// Note says what the reader should know: logs that could not be read,
	// why there is no history.
	Note string `json:"note,omitempty"`
}

// BuildRecord is what history keeps of one finished build: its jobs (every
// attempt) and the fingerprints each analyzed job's log held.
type BuildRecord struct {
	ID     string `json:"id"`
	Number int64  `json:"number"`
	URL    string `json:"url,omitempty"`
	Branch string `json:"branch,omitempty"`
	Commit string `json:"commit,omitempty"`
	State  string `json:"state,omitempty"`
	// Revision changes when the build's jobs do (a retry after it was
	// recorded); "" when the provider does not say.
	Revision string `json:"revision,omitempty"`
	// FinishedAt is an RFC 3339 time, when known.
	FinishedAt string      `json:"finished_at,omitempty"`
	Jobs       []JobRecord `json:"jobs"`
}

// JobRecord is one job (one attempt) of a recorded build.
type JobRecord struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	State   string `json:"state,omitempty"`
	Attempt int    `json:"attempt,omitempty"`
	// Failed is a failure a user wants explained (failed, timed out,
	// cancelled, not soft-failed); Passed a job that passed.
	Failed bool `json:"failed,omitempty"`
	Passed bool `json:"passed,omitempty"`
	// Retried is set on an attempt a later one replaced.
	Retried bool `json:"retried,omitempty"`
	// FingerprintVersion is the fingerprint version the job's log was
	// analyzed with; 0 when it was not analyzed.
	FingerprintVersion int               `json:"fingerprint_version,omitempty"`
	Fingerprints       []SeenFingerprint `json:"fingerprints,omitempty"`
}

// Analyzed reports whether the job's log was analyzed with this
// FingerprintVersion: fingerprints of other versions are never compared.
func (j JobRecord) Analyzed() bool { return j.FingerprintVersion == FingerprintVersion }

// SeenFingerprint is a fingerprint one job's log held.
type SeenFingerprint struct {
	Fingerprint string   `json:"fingerprint"`
	Category    string   `json:"category"`
	Severity    Severity `json:"severity,omitempty"`
	Message     string   `json:"message"`
	// Confidence is what ranking that job alone gave it; 0 for a line
	// that ranked below the findings shown.
	Confidence float64 `json:"confidence,omitempty"`
}

// maxSeenMessage caps the message a history record keeps per fingerprint.
const maxSeenMessage = 300

// SeenIn lists the fingerprints of one analyzed job's log, with what
// ranking the job alone gave each: every candidate, so that a later
// build's finding is found whatever it ranked here.
func SeenIn(res JobResult) []SeenFingerprint {
	res.Baseline = nil
	conf := map[string]float64{}
	for _, f := range Rank([]JobResult{res}) {
		conf[f.Fingerprint] = max(conf[f.Fingerprint], f.Confidence)
	}
	seen := map[string]bool{}
	var out []SeenFingerprint
	for _, c := range res.Candidates {
		if seen[c.Fingerprint] {
			continue
		}
		seen[c.Fingerprint] = true
		msg := c.Message
		if len(msg) > maxSeenMessage {
			msg = strings.ToValidUTF8(msg[:maxSeenMessage], "") + "…"
		}
		out = append(out, SeenFingerprint{Fingerprint: c.Fingerprint, Category: c.Category, Severity: c.Severity,
			Message: msg, Confidence: conf[c.Fingerprint]})
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Fingerprint < out[b].Fingerprint })
	return out
}

// occurrence is where one fingerprint occurred in one build.
type occurrence struct {
	failed, passed bool
	// flaky: a job failed with it and a later attempt of the same job
	// passed, in this build.
	flaky bool
	// failedJobs are the names of the jobs that failed with it.
	failedJobs map[string]bool
	jobs       []string
}

// occurrences returns, for one build, where each fingerprint occurred.
// Jobs not analyzed with this FingerprintVersion count as not analyzed.
func occurrences(b BuildRecord) map[string]*occurrence {
	latestPassed := map[string]bool{} // job name → its latest attempt passed
	for _, j := range b.Jobs {
		if !j.Retried && j.Passed {
			latestPassed[j.Name] = true
		}
	}
	out := map[string]*occurrence{}
	for _, j := range b.Jobs {
		if !j.Analyzed() {
			continue
		}
		for _, fp := range j.Fingerprints {
			o := out[fp.Fingerprint]
			if o == nil {
				o = &occurrence{failedJobs: map[string]bool{}}
				out[fp.Fingerprint] = o
			}
			if !slices.Contains(o.jobs, j.Name) {
				o.jobs = append(o.jobs, j.Name)
			}
			switch {
			case j.Failed:
				o.failed = true
				o.failedJobs[j.Name] = true
				if j.Retried && latestPassed[j.Name] {
					o.flaky = true
				}
			case j.Passed:
				o.passed = true
			}
		}
	}
	return out
}

// passedJobs returns the names of a build's jobs that passed (any attempt).
func passedJobs(b BuildRecord) map[string]bool {
	out := map[string]bool{}
	for _, j := range b.Jobs {
		if j.Passed {
			out[j.Name] = true
		}
	}
	return out
}

// HistoryOf returns the history of each fingerprint of fps over window, the
// recorded builds of one pipeline and branch (newest first or in any
// order). current is the build whose findings they are, left out of
// window; with nil, the window's newest build is the one asked about (what
// `destill history` shows) and counts include it.
func HistoryOf(current *BuildRecord, window []BuildRecord, branch string, fps []string) map[string]History {
	builds := append([]BuildRecord(nil), window...)
	sort.SliceStable(builds, func(a, b int) bool { return builds[a].Number > builds[b].Number })
	occ := make([]map[string]*occurrence, len(builds))
	for i, b := range builds {
		occ[i] = occurrences(b)
	}
	var curOcc map[string]*occurrence
	if current != nil {
		curOcc = occurrences(*current)
	}
	// Builds by commit, for "failed and passed on the same commit".
	byCommit := map[string][]int{}
	for i, b := range builds {
		if b.Commit != "" {
			byCommit[b.Commit] = append(byCommit[b.Commit], i)
		}
	}
	passed := make([]map[string]bool, len(builds))
	for i, b := range builds {
		passed[i] = passedJobs(b)
	}
	out := make(map[string]History, len(fps))
	for _, fp := range fps {
		h := History{Builds: len(builds)}
		var flaky []int
		var how flakiness
		jobs := map[string]bool{}
		for i := range builds {
			o := occ[i][fp]
			if o == nil {
				continue
			}
			if o.failed {
				h.FailedBuilds++
			}
			if o.passed {
				h.PassingBuilds++
			}
			hb := historyBuild(builds[i])
			if h.LastSeen == nil {
				h.LastSeen = &hb
			}
			h.FirstSeen = &hb
			for _, n := range o.jobs {
				if !jobs[n] {
					jobs[n] = true
					h.Jobs = append(h.Jobs, n)
				}
			}
			sameCommit := passedOnSameCommit(o, builds[i], i, byCommit, passed)
			if o.flaky || sameCommit {
				flaky = append(flaky, i)
				how.retry = how.retry || o.flaky
				how.commit = how.commit || (sameCommit && !o.flaky)
			}
		}
		for _, i := range flaky {
			h.Flaky = append(h.Flaky, historyBuild(builds[i]))
		}
		if o := curOcc[fp]; o != nil {
			more := currentFlaky(o, *current, byCommit, passed, builds, flaky)
			h.Flaky = append(h.Flaky, more...)
			how.retry = how.retry || o.flaky
			how.commit = how.commit || len(more) > 0 && !o.flaky
		}
		sort.Slice(h.Flaky, func(a, b int) bool { return h.Flaky[a].Number < h.Flaky[b].Number })
		h.Verdict, h.Evidence = verdict(h, how, current == nil, builds, occ, fp, branch)
		out[fp] = h
	}
	return out
}

// currentFlaky returns the builds that make a fingerprint of the current
// build flaky: the current one, when a retry of the job that failed with it
// passed, and the window's builds of the same commit where that job passed
// (unless already among skip).
func currentFlaky(o *occurrence, current BuildRecord, byCommit map[string][]int, passed []map[string]bool, builds []BuildRecord, skip []int) []HistoryBuild {
	var out []HistoryBuild
	if o.flaky {
		out = append(out, historyBuild(current))
	}
	if current.Commit == "" {
		return out
	}
	for _, k := range byCommit[current.Commit] {
		if slices.Contains(skip, k) {
			continue
		}
		for name := range o.failedJobs {
			if passed[k][name] {
				out = append(out, historyBuild(builds[k]))
				break
			}
		}
	}
	return out
}

// flakiness says how a fingerprint was seen to be flaky.
type flakiness struct {
	retry  bool // the job passed on a retry of the same build
	commit bool // the job passed in another build of the same commit
}

func (f flakiness) String() string {
	switch {
	case f.retry && f.commit:
		return "the job failed with it, then passed on a retry or in another build of the same commit"
	case f.commit:
		return "the job failed with it and passed in another build of the same commit"
	}
	return "the job failed with it, then passed on a retry"
}

// passedOnSameCommit reports whether a job that failed with the
// fingerprint in build i passed in another build of the same commit.
func passedOnSameCommit(o *occurrence, b BuildRecord, i int, byCommit map[string][]int, passed []map[string]bool) bool {
	if b.Commit == "" {
		return false
	}
	for _, k := range byCommit[b.Commit] {
		if k == i {
			continue
		}
		for name := range o.failedJobs {
			if passed[k][name] {
				return true
			}
		}
	}
	return false
}

func historyBuild(b BuildRecord) HistoryBuild {
	return HistoryBuild{Number: b.Number, URL: b.URL, Time: b.FinishedAt}
}

// verdict decides, in the order noise, flaky, recurring, new. alone is set
// when no current build is asked about: the window's newest build is.
func verdict(h History, how flakiness, alone bool, builds []BuildRecord, occ []map[string]*occurrence, fp, branch string) (string, string) {
	last := fmt.Sprintf("the last %d builds", h.Builds)
	of := "of " + last
	if branch != "" {
		of += " of " + branch
	}
	switch {
	case h.PassingBuilds > 0:
		return VerdictNoise, fmt.Sprintf("also printed by jobs that passed, in %d %s", h.PassingBuilds, of)
	case len(h.Flaky) > 0:
		return VerdictFlaky, how.String() + ": " + buildList(h.Flaky)
	}
	failed := h.FailedBuilds
	if alone && failed == 1 && len(builds) > 0 && occ[0][fp] != nil && occ[0][fp].failed {
		return VerdictNew, fmt.Sprintf("first failed in #%d, the newest %s", builds[0].Number, of)
	}
	if failed == 0 {
		if h.Builds == 0 {
			return VerdictNew, "no earlier finished build to compare with"
		}
		return VerdictNew, "not seen in " + strings.TrimPrefix(of, "of ")
	}
	since := int64(0)
	for i := len(builds) - 1; i >= 0; i-- {
		if o := occ[i][fp]; o != nil && o.failed {
			since = builds[i].Number
			break
		}
	}
	what := "failing"
	if branch != "" {
		what += " " + branch
	}
	ev := fmt.Sprintf("%s since #%d: %d of %s", what, since, failed, last)
	if h.LastSeen != nil && h.LastSeen.Number != since {
		ev += fmt.Sprintf(", last in #%d", h.LastSeen.Number)
	}
	return VerdictRecurring, ev
}

// buildList names builds "#4, #7, #10", at most 8 of them.
func buildList(bs []HistoryBuild) string {
	var parts []string
	for i, b := range bs {
		if i == 8 {
			parts = append(parts, fmt.Sprintf("and %d more", len(bs)-i))
			break
		}
		parts = append(parts, fmt.Sprintf("#%d", b.Number))
	}
	return strings.Join(parts, ", ")
}
