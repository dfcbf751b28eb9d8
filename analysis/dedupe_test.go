package analysis

import (
	"fmt"
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

// TestCapSkimsNewShapes: past the cap on distinct messages, a line is read
// only when it is shaped like a line that opened a kept message or holds a
// word of a runner's verdict. A repeat with other numbers still counts as
// an occurrence and the verdicts are still findings (a strong one too:
// verdicts have a cap of their own); a repeat in another
// shape (here an extra space, which the fingerprint ignores) and a new
// message are dropped unread. Under the cap both would be read: the first
// as an occurrence, the second as a finding. (One analyzer: segments
// apply the cap each on its own, see ParallelAnalyzer.)
func TestCapSkimsNewShapes(t *testing.T) {
	t.Parallel()
	word := func(i int) string {
		return string([]byte{byte('a' + i%26), byte('a' + i/26%26), byte('a' + i/676%26)})
	}
	log := func(distinct int) []byte {
		var b strings.Builder
		b.WriteString("~~~ import fixtures\n")
		for i := range distinct {
			fmt.Fprintf(&b, "ERROR: cannot import record %s (row 12): checksum mismatch\n", word(i))
		}
		b.WriteString("ERROR: cannot import record aaa (row 57): checksum mismatch\n")  // same shape
		b.WriteString("ERROR: cannot import record aaa (row 57):  checksum mismatch\n") // another shape
		b.WriteString("ERROR: disk quota exceeded\n")                                   // a new message
		b.WriteString("records left: 3\n🚨 Error: The command exited with status 1\n")   // the verdict
		b.WriteString("ERROR: Job failed: execution took longer than 1h0m0s seconds\n") // a strong verdict, kept apart from the cap
		return []byte(b.String())
	}
	tests := []struct {
		name        string
		distinct    int
		occurrences int  // of the first message
		quota       bool // the new message is a finding
		dropped     int
	}{
		{"under the cap", 10, 3, true, 0},
		{"at the cap", maxDistinctStrong, 2, false, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := NewAnalyzer(Options{})
			a.Write(log(tt.distinct))
			res := a.Result()
			if res.Dropped != tt.dropped {
				t.Errorf("dropped %d, want %d", res.Dropped, tt.dropped)
			}
			occurrences, quota, verdict, timeout := 0, false, false, false
			for _, c := range res.Candidates {
				switch {
				case strings.Contains(c.Message, "record aaa "):
					occurrences = c.Occurrences
				case strings.Contains(c.Message, "quota"):
					quota = true
				case c.Rule == "job-timeout":
					timeout = true
				case c.Trailer == jobFailure:
					verdict = true
				}
			}
			if occurrences != tt.occurrences || quota != tt.quota || !verdict || !timeout {
				t.Errorf("first message seen %d times, quota a finding %v, verdict one %v, timeout one %v; want %d, %v, true, true",
					occurrences, quota, verdict, timeout, tt.occurrences, tt.quota)
			}
		})
	}
}

// TestVerdictRulesNeedWords: every rule of a runner's verdict needs words,
// which is how a job past the cap still finds its verdict (skims).
func TestVerdictRulesNeedWords(t *testing.T) {
	t.Parallel()
	for i := range rules {
		r := &rules[i]
		if r.trailer != jobFailure {
			continue
		}
		if len(r.need) == 0 {
			t.Errorf("verdict rule %s (rules[%d]) needs no word: a job past the cap would not read it", r.name, i)
		}
		for _, w := range r.need {
			if !verdictWords().contains([]byte("x " + strings.ToUpper(w) + " y")) {
				t.Errorf("verdictWords does not find %q", w)
			}
		}
	}
}
