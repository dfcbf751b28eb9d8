package analysis

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestAdjacentLinesOfOneEventAreOneFinding: a header and the block under
// it, or a block and the verdict right after it, are one finding; two
// adjacent failing tests are two.
func TestAdjacentLinesOfOneEventAreOneFinding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		log string
		// together are parts of lines that one finding must show together;
		// times, when set, how often that finding occurred.
		together [][]string
		times    []int
		// apart are parts of messages that must be findings of their own.
		apart []string
	}{
		{"go-test-adjacent-failures.log",
			[][]string{{"--- FAIL: TestRoute_Match", "panic: runtime error: invalid memory address"}}, nil,
			[]string{"TestQueue_Drain", "TestQueue_Close"}},
		{"surefire-two-failures.log",
			[][]string{
				{"[ERROR] Failures:", "InvoiceServiceTest.appliesPercentageDiscount:57 expected"},
				{"ERROR: script returned exit code 1", "Finished: FAILURE"},
			}, nil,
			[]string{"InvoiceServiceTest.appliesPercentageDiscount -- Time elapsed", "InvoiceServiceTest.roundsHalfEven -- Time elapsed"}},
		// sbt's "[error]" summary, printed after each of three attempts.
		{"sbt-failure-retried.log",
			[][]string{{"[error] Failed: Total 3, Failed 1", "[error] Failed tests:", "com.acme.ledger.BalanceSpec",
				"sbt.TestsFailedException: Tests unsuccessful"}}, []int{3},
			[]string{"should reject postings in two currencies *** FAILED ***"}},
	}
	for _, tt := range tests {
		t.Run(tt.log, func(t *testing.T) {
			t.Parallel()
			findings := analyzeTestLog(t, tt.log)
			shows := func(f Finding, part string) bool {
				return strings.Contains(strings.Join(f.Text, "\n"), part)
			}
			for i, parts := range tt.together {
				n := 0
				for _, f := range findings {
					if slices.Contains(f.Reasons, failedOutputRule.name) {
						continue // the failed command's last output shows whatever it printed last
					}
					if shows(f, parts[0]) {
						n++
						if i < len(tt.times) && f.Occurrences != tt.times[i] {
							t.Errorf("the finding of %q occurred %d times, want %d", parts[0], f.Occurrences, tt.times[i])
						}
						for _, p := range parts[1:] {
							if !shows(f, p) {
								t.Errorf("the finding at lines %d-%d shows %q without %q", f.LineStart, f.LineEnd, parts[0], p)
							}
						}
					}
					for _, p := range parts[1:] {
						if shows(f, p) && !shows(f, parts[0]) {
							t.Errorf("%q is a finding of its own (lines %d-%d), apart from %q", p, f.LineStart, f.LineEnd, parts[0])
						}
					}
				}
				if n != 1 {
					t.Errorf("%d findings show %q, want 1", n, parts[0])
				}
			}
			for _, part := range tt.apart {
				n := 0
				for _, f := range findings {
					if strings.Contains(f.Message, part) {
						n++
						for _, other := range tt.apart {
							if other != part && shows(f, other) {
								t.Errorf("the finding of %q also shows %q: two causes in one finding", part, other)
							}
						}
					}
				}
				if n != 1 {
					t.Errorf("%d findings are about %q, want 1", n, part)
				}
			}
		})
	}
}

// TestJoinEvents: which adjacent candidates are one event, and what the
// finding of an event shows.
func TestJoinEvents(t *testing.T) {
	t.Parallel()
	// c is a candidate of a rule that knows its shape (rule "err" is the
	// generic vocabulary); it occurred at start and, occ-1 more times,
	// at start+100, start+200, ...
	c := func(fp, rule string, start, end, occ int, score float64) Candidate {
		text := make([]string, end-start+1)
		for i := range text {
			text[i] = fp
		}
		var lines []int
		for i := 0; i < occ; i++ {
			lines = append(lines, start+100*i)
		}
		category := CategoryTestFailure
		if rule == "err" {
			category = CategoryError
		}
		return Candidate{Fingerprint: fp, Rule: rule, Category: category, Severity: SeverityError, Score: score,
			LineStart: start, LineEnd: end, Message: fp, Text: text, Occurrences: occ, Lines: lines}
	}
	tests := []struct {
		name  string
		cands []Candidate
		want  []string // fingerprint, range and occurrence lines of each finding, best first
	}{
		{"one event", []Candidate{c("head", "a", 3, 3, 1, 0.4), c("body", "b", 4, 6, 1, 0.9), c("verdict", "c", 7, 7, 1, 0.2)},
			[]string{"body 3-7 [3]"}},
		{"siblings", []Candidate{c("t1", "a", 3, 4, 1, 0.9), c("t2", "a", 5, 6, 1, 0.8)},
			[]string{"t1 3-4 [3]", "t2 5-6 [5]"}},
		{"a sibling ends the event", []Candidate{c("t1", "a", 3, 4, 1, 0.9), c("x", "b", 5, 5, 1, 0.5), c("t2", "a", 6, 7, 1, 0.8)},
			[]string{"t1 3-5 [3]", "t2 6-7 [6]"}},
		{"generic lines are one message", []Candidate{c("e1", "err", 3, 3, 1, 0.5), c("e2", "err", 4, 4, 1, 0.6), c("e3", "err", 5, 5, 1, 0.5)},
			[]string{"e2 3-5 [3]"}},
		{"a gap ends the event", []Candidate{c("e", "a", 3, 4, 1, 0.9), c("v", "b", 6, 6, 1, 0.3)},
			[]string{"e 3-4 [3]", "v 6-6 [6]"}},
		{"an event repeated", []Candidate{c("e", "a", 3, 4, 3, 0.9), c("v", "b", 5, 5, 3, 0.3)},
			[]string{"e 3-5 [3 103 203]"}},
		{"a message repeated alone", []Candidate{c("e", "a", 3, 4, 1, 0.9), c("r", "b", 5, 5, 3, 0.5)},
			[]string{"e 3-4 [3]", "r 5-5 [5 105 205]"}},
		{"a test report", []Candidate{c("report", "test-report", 0, 0, 1, 0.9), c("v", "b", 1, 1, 1, 0.3)},
			[]string{"report 0-0 [0]", "v 1-1 [1]"}},
		{"longer than a finding", []Candidate{c("e", "a", 1, 30, 1, 0.9), c("f", "b", 31, 45, 1, 0.5)},
			[]string{"e 1-30 [1]", "f 31-45 [31]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := JobResult{Job: JobSummary{ID: "j", Name: "j", Failed: true}, Lines: 200, Candidates: tt.cands}
			var got []string
			for _, f := range Rank([]JobResult{res}) {
				got = append(got, fmt.Sprintf("%s %d-%d %v", f.Fingerprint, f.LineStart, f.LineEnd, f.Lines))
				if len(f.Text) != f.LineEnd-f.LineStart+1 && f.LineStart > 0 {
					t.Errorf("%s: %d lines of text for lines %d-%d", f.Fingerprint, len(f.Text), f.LineStart, f.LineEnd)
				}
			}
			if strings.Join(got, ", ") != strings.Join(tt.want, ", ") {
				t.Errorf("findings %v, want %v", got, tt.want)
			}
		})
	}
}
