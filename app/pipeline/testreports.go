package pipeline

import (
	"context"
	"fmt"
	"strings"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/httpapi"
)

// TestReporter is a Source that can also read the test reports (JUnit XML
// artifacts) the given jobs published.
type TestReporter interface {
	TestReports(ctx context.Context, jobs []providers.Job) ([]providers.TestReport, error)
}

// testReportScore ranks a failed test from a report like a test failure
// found in a log.
const testReportScore = 0.7

// maxReportLines caps the lines of a failure's details kept as a finding's
// text.
const maxReportLines = 40

// startTestReports fetches src's test reports, if it has any, alongside
// the logs. The returned function waits for them and merges them into the
// analyzed jobs.
// Until it is known that no report will be merged, the results keep the
// messages of the candidates that make no finding: a report's test is
// merged by the messages that name it (see noReports).
func (r *run) startTestReports(ctx context.Context, src Source) func() {
	tr, ok := src.(TestReporter)
	if !ok {
		r.noReports()
		return func() {}
	}
	var failed []providers.Job
	for _, i := range r.selected {
		if r.build.Jobs[i].Failed() {
			failed = append(failed, r.build.Jobs[i])
		}
	}
	if len(failed) == 0 {
		r.noReports()
		return func() {}
	}
	done := make(chan struct{})
	var reports []providers.TestReport
	var err error
	go func() {
		defer close(done)
		reports, err = tr.TestReports(ctx, failed)
		if len(reports) == 0 {
			r.noReports()
		}
	}()
	return func() {
		<-done
		if ctx.Err() != nil {
			return
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		if err != nil {
			r.notes = append(r.notes, TestReportsNote(err))
			r.changedLocked()
		}
		if MergeTestReports(r.jobs, r.selected, r.results, reports, r.opts.Analysis.Secrets) {
			r.changedLocked()
		}
	}
}

// noReports says no test report will be merged: the messages of the
// candidates that make no finding can go (analysis.ShownBudget.ForgetMessages).
func (r *run) noReports() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.shown.ForgetMessages()
}

// MergeTestReports adds each failed test case to the job it belongs to:
// the job that published the report, else a failed job whose log mentions
// the test, else the first failed job. When a log finding of that job
// names the test, the test is linked to it (the finding carries the test);
// otherwise the test becomes a finding of its own. jobs and results are
// indexed like the build's jobs (results nil where no log was analyzed),
// selected lists the analyzed ones. It reports whether anything changed.
// The in-process pipeline and the distributed merge both call it.
func MergeTestReports(jobs []analysis.JobSummary, selected []int, results []*analysis.JobResult, reports []providers.TestReport, secrets []string) bool {
	redact := analysis.NewRedactor(secrets...)
	changed := false
	for _, rep := range reports {
		for _, tc := range rep.Failed {
			i := reportJob(jobs, selected, results, rep.JobID, tc.Name)
			if i < 0 {
				continue
			}
			res := results[i]
			test := &analysis.TestCase{Name: tc.Name, Classname: tc.Classname, File: tc.File, Report: rep.Path}
			if c := findTestCandidate(res, tc.Name); c != nil {
				if c.Test == nil {
					// The same failure in other jobs (matrix cells) is the
					// same test: whichever job represents it carries it.
					linkTest(results, c.Fingerprint, test)
					changed = true
				}
				continue
			}
			res.Candidates = append(res.Candidates, testCandidate(tc, test, redact))
			changed = true
		}
	}
	return changed
}

// linkTest sets test on every candidate with fingerprint fp that has none.
func linkTest(results []*analysis.JobResult, fp string, test *analysis.TestCase) {
	for _, res := range results {
		if res == nil {
			continue
		}
		for ci := range res.Candidates {
			if c := &res.Candidates[ci]; c.Fingerprint == fp && c.Test == nil {
				c.Test = test
			}
		}
	}
}

// reportJob picks the analyzed job a failed test belongs to, or -1.
func reportJob(jobs []analysis.JobSummary, selected []int, results []*analysis.JobResult, jobID, test string) int {
	first, mentions := -1, -1
	for _, i := range selected {
		res := results[i]
		if res == nil {
			continue
		}
		if jobID != "" && jobs[i].ID == jobID {
			return i
		}
		if !jobs[i].Failed {
			continue
		}
		if first < 0 {
			first = i
		}
		if mentions < 0 && findTestCandidate(res, test) != nil {
			mentions = i
		}
	}
	if mentions >= 0 {
		return mentions
	}
	return first
}

// findTestCandidate returns the candidate of res that names test, best
// (a test-failure) first.
func findTestCandidate(res *analysis.JobResult, test string) *analysis.Candidate {
	if test == "" {
		return nil
	}
	var found *analysis.Candidate
	for ci := range res.Candidates {
		c := &res.Candidates[ci]
		if c.LineStart == 0 || !mentions(c, test) {
			continue
		}
		if c.Category == analysis.CategoryTestFailure {
			return c
		}
		if found == nil {
			found = c
		}
	}
	return found
}

func mentions(c *analysis.Candidate, test string) bool {
	if strings.Contains(c.Message, test) {
		return true
	}
	for _, t := range c.Text {
		if strings.Contains(t, test) {
			return true
		}
	}
	return false
}

func testCandidate(tc providers.TestCase, test *analysis.TestCase, redact *analysis.Redactor) analysis.Candidate {
	msg := tc.Message
	if msg == "" {
		msg = "failed"
	}
	name := tc.Name
	if tc.Classname != "" && !strings.Contains(tc.Name, tc.Classname) {
		name = tc.Classname + "." + tc.Name
	}
	message := redact.Redact(fmt.Sprintf("%s: %s", name, msg))
	var text []string
	for _, l := range strings.Split(tc.Details, "\n") {
		if len(text) == maxReportLines {
			text = append(text, "…")
			break
		}
		text = append(text, redact.Redact(strings.TrimRight(l, "\r")))
	}
	if tc.Details == "" {
		text = []string{message}
	}
	return analysis.Candidate{
		Fingerprint: analysis.Fingerprint(analysis.CategoryTestFailure, "test report: "+name+": "+msg),
		Rule:        "test-report",
		Category:    analysis.CategoryTestFailure,
		Severity:    analysis.SeverityError,
		Score:       testReportScore,
		Reasons:     []string{"test-report"},
		Message:     message,
		Text:        text,
		Occurrences: 1,
		Test:        test,
	}
}

// FixReportURLs points findings that come from a test report (no log
// line) at the job itself rather than at a line anchor.
func FixReportURLs(findings []analysis.Finding, jobs []analysis.JobSummary) []analysis.Finding {
	url := map[string]string{}
	for _, j := range jobs {
		url[j.ID] = j.URL
	}
	for i := range findings {
		f := &findings[i]
		if f.LineStart != 0 {
			continue
		}
		f.URL = url[f.JobID]
		for k := range f.Jobs {
			f.Jobs[k].URL = url[f.Jobs[k].JobID]
		}
	}
	return findings
}

// TestReportsNote is the report's note when the build's test reports could
// not be read.
func TestReportsNote(err error) string {
	return fmt.Sprintf("the build's test reports could not be read, so failed tests come from the logs alone: %s", httpapi.Brief(err))
}
