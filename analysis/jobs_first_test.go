package analysis

import (
	"slices"
	"testing"
)

// TestEveryFailedJobIsRepresented: in a build where one job floods the
// list (twelve distinct type errors), each other failed job's best finding
// still comes before any job's second one; a cause two jobs share counts
// for both; a job that passed gets no place of its own.
func TestEveryFailedJobIsRepresented(t *testing.T) {
	t.Parallel()
	typecheck := jobResult(t, "tsc-many-errors.log", "typecheck", true)
	unit := jobResult(t, "phpunit-failure.log", "unit (php 8.2)", true)
	unit83 := jobResult(t, "phpunit-failure.log", "unit (php 8.3)", true)
	network := jobResult(t, "network-failure.log", "deploy", true)
	passed := jobResult(t, "oom-killed.log", "docs", false)

	tests := []struct {
		name string
		jobs []JobResult
		// top lists, in order, the job each of the first findings is
		// shown from.
		top []string
	}{
		{"a flood and a lesser cause", []JobResult{typecheck, unit}, []string{"typecheck", "unit (php 8.2)", "typecheck"}},
		{"one cause in two jobs", []JobResult{typecheck, unit, unit83}, []string{"typecheck", "unit (php 8.2)", "typecheck"}},
		{"three jobs", []JobResult{typecheck, unit, network}, []string{"typecheck", "deploy", "unit (php 8.2)", "typecheck"}},
		{"a passed job waits its turn", []JobResult{typecheck, passed}, []string{"typecheck", "typecheck", "typecheck"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			findings := Rank(tt.jobs)
			var got []string
			for _, f := range findings[:len(tt.top)] {
				got = append(got, f.JobID)
			}
			if !slices.Equal(got, tt.top) {
				t.Errorf("the top findings are from %v, want %v", got, tt.top)
			}
			for i, f := range findings {
				if f.Rank != i+1 {
					t.Errorf("finding %d has rank %d", i+1, f.Rank)
				}
				if i > 0 && f.Confidence > findings[i-1].Confidence && !slices.Contains(findings[i-1].Reasons, "best-in-job") {
					t.Errorf("#%d (%.2f) is below #%d (%.2f), which does not say best-in-job", i+1, f.Confidence, i, findings[i-1].Confidence)
				}
			}
		})
	}
	// The shared cause lists both jobs.
	for _, f := range Rank([]JobResult{typecheck, unit, unit83}) {
		if f.JobID == "unit (php 8.2)" {
			if len(f.Jobs) != 2 || f.Jobs[1].JobID != "unit (php 8.3)" {
				t.Errorf("the shared cause lists jobs %+v, want both unit jobs", f.Jobs)
			}
			break
		}
	}
}
