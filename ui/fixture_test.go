package ui

import (
	"fmt"
	"time"

	"github.com/destill-dev/destill/analysis"
)

// testStart is when the fixture analyses start.
var testStart = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

func testJobs() []analysis.JobSummary {
	return []analysis.JobSummary{
		{ID: "j1", Name: "unit tests (linux)", Step: "test", State: "failed", Failed: true, URL: "https://ci.example.com/builds/42#j1", Analyzed: true},
		{ID: "j2", Name: "lint", Step: "lint", State: "failed", Failed: true, URL: "https://ci.example.com/builds/42#j2", Analyzed: true},
		{ID: "j3", Name: "integration", Step: "test", State: "passed", Failed: false, URL: "https://ci.example.com/builds/42#j3", Analyzed: true},
	}
}

// finding builds a finding of job j (an index into testJobs) at line.
func finding(rank int, fp string, conf float64, sev analysis.Severity, j int, line int, msg string) analysis.Finding {
	job := testJobs()[j]
	return analysis.Finding{
		Rank: rank, Fingerprint: fp, Confidence: conf, Severity: sev, Category: "error",
		Reasons: []string{"error-word"}, JobID: job.ID, JobName: job.Name, Step: job.Step,
		LineStart: line, LineEnd: line, Message: msg, Text: []string{msg},
		ContextBefore: []string{fmt.Sprintf("context before %d", line)},
		ContextAfter:  []string{fmt.Sprintf("context after %d", line)},
		Occurrences:   1, Lines: []int{line},
		Jobs: []analysis.FindingJob{{JobID: job.ID, JobName: job.Name, Failed: job.Failed, Occurrences: 1, Lines: []int{line}}},
	}
}

// testFindings are ranked findings over the three fixture jobs, with the
// kinds of text a log throws at a terminal: markup-like brackets, escape
// sequences, wide characters, a very long line.
func testFindings() []analysis.Finding {
	oom := finding(1, "fp-oom", 0.95, analysis.SeverityError, 0, 1204, "fatal error: runtime: out of memory")
	oom.Category = analysis.CategoryOOM
	oom.Reasons = []string{"oom", "in-failed-step", "followed-by-exit-code"}
	oom.Text = []string{"fatal error: runtime: out of memory", "runtime stack:", "runtime.throw({0x1a2b3c, 0x16})"}
	oom.LineEnd = 1206
	oom.ContextBefore = []string{"=== RUN   TestLargeUpload", "    upload_test.go:88: allocating 8 GiB buffer"}
	oom.ContextAfter = []string{"goroutine 1 [running]:", "FAIL\tgithub.com/acme/app/upload\t3.2s"}
	oom.URL = "https://ci.example.com/builds/42#j1/L1204"

	lint := finding(2, "fp-lint", 0.80, analysis.SeverityError, 1, 17, "upload.go:12:2: \"os\" imported and not used [red]not a tag[-]")
	lint.Category = analysis.CategoryLint

	flaky := finding(3, "fp-timeout", 0.55, analysis.SeverityError, 0, 980, "\x1b[31mpanic: test timed out after 10m0s\x1b[0m")
	flaky.Category = analysis.CategoryTimeout
	flaky.Occurrences = 3
	flaky.Lines = []int{980}
	flaky.Jobs = []analysis.FindingJob{
		{JobID: "j1", JobName: "unit tests (linux)", Failed: true, Occurrences: 2, Lines: []int{980, 1100}},
		{JobID: "j3", JobName: "integration", Failed: false, Occurrences: 1, Lines: []int{55}},
	}
	flaky.AlsoInPassingJobs = true

	warn := finding(4, "fp-deprecated", 0.30, analysis.SeverityWarning, 1, 3, "warning: golangci-lint config uses deprecated option 'run.skip-dirs' — 日本語のログ")
	warn.Category = analysis.CategoryWarning

	passed := finding(5, "fp-retry", 0.20, analysis.SeverityError, 2, 40, "connection reset by peer, retrying in 200ms")
	passed.Category = analysis.CategoryNetwork
	passed.Reasons = []string{"network", "job-passed"}

	long := finding(6, "fp-long", 0.10, analysis.SeverityInfo, 0, 12, "note: "+repeat("a very long line that goes on ", 12))
	long.Category = analysis.CategorySummary
	return []analysis.Finding{oom, lint, flaky, warn, passed, long}
}

func repeat(s string, n int) string {
	out := ""
	for i := 0; i < n; i++ {
		out += s
	}
	return out
}

// testReport is a finished analysis of the fixture build.
func testReport() analysis.Report {
	fs := testFindings()
	return analysis.Report{
		Schema:   analysis.Schema,
		Source:   analysis.Origin{Kind: "buildkite", URL: "https://buildkite.com/acme/app/builds/42"},
		Jobs:     testJobs(),
		Findings: fs,
		Summary:  analysis.Summary{JobsTotal: 3, JobsFailed: 2, JobsAnalyzed: 3, Findings: len(fs)},
	}
}

// snapshotOf returns a Snapshot of the fixture with the given findings and
// jobs fetched so far.
func snapshotOf(findings []analysis.Finding, fetched int) Snapshot {
	rep := testReport()
	rep.Findings = findings
	for i := range rep.Findings {
		rep.Findings[i].Rank = i + 1
	}
	return Snapshot{Report: rep, Progress: Progress{JobsTotal: 3, JobsFetched: fetched, JobsAnalyzed: fetched, Bytes: int64(fetched) * 3 << 20, Started: testStart}}
}

// pick returns the fixture findings with these fingerprints, in this order.
func pick(fps ...string) []analysis.Finding {
	all := testFindings()
	var out []analysis.Finding
	for _, fp := range fps {
		for _, f := range all {
			if f.Fingerprint == fp {
				out = append(out, f)
			}
		}
	}
	return out
}
