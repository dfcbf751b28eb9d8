package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

// TestPackCandidatesUnpacksAsBefore packs the candidates of a job that
// lost their lines and messages, in rounds as a budget drops more of
// them, and checks that allCandidates gives back the job's list as it
// was, that the unpacked ones stay in order, and that packCandidates says
// where each went.
func TestPackCandidatesUnpacksAsBefore(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	rules := []candidateKind{{"go-test-fail", CategoryTestFailure, SeverityError}, {"error-word", CategoryError, SeverityError},
		{"warning", CategoryWarning, SeverityWarning}}
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
			to := packCandidates(&job)
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
		}
	}
}
