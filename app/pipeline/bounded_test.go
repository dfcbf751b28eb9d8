package pipeline

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

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
