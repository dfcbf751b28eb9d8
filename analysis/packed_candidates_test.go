package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/destill-dev/destill/analysis/analysistest"
)

// TestPackCandidatesUnpacksAsBefore packs the candidates of a job that
// lost their lines and messages, in rounds as a budget drops more of
// them, in memory or in a spill, and checks that allCandidates gives back
// the job's list as it was, that the unpacked ones stay in order, and
// that packCandidates says where each went.
func TestPackCandidatesUnpacksAsBefore(t *testing.T) {
	t.Parallel()
	t.Run("in memory", func(t *testing.T) { t.Parallel(); packAndUnpack(t, nil) })
	t.Run("spilled", func(t *testing.T) { t.Parallel(); packAndUnpack(t, &spill{to: &analysistest.MemSpill{}}) })
}

func packAndUnpack(t *testing.T, sp *spill) {
	rng := rand.New(rand.NewPCG(1, 2))
	rules := []candidateKind{{"go-test-fail", CategoryTestFailure, SeverityError}, {"error-word", CategoryError, SeverityError},
		{"warning", CategoryWarning, SeverityWarning}}
	var kinds candidateKinds
	for round := range 20 {
		var want []Candidate
		for i := range 50 + rng.IntN(200) {
			k := rules[rng.IntN(len(rules))]
			c := Candidate{Fingerprint: fmt.Sprintf("%016x", rng.Uint64()), Rule: k.rule, Category: k.category, Severity: k.severity,
				Score: rng.Float64(), Trailer: trailerKind(rng.IntN(4)), Noise: rng.IntN(5) == 0, novelty: noveltyClass(rng.IntN(4)),
				InPassingTests: rng.IntN(3), LineStart: 10 * i, LineEnd: 10*i + rng.IntN(5), Occurrences: 1 + rng.IntN(4),
				Message: "m", Text: []string{"t"}, Reasons: []string{k.rule}}
			switch rng.IntN(4) {
			case 0: // Lines stays nil
			case 1:
				c.Lines = []int{}
			default:
				for range c.Occurrences {
					c.Lines = append(c.Lines, c.LineStart+rng.IntN(1000))
				}
			}
			switch rng.IntN(10) {
			case 0:
				c.Test = &TestCase{Name: "TestX"}
			case 1:
				c.LineEnd = math.MaxInt32 + 1 // too large to pack
			case 2:
				c.Fingerprint = fmt.Sprintf("%016X", rng.Uint64()) // not as fingerprintString spells it
			}
			want = append(want, c)
		}
		job := JobResult{Candidates: append([]Candidate(nil), want...)}
		for pass := range 3 {
			// Drop some more, as a budget would, in want and in the job.
			for i := range want {
				if rng.IntN(3) != 0 || want[i].shownDropped {
					continue
				}
				want[i].dropShown()
				want[i].Message = ""
				for k := range job.Candidates {
					if c := &job.Candidates[k]; c.Fingerprint == want[i].Fingerprint && !c.shownDropped {
						c.dropShown()
						c.Message = ""
					}
				}
			}
			before := append([]Candidate(nil), job.Candidates...)
			to := packCandidates(&job, &kinds, sp)
			if p := job.packed; p != nil && (p.spill != nil) != (sp != nil) {
				t.Fatalf("round %d, pass %d: packed records in a spill: %v, want %v", round, pass, p.spill != nil, sp != nil)
			}
			for i, c := range before {
				switch {
				case to == nil:
					if packable(&c) {
						t.Fatalf("round %d, pass %d: %+v was not packed", round, pass, c)
					}
				case to[i] < 0 && !packable(&c):
					t.Fatalf("round %d, pass %d: %+v was packed", round, pass, c)
				case to[i] >= 0 && !reflect.DeepEqual(job.Candidates[to[i]], c):
					t.Fatalf("round %d, pass %d: candidate %d went to %d, which holds another", round, pass, i, to[i])
				}
			}
			for _, c := range job.Candidates {
				if packable(&c) {
					t.Fatalf("round %d, pass %d: %+v was left unpacked", round, pass, c)
				}
			}
			if got := job.allCandidates(); !reflect.DeepEqual(got, want) {
				t.Fatalf("round %d, pass %d: unpacked candidates differ from the job's", round, pass)
			}
			// Ranking reads a packed candidate's lines where the unpacker
			// says they are.
			var u unpacker
			got := u.unpack(&job)
			for i := range got {
				at := int32(0)
				if u.linesAt != nil {
					at = u.linesAt[i]
				}
				switch {
				case job.packed == nil || !job.packed.isPacked(i):
					if at != 0 {
						t.Fatalf("round %d, pass %d: candidate %d is not packed, but its lines are at %d", round, pass, i, at)
					}
				case !reflect.DeepEqual(job.packed.linesAt(int(at), got[i].LineStart), want[i].Lines):
					t.Fatalf("round %d, pass %d: the lines at %d are not candidate %d's", round, pass, at, i)
				}
			}
		}
	}
}

// TestPackedRecordSize: a packed candidate takes a few bytes besides its
// fingerprint, and a byte or two a line: what lets a large build keep
// hundreds of thousands of them.
func TestPackedRecordSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		lines func(start int) []int
		max   int // bytes per candidate
	}{
		{"no lines", func(int) []int { return nil }, 16},
		{"its own line", func(start int) []int { return []int{start} }, 17},
		{"ten lines close by", tenLines(3), 26},
		{"ten lines far apart", tenLines(1000), 36},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			const n = 1000
			job := JobResult{}
			for i := range n {
				start := 100_000 + 7*i
				c := Candidate{Fingerprint: fingerprintString(uint64(i) * 0x9e3779b97f4a7c15), Rule: "error-word",
					Category: CategoryError, Severity: SeverityError, Score: 0.4, LineStart: start, LineEnd: start,
					Occurrences: max(1, len(tt.lines(start))), Lines: tt.lines(start)}
				c.dropShown()
				job.Candidates = append(job.Candidates, c)
			}
			var kinds candidateKinds
			packCandidates(&job, &kinds, nil)
			if job.packed == nil || job.packed.count != n {
				t.Fatal("the candidates were not packed")
			}
			if got := len(job.packed.data) / n; got > tt.max {
				t.Errorf("%d bytes a candidate, want at most %d", got, tt.max)
			}
		})
	}
}

// tenLines returns ten lines from start, step apart.
func tenLines(step int) func(start int) []int {
	return func(start int) []int {
		var l []int
		for i := range 10 {
			l = append(l, start+step*i)
		}
		return l
	}
}
