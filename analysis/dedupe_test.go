package analysis

import (
	"slices"
	"strings"
	"testing"
)

// TestNearDuplicatesCollapse: the same message for many files is one
// finding that counts and lists them; distinct causes stay apart.
func TestNearDuplicatesCollapse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		log string
		// message is a part of the collapsed finding's message; it must
		// be the only finding whose message has it.
		message     string
		occurrences int
		lines       []int
		// distinct are parts of messages that must each be a finding of
		// their own, apart from the collapsed one.
		distinct []string
	}{
		{"flood-no-space.log", "No space left on device", 12,
			[]int{29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40}, nil},
		{"gcc-same-error-many-files.log", "too few arguments to function 'metrics_inc'", 5,
			[]int{9, 18, 27, 36, 45}, []string{"has no member named 'fanout'"}},
	}
	for _, tt := range tests {
		t.Run(tt.log, func(t *testing.T) {
			t.Parallel()
			findings := analyzeTestLog(t, tt.log)
			var hits []Finding
			for _, f := range findings {
				if strings.Contains(f.Message, tt.message) {
					hits = append(hits, f)
				}
			}
			if len(hits) != 1 {
				t.Fatalf("%d findings have %q, want 1", len(hits), tt.message)
			}
			f := hits[0]
			if f.Rank != 1 {
				t.Errorf("the collapsed finding ranks %d, want 1", f.Rank)
			}
			if f.Occurrences != tt.occurrences || !slices.Equal(f.Lines, tt.lines) {
				t.Errorf("occurrences %d at %v, want %d at %v", f.Occurrences, f.Lines, tt.occurrences, tt.lines)
			}
			if f.LineStart != tt.lines[0] {
				t.Errorf("shown from line %d, want the first occurrence, %d", f.LineStart, tt.lines[0])
			}
			for _, d := range tt.distinct {
				if !slices.ContainsFunc(findings, func(f Finding) bool { return strings.Contains(f.Message, d) }) {
					t.Errorf("no finding of its own for %q", d)
				}
			}
		})
	}
}
