package analysis

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
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

// TestLineSet: after any sequence of ranges added, the set holds exactly
// the lines a plain set of every line added holds, and its ranges stay
// sorted, disjoint and apart.
func TestLineSet(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for round := range 200 {
		var s lineSet
		plain := map[int]bool{}
		for range r.IntN(40) {
			from := r.IntN(200)
			to := from + r.IntN(12)
			s.add(from, to)
			for l := from; l <= to; l++ {
				plain[l] = true
			}
			for l := -1; l <= 215; l++ {
				if got := s.hasAll([]int{l}); got != plain[l] {
					t.Fatalf("round %d: line %d in set = %v, want %v (ranges %v)", round, l, got, plain[l], s.ranges)
				}
			}
			for k := 1; k < len(s.ranges); k++ {
				if s.ranges[k].from <= s.ranges[k-1].to+1 {
					t.Fatalf("round %d: ranges %v overlap or touch", round, s.ranges)
				}
			}
		}
	}
	var s lineSet
	s.add(10, 20)
	s.add(30, 40)
	if !s.hasAll([]int{10, 15, 35}) || s.hasAll([]int{15, 25}) || s.hasAll([]int{9}) {
		t.Errorf("hasAll over %v", s.ranges)
	}
}

// TestBestFirstEqualsSliceStable compares bestFirst with the stable sort
// of whole findings it replaced, on random findings with many ties.
func TestBestFirstEqualsSliceStable(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	jobs := []JobResult{{Job: JobSummary{ID: "b"}}, {Job: JobSummary{ID: "a"}}, {Job: JobSummary{ID: "c"}}}
	for round := range 500 {
		findings := make([]Finding, rng.IntN(60))
		for i := range findings {
			findings[i] = Finding{Confidence: float64(rng.IntN(5)) / 4, JobID: jobs[rng.IntN(len(jobs))].Job.ID,
				LineStart: 1 + rng.IntN(8), Message: fmt.Sprint(i)}
		}
		want := slices.Clone(findings)
		jobIndex := map[string]int{"b": 0, "a": 1, "c": 2}
		sort.SliceStable(want, func(a, b int) bool {
			fa, fb := &want[a], &want[b]
			if fa.Confidence != fb.Confidence {
				return fa.Confidence > fb.Confidence
			}
			if ja, jb := jobIndex[fa.JobID], jobIndex[fb.JobID]; ja != jb {
				return ja < jb
			}
			return fa.LineStart < fb.LineStart
		})
		if got := bestFirst(findings, jobs); !reflect.DeepEqual(got, want) && len(want) > 0 {
			t.Fatalf("round %d: bestFirst differs from the stable sort", round)
		}
	}
}
