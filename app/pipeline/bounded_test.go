package pipeline

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"unsafe"
	"weak"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/providers"
)

// floodBuild is a build of jobs failed jobs whose logs each hold perJob
// distinct error lines.
func floodBuild(jobs, perJob int) stringSource {
	src := stringSource{build: providers.Build{Provider: providers.KindBuildkite}, logs: map[string]string{}}
	for j := range jobs {
		id := fmt.Sprintf("job-%02d", j)
		src.build.Jobs = append(src.build.Jobs, providers.Job{ID: id, Name: id, State: providers.JobFailed, HasLog: true})
		var b strings.Builder
		for i := range perJob {
			fmt.Fprintf(&b, "compiling unit %d\nerror: cannot frob %s in %s\n", i, letters(i), letters(j))
		}
		src.logs[id] = b.String()
	}
	return src
}

func letters(n int) string {
	s := ""
	for n > 0 || s == "" {
		s += string(rune('a' + n%26))
		n /= 26
	}
	return s
}

// TestRunKeepsTheLinesOfABoundedNumberOfCandidates: the candidates of a
// large build keep their lines only up to the budget, the report says how
// many did not, and the findings are those of the candidates kept.
func TestRunKeepsTheLinesOfABoundedNumberOfCandidates(t *testing.T) {
	t.Parallel()
	src := floodBuild(6, 1200)
	var mu sync.Mutex
	var last Update
	rep, err := Run(context.Background(), src, Options{Concurrency: 3}, func(u Update) {
		mu.Lock()
		defer mu.Unlock()
		last = u
	})
	require.NoError(t, err)
	require.Equal(t, 6, rep.Summary.JobsAnalyzed)
	require.NotEmpty(t, rep.Findings)
	require.LessOrEqual(t, len(rep.Findings), analysis.MaxShownCandidates)
	require.Contains(t, strings.Join(rep.Notes, "\n"), analysis.ShownBudgetNote(6*1200-analysis.MaxShownCandidates))
	for _, f := range rep.Findings {
		require.NotEmpty(t, f.Text, "a finding without its lines: %s", f.Message)
	}
	require.True(t, last.Done)
	require.Equal(t, rep.Findings, last.Report.Findings, "the last update shows the final findings")
}

// TestRunSmallBuildKeepsEverything: under the budget, no line is dropped
// and no note says so.
func TestRunSmallBuildKeepsEverything(t *testing.T) {
	t.Parallel()
	rep, err := Run(context.Background(), floodBuild(2, 50), Options{}, nil)
	require.NoError(t, err)
	require.Len(t, rep.Findings, 2*50)
	require.NotContains(t, strings.Join(rep.Notes, "\n"), "not listed")
}

// TestRunRanksForUpdatesOnlyWhenLive: without LiveFindings the findings
// are ranked once, for the final report; with it, the updates sent as jobs
// finish carry the findings so far.
func TestRunRanksForUpdatesOnlyWhenLive(t *testing.T) {
	t.Parallel()
	for _, live := range []bool{false, true} {
		var mu sync.Mutex
		midway := 0 // updates before the end that carried findings
		rep, err := Run(context.Background(), floodBuild(3, 20), Options{Concurrency: 1, LiveFindings: live}, func(u Update) {
			mu.Lock()
			defer mu.Unlock()
			if !u.Done && len(u.Report.Findings) > 0 {
				midway++
			}
		})
		require.NoError(t, err)
		require.Len(t, rep.Findings, 3*20)
		if live {
			require.Positive(t, midway, "live updates carry findings")
		} else {
			require.Zero(t, midway, "no ranking before the end")
		}
	}
}

// reportingSource is a build whose jobs published test reports.
type reportingSource struct {
	stringSource
	reports []providers.TestReport
}

func (s reportingSource) TestReports(context.Context, []providers.Job) ([]providers.TestReport, error) {
	return s.reports, nil
}

// TestRunForgetsTheMessagesOfDroppedLinesOnlyWithoutReports: the
// candidates of a large build that lost their lines to the budget lose
// their messages too (they held most of its memory), but only once no
// test report can be merged: a report's test is linked to the log line
// that names it, whether or not that line keeps its lines.
func TestRunForgetsTheMessagesOfDroppedLinesOnlyWithoutReports(t *testing.T) {
	t.Parallel()
	// The last job's last line is the weakest of the build: it loses its
	// lines, and it names a test.
	const test = "TestFrobnicatesLate"
	build := floodBuild(6, 1200)
	last := build.build.Jobs[5].ID
	build.logs[last] += "error: cannot frob " + test + " in the end\n"
	reports := []providers.TestReport{{JobID: last, Path: "report.xml", Failed: []providers.TestCase{{Name: test, Message: "frob failed"}}}}

	for _, tt := range []struct {
		name      string
		src       Source
		forgotten bool
	}{
		{"no test reports", build, true},
		{"a source of test reports that has none", reportingSource{stringSource: build}, true},
		{"test reports", reportingSource{stringSource: build, reports: reports}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var msg weak.Pointer[byte]
			var mu sync.Mutex
			var alive []bool
			opts := Options{Concurrency: 2, JobResultFunc: func(job providers.Job, res analysis.JobResult) {
				if job.ID != last {
					return
				}
				for _, c := range res.Candidates {
					if strings.Contains(c.Message, test) {
						mu.Lock()
						msg = weak.Make(unsafe.StringData(c.Message))
						mu.Unlock()
					}
				}
			}}
			rep, err := Run(context.Background(), tt.src, opts, func(u Update) {
				if !u.Done {
					return
				}
				runtime.GC() // the run and its results are still alive
				mu.Lock()
				alive = append(alive, msg.Value() != nil)
				mu.Unlock()
			})
			require.NoError(t, err)
			require.Equal(t, []bool{!tt.forgotten}, alive, "whether the message of the dropped line is still held at the end")
			for _, f := range rep.Findings {
				require.NotContains(t, f.Message, test, "the line naming the test was to lose its lines to the budget")
				if _, ok := tt.src.(reportingSource); ok {
					require.Nil(t, f.Test, "the test is linked to the line that names it, not a finding of its own")
				}
			}
		})
	}
}
