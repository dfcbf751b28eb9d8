package pipeline

import (
	"fmt"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/providers"
)

// Selection is which jobs of a build get their logs analyzed.
type Selection struct {
	// Jobs are indexes into the build's Jobs, in build order.
	Jobs []int
	// Notes tell the reader about the jobs left out: still running, never ran.
	Notes []string
}

// SelectJobs picks the jobs to analyze: the failed ones by default, every
// finished one with allJobs, or the ones named in jobIDs. Retried attempts,
// jobs without a log and jobs still running are never picked. The
// in-process pipeline and the distributed ingest stage both call it.
func SelectJobs(build providers.Build, allJobs bool, jobIDs []string) Selection {
	want := map[string]bool{}
	for _, id := range jobIDs {
		want[id] = true
	}
	var sel Selection
	running, neverRan, waiting, notRun := 0, 0, 0, 0
	for i, j := range build.Jobs {
		switch {
		case len(want) > 0 && !want[j.ID]:
		case j.Retried:
		case !j.Finished():
			running++
		case !j.HasLog || j.State == providers.JobBroken || j.State == providers.JobSkipped:
			switch j.State {
			case providers.JobBroken:
				neverRan++
			case providers.JobManual, providers.JobBlocked:
				waiting++
			case providers.JobNotRun:
				notRun++
			}
		case j.Failed() || allJobs || len(want) > 0:
			sel.Jobs = append(sel.Jobs, i)
			if j.Partial {
				sel.Notes = append(sel.Notes, fmt.Sprintf("build is still running: the log of job %q was analyzed as far as it had got", j.Name))
			}
		}
	}
	if running > 0 && build.Running {
		sel.Notes = append(sel.Notes, fmt.Sprintf("build is still running: %d job(s) not finished were not analyzed", running))
	} else if running > 0 {
		sel.Notes = append(sel.Notes, fmt.Sprintf("%d job(s) had not finished when the build did; they were not analyzed", running))
	}
	if neverRan > 0 {
		sel.Notes = append(sel.Notes, fmt.Sprintf("%d job(s) never ran (broken or skipped because of an earlier failure)", neverRan))
	}
	if waiting > 0 {
		sel.Notes = append(sel.Notes, fmt.Sprintf("%d job(s) wait for someone to start or approve them (manual, blocked)", waiting))
	}
	if notRun > 0 {
		sel.Notes = append(sel.Notes, fmt.Sprintf("%d job(s) were created but never started", notRun))
	}
	return sel
}

// Err says why an empty selection has nothing to analyze, or returns nil.
func (s Selection) Err(build providers.Build) error {
	if len(s.Jobs) > 0 {
		return nil
	}
	if build.Running {
		return fmt.Errorf("build is still running and no job has failed yet; try again when it finishes")
	}
	return ErrNothingToAnalyze
}

// JobSummary describes a job in a report, before its log is analyzed.
func JobSummary(j providers.Job) analysis.JobSummary {
	return analysis.JobSummary{
		ID:         j.ID,
		Name:       j.Name,
		Step:       j.Step,
		State:      string(j.State),
		ExitStatus: j.ExitStatus,
		Failed:     j.Failed(),
		SoftFailed: j.SoftFailed,
		Retried:    j.Retried,
		Attempt:    j.Attempt,
		URL:        j.URL,
		LineURL:    j.LineURL,
		StartedAt:  rfc3339(j.StartedAt),
		FinishedAt: rfc3339(j.FinishedAt),
	}
}

// NewReport assembles the findings document of a build from its job
// summaries, its findings and the notes about the analysis.
func NewReport(build providers.Build, tool analysis.Tool, src analysis.Origin, jobs []analysis.JobSummary, findings []analysis.Finding, notes []string) analysis.Report {
	if src.Kind == "" {
		src.Kind = string(build.Provider)
	}
	if build.Provider != providers.KindFile && build.Provider != providers.KindStdin {
		src.Build = &analysis.BuildInfo{
			ID: build.ID, Number: build.Number, Pipeline: build.Pipeline, State: build.State,
			Branch: build.Branch, Commit: build.Commit, Attempt: build.Attempt, URL: build.URL,
		}
	}
	rep := analysis.Report{
		Schema:   analysis.Schema,
		Tool:     tool,
		Source:   src,
		Jobs:     append([]analysis.JobSummary(nil), jobs...),
		Findings: append([]analysis.Finding{}, findings...),
		Notes:    append([]string(nil), notes...),

		FingerprintVersion: analysis.FingerprintVersion,
	}
	rep.Summary = Summarize(jobs, findings)
	return rep
}

// Summarize counts the jobs and findings of a report.
func Summarize(jobs []analysis.JobSummary, findings []analysis.Finding) analysis.Summary {
	sum := analysis.Summary{JobsTotal: len(jobs), Findings: len(findings)}
	for _, j := range jobs {
		if j.Failed {
			sum.JobsFailed++
		}
		if j.Analyzed {
			sum.JobsAnalyzed++
		}
	}
	return sum
}
