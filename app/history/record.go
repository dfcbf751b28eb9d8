package history

import (
	"net/url"
	"strings"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/providers"
)

// Key names a pipeline in the store's and the cache's history: the
// provider, the host of its web UI and the pipeline's name ("github-actions
// github.com acme/api/CI"). Builds of one key are one pipeline's.
func Key(kind, buildURL, pipeline string) string {
	host := ""
	if u, err := url.Parse(buildURL); err == nil {
		host = strings.ToLower(u.Host)
	}
	return kind + " " + host + " " + pipeline
}

// KeyOf is the Key of the build a report is about ("" for a log file).
func KeyOf(src analysis.Origin) string {
	if src.Build == nil || src.Build.Pipeline == "" {
		return ""
	}
	u := src.Build.URL
	if u == "" {
		u = src.URL
	}
	return Key(src.Kind, u, src.Build.Pipeline)
}

// recordable reports whether a job belongs in a build's record: it
// finished and has a log. Jobs that never ran have nothing to say.
func recordable(j providers.Job) bool {
	if !j.HasLog {
		return false
	}
	switch j.State {
	case providers.JobPassed, providers.JobFailed, providers.JobTimedOut, providers.JobCancelled:
		return true
	}
	return false
}

// jobRecord is the record of a job, not analyzed yet.
func jobRecord(j providers.Job) analysis.JobRecord {
	return analysis.JobRecord{ID: j.ID, Name: j.Name, State: string(j.State), Attempt: j.Attempt, Failed: j.Failed(),
		Passed: j.State == providers.JobPassed, Retried: j.Retried}
}

// analyzed returns r with what analyzing its log found.
func analyzed(r analysis.JobRecord, seen []analysis.SeenFingerprint) analysis.JobRecord {
	r.FingerprintVersion = analysis.FingerprintVersion
	r.Fingerprints = seen
	return r
}

// Seen is what analyzing job's log adds to the history: the fingerprints
// of its result (analysis.SeenIn, ranked as the job's own). Callers take
// it as each job finishes instead of keeping the result until the build
// is recorded, so that a build's memory does not grow with its logs.
func Seen(job analysis.JobSummary, res analysis.JobResult) []analysis.SeenFingerprint {
	res.Job = job
	return analysis.SeenIn(res)
}

// SeenInResults is Seen of each result, by job ID, with the job as the
// report describes it.
func SeenInResults(rep analysis.Report, results map[string]analysis.JobResult) map[string][]analysis.SeenFingerprint {
	seen := make(map[string][]analysis.SeenFingerprint, len(results))
	for _, j := range rep.Jobs {
		if res, ok := results[j.ID]; ok {
			seen[j.ID] = Seen(j, res)
		}
	}
	return seen
}

// buildRecord is the record of a listed build, without jobs.
func buildRecord(b providers.Build) analysis.BuildRecord {
	rec := analysis.BuildRecord{ID: b.ID, Number: b.Number, URL: b.URL, Branch: b.Branch, Commit: b.Commit, State: b.State,
		Revision: b.Revision}
	if !b.FinishedAt.IsZero() {
		rec.FinishedAt = b.FinishedAt.UTC().Format("2006-01-02T15:04:05Z07:00")
	}
	return rec
}

// ReportRecord is the record of the build a report is about: its analyzed
// jobs, with the fingerprints seen in each (by job ID; see Seen), and the
// jobs that passed; what an analysis adds to the history. ok is false for
// a report that is not about a finished CI build.
func ReportRecord(rep analysis.Report, seen map[string][]analysis.SeenFingerprint) (analysis.BuildRecord, bool) {
	b := rep.Source.Build
	if b == nil || b.ID == "" {
		return analysis.BuildRecord{}, false
	}
	rec := analysis.BuildRecord{ID: b.ID, Number: b.Number, URL: b.URL, Branch: b.Branch, Commit: b.Commit, State: b.State}
	for _, j := range rep.Jobs {
		switch providers.JobState(j.State) {
		case providers.JobRunning, providers.JobPending:
			return rec, false // not finished: its record would change
		}
		fps, ok := seen[j.ID]
		if !ok && j.State != string(providers.JobPassed) {
			continue // not analyzed, and maybe without a log
		}
		jr := analysis.JobRecord{ID: j.ID, Name: j.Name, State: j.State, Attempt: j.Attempt, Failed: j.Failed,
			Passed: j.State == string(providers.JobPassed), Retried: j.Retried}
		if ok {
			jr = analyzed(jr, fps)
		}
		rec.Jobs = append(rec.Jobs, jr)
	}
	return rec, true
}

// FindingsRecord is the record of the build a report is about when only
// its findings are known (a stored analysis): each analyzed job with the
// fingerprints of the findings that occurred in it. It makes one job's
// candidates at a time: a build of a thousand jobs lists some 170,000
// jobs under its findings, and a candidate for each, all at once, was
// the largest thing its run held.
func FindingsRecord(rep analysis.Report) (analysis.BuildRecord, bool) {
	in := map[string][]int32{} // job ID → the findings that occurred in it, in order
	for i, f := range rep.Findings {
		in[f.JobID] = append(in[f.JobID], int32(i))
		for _, j := range f.Jobs {
			in[j.JobID] = append(in[j.JobID], int32(i))
		}
	}
	seen := make(map[string][]analysis.SeenFingerprint, len(in))
	for _, j := range rep.Jobs {
		fs, ok := in[j.ID]
		if !ok {
			continue
		}
		res := analysis.JobResult{Candidates: make([]analysis.Candidate, 0, len(fs))}
		for _, i := range fs {
			res.Candidates = append(res.Candidates, findingCandidate(&rep.Findings[i]))
		}
		seen[j.ID] = Seen(j, res)
	}
	return ReportRecord(rep, seen)
}

// findingCandidate is the candidate a stored finding stands for in each
// job it occurred in, for FindingsRecord.
func findingCandidate(f *analysis.Finding) analysis.Candidate {
	return analysis.Candidate{Fingerprint: f.Fingerprint, Category: f.Category, Severity: f.Severity, Message: f.Message,
		Score: f.Confidence, LineStart: f.LineStart, LineEnd: f.LineEnd, Occurrences: 1, Lines: []int{f.LineStart}}
}
