package mcpserver

import (
	"fmt"
	"strings"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/sources"
)

// jobLog finds the job a follow-up tool names (by ID, name, or a
// case-insensitive part of the name; empty when the request kept one log)
// and returns it with its kept log.
func jobLog(req *Request, name string) (analysis.JobSummary, JobLog, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		only := keptJobs(req)
		switch len(only) {
		case 1:
			return only[0], req.Logs[only[0].ID], nil
		case 0:
			return analysis.JobSummary{}, nil, fmt.Errorf("no job log was kept for request %s (%s)", req.ID, whyNoLogs(req))
		}
		return analysis.JobSummary{}, nil, fmt.Errorf("request %s read %d job logs; name one with job: %s", req.ID, len(only), keptJobNames(req))
	}
	matched := matchJobs(req.Report.Jobs, name, func(j analysis.JobSummary) (string, string) { return j.ID, j.Name })
	// Prefer the jobs whose log was read when a name is ambiguous.
	if len(matched) > 1 {
		var withLog []analysis.JobSummary
		for _, j := range matched {
			if req.Logs[j.ID] != nil {
				withLog = append(withLog, j)
			}
		}
		if len(withLog) > 0 {
			matched = withLog
		}
	}
	switch {
	case len(matched) == 0:
		return analysis.JobSummary{}, nil, fmt.Errorf("no job of request %s matches %q; jobs with a log: %s (list_jobs lists every job)", req.ID, name, keptJobNames(req))
	case len(matched) > 1:
		var names []string
		for _, j := range matched {
			names = append(names, fmt.Sprintf("%q (id %s)", j.Name, j.ID))
		}
		return analysis.JobSummary{}, nil, fmt.Errorf("%q matches %d jobs: %s; pass the job's id", name, len(matched), strings.Join(names, ", "))
	}
	j := matched[0]
	l := req.Logs[j.ID]
	if l == nil {
		switch {
		case j.Error != "":
			return j, nil, fmt.Errorf("the log of job %q could not be read: %s", j.Name, j.Error)
		case req.Stored:
			return j, nil, fmt.Errorf("the log of job %q is not available: %s", j.Name, notStoredWhy(req))
		case !j.Analyzed:
			return j, nil, fmt.Errorf("the log of job %q (%s) was not downloaded: analyze_build reads failed jobs only; call analyze_build again with jobs: [%q] to read it", j.Name, j.State, j.Name)
		}
		return j, nil, fmt.Errorf("the log of job %q was analyzed but not kept (see the server's log); run analyze_build again", j.Name)
	}
	return j, l, nil
}

// matchJobs returns the jobs f names: by exact ID or name first, else by
// a case-insensitive part of the name. idName gives a job's ID and name.
func matchJobs[J any](jobs []J, f string, idName func(J) (string, string)) []J {
	var exact, part []J
	lf := strings.ToLower(f)
	for _, j := range jobs {
		id, name := idName(j)
		switch {
		case id == f || strings.EqualFold(name, f):
			exact = append(exact, j)
		case strings.Contains(strings.ToLower(name), lf):
			part = append(part, j)
		}
	}
	if len(exact) > 0 {
		return exact
	}
	return part
}

// keptJobs returns the jobs of req whose log was kept, in report order.
func keptJobs(req *Request) []analysis.JobSummary {
	var kept []analysis.JobSummary
	for _, j := range req.Report.Jobs {
		if req.Logs[j.ID] != nil {
			kept = append(kept, j)
		}
	}
	return kept
}

func keptJobNames(req *Request) string {
	var names []string
	for _, j := range keptJobs(req) {
		names = append(names, fmt.Sprintf("%q", j.Name))
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

func whyNoLogs(req *Request) string {
	if req.Stored {
		return notStoredWhy(req)
	}
	if req.Report.Status == statusPassed {
		return "the build passed, so no log was read; call analyze_build with jobs to read a passed job's log"
	}
	for _, j := range req.Report.Jobs {
		if j.Analyzed {
			return "the logs were analyzed but not kept: see the notes of analyze_build's result, and the server's log"
		}
	}
	return "no failed job had a log that could be read"
}

// notStoredWhy explains why a request read from the database has no logs,
// and how to get them.
func notStoredWhy(req *Request) string {
	return fmt.Sprintf("request %s was read from the database, which keeps findings and jobs but not logs "+
		"(it was analyzed by destill submit's workers, by another destill mcp, or by this server longer ago than its most recent analyses); "+
		"%s reads the logs here and returns a request_id for search_log and read_log", req.ID, reanalyzeHint(req))
}

// reanalyzeHint is the analyze_build call that analyzes req's input again.
func reanalyzeHint(req *Request) string {
	switch {
	case sources.LooksLikeURL(req.Input):
		return fmt.Sprintf("analyze_build {\"url\": %q}", req.Input)
	case req.Input != "":
		return fmt.Sprintf("analyze_build {\"path\": %q}", req.Input)
	}
	return "analyze_build on the build's URL"
}
