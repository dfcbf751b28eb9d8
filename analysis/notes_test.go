package analysis

import (
	"strings"
	"testing"

	"github.com/destill-dev/destill/analysis/analysistest"
)

// TestCapNotes: every cap that leaves something out says how much and why.
func TestCapNotes(t *testing.T) {
	t.Parallel()
	many := make([]Section, maxSections)
	for i := range many {
		many[i] = Section{Line: 2 * (i + 1), Title: "group", Kind: "group"}
	}
	tests := []struct {
		name string
		job  JobResult
		want []string // parts of the notes, in order; none: no note
	}{
		{"nothing left out", JobResult{Job: JobSummary{ID: "1", Name: "build"}, Sections: many[:10]}, nil},
		{"messages over the cap", JobResult{Job: JobSummary{ID: "1", Name: "fuzz"}, Dropped: 4996000},
			[]string{`job "fuzz": 4,996,000 error-like line(s) not kept as findings: only the first 4,000 distinct error messages (and 1,000 weaker ones) of a job are kept, ` +
				`and once 4,000 are, only the lines shaped like a kept one and the runner's verdicts are read`}},
		{"long lines", JobResult{Job: JobSummary{ID: "7"}, TruncatedLines: 3},
			[]string{`job "7": 3 line(s) longer than 64 KiB: only their first 64 KiB were analyzed`}},
		{"step headers", JobResult{Job: JobSummary{ID: "1", Name: "e2e"}, Sections: many},
			[]string{`job "e2e": more than 10,000 step and group headers: the ones after line 20000 were not recorded`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			notes := CapNotes([]JobResult{tt.job})
			if len(notes) != len(tt.want) {
				t.Fatalf("notes %q, want %d", notes, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(notes[i], w) {
					t.Errorf("note %q, want it to say %q", notes[i], w)
				}
			}
		})
	}
}

// TestCapDropsAreCounted: a flood of distinct messages keeps the first
// 4,000 and counts every line left out, alike in one piece and in chunks,
// and the note says so.
func TestCapDropsAreCounted(t *testing.T) {
	t.Parallel()
	const distinct = maxDistinctStrong + 150
	log := analysistest.DistinctErrorsLog(distinct)
	a := NewAnalyzer(Options{})
	a.Write(log)
	whole := a.Result()
	chunked := analyzeChunked(t, log, 16<<10, Options{})
	for _, res := range []struct {
		how string
		JobResult
	}{{"whole", whole}, {"chunked", chunked}} {
		// 150 messages left out, twice each, and the failed command's last
		// output before the verdict (the flood's last lines).
		if res.Dropped != 2*150+1 {
			t.Errorf("%s: dropped %d, want %d", res.how, res.Dropped, 2*150+1)
		}
		kept := 0
		for _, c := range res.Candidates {
			if strings.Contains(c.Message, "cannot import record") {
				kept++
				if c.Occurrences != 2 {
					t.Errorf("%s: %q kept with %d occurrences, want 2", res.how, c.Message, c.Occurrences)
				}
			}
		}
		if kept != maxDistinctStrong {
			t.Errorf("%s: %d messages kept, want %d", res.how, kept, maxDistinctStrong)
		}
		res.Job = JobSummary{ID: "fuzz", Name: "fuzz"}
		if notes := CapNotes([]JobResult{res.JobResult}); len(notes) != 1 || !strings.Contains(notes[0], "301 error-like line(s) not kept") {
			t.Errorf("%s: notes %q", res.how, notes)
		}
	}
}
