package analysis

import (
	"slices"
	"testing"
)

// TestSummaryAfterSpecificErrorIsCascade: a summary printed after a
// specific error of its job is a cascade of it, whether or not a test
// report added a finding of its own to the job (a test report's finding
// has no line, so it is not the job's first specific error).
func TestSummaryAfterSpecificErrorIsCascade(t *testing.T) {
	specific := Candidate{Fingerprint: "fp-specific", Rule: "go-test-fail", Category: CategoryTestFailure, Severity: SeverityError,
		Score: 0.8, LineStart: 10, LineEnd: 10, Message: "--- FAIL: TestParse", Occurrences: 1, Lines: []int{10}}
	summary := Candidate{Fingerprint: "fp-summary", Rule: "pytest-summary", Category: CategoryTestFailure, Severity: SeverityError,
		Score: 0.45, Trailer: summary, LineStart: 20, LineEnd: 20, Message: "1 failed", Occurrences: 1, Lines: []int{20}}
	report := Candidate{Fingerprint: "fp-report", Rule: "test-report", Category: CategoryTestFailure, Severity: SeverityError,
		Score: 0.7, Message: "TestParse: failed", Occurrences: 1}
	tests := []struct {
		name  string
		cands []Candidate
	}{
		{"log only", []Candidate{specific, summary}},
		{"with a test report", []Candidate{specific, summary, report}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := JobResult{Job: JobSummary{ID: "1", Name: "unit", Failed: true}, Lines: 30, Candidates: tt.cands}
			for _, f := range Rank([]JobResult{res}) {
				if f.Fingerprint == "fp-summary" {
					if !slices.Contains(f.Reasons, "cascade:summary") {
						t.Errorf("the summary's reasons are %v, want cascade:summary", f.Reasons)
					}
					return
				}
			}
			t.Fatal("no finding for the summary")
		})
	}
}
