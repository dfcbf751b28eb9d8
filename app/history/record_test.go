package history

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/analysis"
)

// TestFindingsRecord: a stored report's record lists, for each analyzed
// job, the fingerprints of the findings that occurred in it, ranked as the
// job's own, and it is the record made the plain way (every job's
// candidates at once).
func TestFindingsRecord(t *testing.T) {
	rep := analysis.Report{Source: analysis.Origin{Kind: "github-actions", Build: &analysis.BuildInfo{ID: "run-1", Number: 1, State: "failed"}}}
	for i := range 6 {
		state := "failed"
		if i == 5 {
			state = "passed"
		}
		rep.Jobs = append(rep.Jobs, analysis.JobSummary{ID: fmt.Sprintf("j%d", i), Name: fmt.Sprintf("shard %d", i), State: state,
			Failed: state == "failed", Analyzed: true})
	}
	finding := func(fp string, conf float64, job int, also ...int) analysis.Finding {
		f := analysis.Finding{Fingerprint: fp, Confidence: conf, Category: analysis.CategoryError, Severity: analysis.SeverityError,
			Message: "error: " + fp, JobID: rep.Jobs[job].ID, LineStart: 10 * (job + 1), LineEnd: 10 * (job + 1)}
		if len(also) > 0 {
			f.Jobs = append(f.Jobs, analysis.FindingJob{JobID: f.JobID, Failed: true})
			for _, j := range also {
				f.Jobs = append(f.Jobs, analysis.FindingJob{JobID: rep.Jobs[j].ID, Failed: rep.Jobs[j].Failed})
			}
		}
		return f
	}
	rep.Findings = []analysis.Finding{
		finding("aaaa", 0.9, 0, 1, 2, 3),
		finding("bbbb", 0.7, 1),
		finding("cccc", 0.5, 2, 0, 5),
		finding("dddd", 0.2, 0, 4),
		finding("eeee", 0.1, 3, 2),
	}
	got, ok := FindingsRecord(rep)
	require.True(t, ok)
	want, _ := ReportRecord(rep, SeenInResults(rep, wholeResults(rep)))
	require.Equal(t, want, got)

	fps := map[string][]string{}
	for _, j := range got.Jobs {
		for _, s := range j.Fingerprints {
			fps[j.ID] = append(fps[j.ID], s.Fingerprint)
		}
	}
	require.Equal(t, map[string][]string{
		"j0": {"aaaa", "cccc", "dddd"},
		"j1": {"aaaa", "bbbb"},
		"j2": {"aaaa", "cccc", "eeee"},
		"j3": {"aaaa", "eeee"},
		"j4": {"dddd"},
		"j5": {"cccc"},
	}, fps)
}

// wholeResults is every job's candidates made of the findings that
// occurred in it, all at once.
func wholeResults(rep analysis.Report) map[string]analysis.JobResult {
	results := map[string]analysis.JobResult{}
	for i := range rep.Findings {
		f := &rep.Findings[i]
		jobs := []string{f.JobID}
		for _, j := range f.Jobs {
			jobs = append(jobs, j.JobID)
		}
		for _, id := range jobs {
			res := results[id]
			res.Candidates = append(res.Candidates, findingCandidate(f))
			results[id] = res
		}
	}
	return results
}
