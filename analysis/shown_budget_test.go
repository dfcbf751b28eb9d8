package analysis

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/destill-dev/destill/analysis/analysistest"
)

// budgetBuild analyzes jobs logs of distinct error lines (some shared by
// every job, some in blocks of adjacent lines) and returns their results.
func budgetBuild(t *testing.T, jobs, perJob int) []JobResult {
	t.Helper()
	var out []JobResult
	for j := range jobs {
		var b strings.Builder
		for i := range perJob {
			if i%40 == 0 {
				fmt.Fprintf(&b, "--- :hammer: stage %d\n", i/40) // a Buildkite group
			}
			fmt.Fprintf(&b, "step %d of the build\n", i)
			switch {
			case i%10 == 0:
				fmt.Fprintf(&b, "FATAL: shared %s failure\n", words(i))
			case i%7 == 0:
				fmt.Fprintf(&b, "error: first of %s %s\nerror: second of %s %s\n", words(j), words(i), words(j), words(i))
			default:
				fmt.Fprintf(&b, "error: cannot frob %s in %s\n", words(i), words(j))
			}
		}
		b.WriteString("Process completed with exit code 1.\n")
		a := NewAnalyzer(Options{})
		a.Write([]byte(b.String()))
		res := a.Result()
		res.Job = JobSummary{ID: fmt.Sprintf("job-%02d", j), Name: fmt.Sprintf("shard %d", j), Failed: true}
		out = append(out, res)
	}
	return out
}

// words spells n with letters only, so that each n makes another
// fingerprint.
func words(n int) string {
	s := ""
	for n > 0 || s == "" {
		s += string(rune('a' + n%26))
		n /= 26
	}
	return s
}

// budgeted copies results and passes them through a ShownBudget in the
// given order.
func budgeted(results []JobResult, order []int) ([]JobResult, *ShownBudget) {
	out := make([]JobResult, len(results))
	copy(out, results)
	var b ShownBudget
	for _, i := range order {
		b.Keep(&out[i])
	}
	return out, &b
}

func TestShownBudgetBoundsAndKeepsTheTop(t *testing.T) {
	t.Parallel()
	results := budgetBuild(t, 8, 1400)
	total := 0
	for _, r := range results {
		total += len(r.Candidates)
	}
	if total < 2*MaxShownCandidates {
		t.Fatalf("only %d candidates: the test needs more than the budget", total)
	}
	want := Rank(results)

	forward := []int{0, 1, 2, 3, 4, 5, 6, 7}
	backward := []int{7, 6, 5, 4, 3, 2, 1, 0}
	got1, b1 := budgeted(results, forward)
	got2, b2 := budgeted(results, backward)

	kept, dropped, left := 0, 0, 0
	for _, r := range got1 {
		left += len(r.Candidates)
		for _, c := range r.Candidates {
			if !c.shownDropped {
				kept++
			} else if c.Text != nil || c.ContextBefore != nil || c.ContextAfter != nil {
				t.Fatalf("%s: dropped but still holds its lines", c.Message)
			} else {
				dropped++
			}
		}
	}
	if kept > MaxShownCandidates || kept < MaxShownCandidates/2 {
		t.Errorf("%d candidates keep their lines, want at most %d and not far fewer", kept, MaxShownCandidates)
	}
	// Tails took in the generic lines inside them, as ranking does; the
	// count of lines not listed includes those of dropped groups.
	absorbed := total - left
	if absorbed == 0 {
		t.Error("no tail took in a line: the test should cover it")
	}
	if b1.Dropped() < dropped || b1.Dropped() > dropped+absorbed || b1.Dropped() != b2.Dropped() {
		t.Errorf("dropped %d and %d (orders), want %d to %d", b1.Dropped(), b2.Dropped(), dropped, dropped+absorbed)
	}

	// Ranking leaves out the candidates that can change no finding, and
	// that changes nothing.
	all, _, _, _ := scoreCandidates(got1, false)
	some, _, _, _ := scoreCandidates(got1, true)
	if n, m := scoredCount(all), scoredCount(some); m >= n/2 || m < kept {
		t.Errorf("ranking scored %d of %d candidates (%d keep their lines): it should leave out most of the others", m, n, kept)
	}
	if !reflect.DeepEqual(rank(got1, true), rank(got1, false)) {
		t.Fatal("leaving out the candidates that can make no finding changed the findings")
	}
	// The order the jobs finish in changes nothing.
	f1, f2 := Rank(got1), Rank(got2)
	if !reflect.DeepEqual(f1, f2) {
		t.Fatal("the findings depend on the order the jobs were kept in")
	}
	// The findings kept are the top of those without a budget.
	if len(f1) == 0 || len(f1) >= len(want) {
		t.Fatalf("%d findings with the budget, %d without", len(f1), len(want))
	}
	for i := range min(200, len(f1)) {
		if !reflect.DeepEqual(f1[i], want[i]) {
			t.Fatalf("finding %d differs with the budget:\n got %s %q\nwant %s %q", i+1, f1[i].Fingerprint, f1[i].Message, want[i].Fingerprint, want[i].Message)
		}
	}
	// The results given were not changed: a caller's copy keeps its lines.
	for _, r := range results {
		for _, c := range r.Candidates {
			if c.shownDropped || c.Text == nil {
				t.Fatal("Keep changed the candidates of the result it was given a copy of")
			}
		}
	}
}

func TestShownBudgetKeepsSmallBuildsWhole(t *testing.T) {
	t.Parallel()
	results := budgetBuild(t, 3, 100)
	got, b := budgeted(results, []int{2, 0, 1})
	if b.Dropped() != 0 {
		t.Fatalf("%d candidates dropped in a build under the budget", b.Dropped())
	}
	if !reflect.DeepEqual(Rank(got), Rank(results)) {
		t.Fatal("the budget changed the findings of a build under it")
	}
}

// TestShownBudgetForgetsMessagesAndRanksTheSame: once told to, the budget
// forgets the messages of the candidates that lost their lines, whether
// they lost them before or after, and packs them, and ranking does not
// change: it reads their novelty against the job's baseline, which the
// budget kept, and unpacks them.
func TestShownBudgetForgetsMessagesAndRanksTheSame(t *testing.T) {
	t.Parallel()
	results := budgetBuild(t, 8, 1400)
	// Baselines that hold some of each job's lines, so that messages are
	// known, new and in between.
	for j := range results {
		if j%3 == 2 {
			continue // and a job without one
		}
		bb := NewBaselineBuilder()
		for i := range 1400 {
			if j%3 == 1 {
				fmt.Fprintf(bb, "npm WARN deprecated package %s@%d: use another\n", words(i), i)
				continue // nothing like the job's lines: they are new
			}
			if i%3 == 0 {
				fmt.Fprintf(bb, "error: cannot frob %s in %s\n", words(i), words(j))
			}
			if i%5 == 0 {
				fmt.Fprintf(bb, "error: cannot frob %s in %s\n", words(i+1), words(j+1))
			}
		}
		bb.Flush()
		results[j].Baseline = bb.Baseline()
	}
	// Times and a passed job, so that the build-wide adjustments (first
	// failure, jobs after it, passed jobs) apply to packed candidates too.
	start := time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)
	for j := range results {
		results[j].Job.StartedAt = start.Add(time.Duration(j) * 10 * time.Minute).Format(time.RFC3339)
		results[j].Job.FinishedAt = start.Add(time.Duration(j)*10*time.Minute + 5*time.Minute).Format(time.RFC3339)
	}
	results[5].Job.Failed = false
	order := []int{3, 0, 7, 1, 6, 2, 5, 4}
	keepAll, _ := budgeted(results, order)
	want := Rank(keepAll)
	for _, reason := range []string{"first-failure", "after-first-failure", "job-passed"} {
		if !slices.ContainsFunc(want, func(f Finding) bool { return slices.Contains(f.Reasons, reason) }) {
			t.Fatalf("no finding says %s: the test should cover it", reason)
		}
	}

	for _, forgetAfter := range []int{0, 3, len(order)} {
		for _, spilled := range []bool{false, true} {
			t.Run(fmt.Sprintf("forget after %d jobs, spilled %v", forgetAfter, spilled), func(t *testing.T) {
				forgetAndRank(t, results, order, keepAll, want, forgetAfter, spilled)
			})
		}
	}
}

// forgetAndRank keeps results in order in a budget told to forget
// messages after forgetAfter jobs, its packed candidates spilled to a
// MemSpill when spilled is set, and checks that the candidates lost their
// messages as they should and that ranking finds want, as it does for
// keepAll, the same jobs whose messages are kept.
func forgetAndRank(t *testing.T, results []JobResult, order []int, keepAll []JobResult, want []Finding, forgetAfter int, spilled bool) {
	t.Helper()
	got := make([]JobResult, len(results))
	copy(got, results)
	var b ShownBudget
	sp := &analysistest.MemSpill{}
	if spilled {
		b.SpillTo(sp)
		b.spill.minWaste = 0 // compact as soon as half of it is left behind
	}
	for n, i := range order {
		if n == forgetAfter {
			b.ForgetMessages()
		}
		b.Keep(&got[i])
		if spilled {
			got[i].Sections = RankedSections(&got[i])
			b.PackSections(&got[i])
		}
	}
	if forgetAfter == len(order) {
		b.ForgetMessages()
	}
	forgotten, classified := 0, map[noveltyClass]int{}
	for _, r := range got {
		for _, c := range r.Candidates {
			if c.shownDropped {
				t.Fatal("a candidate that lost its lines and message was not packed")
			}
		}
		for _, c := range r.allCandidates() {
			switch {
			case c.shownDropped && c.Message != "":
				t.Fatalf("a candidate that lost its lines keeps its message %q", c.Message)
			case !c.shownDropped && c.Message == "":
				t.Fatal("a candidate that keeps its lines lost its message")
			case c.shownDropped:
				forgotten++
				classified[c.novelty]++
			}
		}
	}
	if forgotten < MaxShownCandidates/2 || classified[noveltyKnown] == 0 || classified[noveltyNew] == 0 || classified[noveltyUnknown] == 0 {
		t.Fatalf("%d messages forgotten, novelty %v: the test should cover known, new and no baseline", forgotten, classified)
	}
	// Every candidate scores as it did with its message.
	for j := range got {
		var u unpacker
		with, without := newJobContext(&keepAll[j]), newJobContext(u.job(&got[j]))
		all := without.job
		for i := range all.Candidates {
			s1, _ := with.score(i, false)
			s2, _ := without.score(i, false)
			if s1 != s2 || with.strong(i) != without.strong(i) {
				t.Fatalf("job %d, candidate %d: scores %v (strong %v) with its message, %v (%v) without",
					j, i, s1, with.strong(i), s2, without.strong(i))
			}
		}
	}
	if !reflect.DeepEqual(Rank(got), want) {
		t.Fatal("forgetting the messages changed the findings")
	}
	if !reflect.DeepEqual(rank(got, false), want) {
		t.Fatal("leaving out the candidates that can make no finding changed the findings")
	}
	checkSpilled(t, got, sp, spilled)
	if err := b.Err(); err != nil {
		t.Fatal(err)
	}
	// Forgetting after the last job packs each job once, and leaves nothing behind.
	repacked := forgetAfter < len(order)
	if spilled && (repacked && sp.Truncated == 0 || int64(len(sp.Data)) > 2*b.spill.live) {
		t.Fatalf("compacted %d times, to %d bytes, of which jobs read %d: it should be compacted to at most twice that",
			sp.Truncated, len(sp.Data), b.spill.live)
	}
}

// checkSpilled checks that the packed candidates of jobs are all in sp,
// and none in memory, when spilled is set, and the other way round when
// not.
func checkSpilled(t *testing.T, jobs []JobResult, sp *analysistest.MemSpill, spilled bool) {
	t.Helper()
	packed := 0
	for _, r := range jobs {
		p := r.packed
		if p == nil {
			continue
		}
		packed++
		if inSpill := p.spill != nil && p.data == nil && p.size > 0; inSpill != spilled {
			t.Fatalf("job %s: packed records in the spill: %v, want %v", r.Job.ID, inSpill, spilled)
		}
	}
	if packed == 0 {
		t.Fatal("no job has packed candidates: the test should cover them")
	}
	for _, r := range jobs {
		if inSpill := r.sections != nil && r.Sections == nil; inSpill != spilled {
			t.Fatalf("job %s: sections in the spill: %v, want %v", r.Job.ID, inSpill, spilled)
		}
	}
	if wrote := len(sp.Data) > 0; wrote != spilled {
		t.Fatalf("%d bytes written to the spill, spilled %v", len(sp.Data), spilled)
	}
}

func scoredCount(byJob [][]scored) int {
	n := 0
	for _, l := range byJob {
		n += len(l)
	}
	return n
}

// TestUnshownRuns: ranking leaves out a run of adjacent candidates only
// when none of them kept its lines or has a fingerprint one that kept its
// lines has: an event joins its lines under its best line's fingerprint,
// so one shown fingerprint in a run keeps the whole run.
func TestUnshownRuns(t *testing.T) {
	t.Parallel()
	shown := map[string]bool{"s": true}
	c := func(from, to int, fp string, dropped bool) Candidate {
		return Candidate{LineStart: from, LineEnd: to, Fingerprint: fp, shownDropped: dropped}
	}
	tests := []struct {
		name  string
		cands []Candidate
		skip  []bool // nil: none
	}{
		{"all kept", []Candidate{c(1, 1, "a", false), c(5, 5, "b", false)}, nil},
		{"lone dropped lines", []Candidate{c(1, 1, "a", true), c(5, 5, "b", true)}, []bool{true, true}},
		{"a dropped line with a shown fingerprint", []Candidate{c(1, 1, "s", true), c(5, 5, "b", true)}, []bool{false, true}},
		{"an event with a shown fingerprint in it", []Candidate{c(10, 10, "a", true), c(11, 12, "s", true), c(13, 13, "b", true), c(20, 20, "c", true)},
			[]bool{false, false, false, true}},
		{"an event beside a kept line", []Candidate{c(10, 10, "a", true), c(11, 11, "b", false)}, nil},
		{"out of order, overlapping", []Candidate{c(14, 14, "b", true), c(10, 13, "s", true), c(30, 30, "c", true)}, []bool{false, false, true}},
		{"test reports (no line) stand alone", []Candidate{c(0, 0, "s", true), c(0, 0, "a", true), c(1, 1, "b", true)}, []bool{false, true, true}},
	}
	for _, tt := range tests {
		if got := unshownRuns(tt.cands, shown); !reflect.DeepEqual(got, tt.skip) {
			t.Errorf("%s: skip %v, want %v", tt.name, got, tt.skip)
		}
	}
}

// TestShownBudgetSpillFailures: when writing to the spill fails, the
// budget keeps the records packed from then on in memory, says why, and
// ranking finds the same; when reading it back fails, ranking neither
// panics nor hangs, and Err says what failed.
func TestShownBudgetSpillFailures(t *testing.T) {
	t.Parallel()
	results := budgetBuild(t, 6, 1400)
	order := []int{2, 0, 5, 1, 4, 3}
	keep := func(sp Spill) ([]JobResult, *ShownBudget) {
		got := make([]JobResult, len(results))
		copy(got, results)
		var b ShownBudget
		if sp != nil {
			b.SpillTo(sp)
		}
		b.ForgetMessages()
		for _, i := range order {
			b.Keep(&got[i])
		}
		return got, &b
	}
	inMemory, _ := keep(nil)
	want := Rank(inMemory)

	t.Run("write", func(t *testing.T) {
		t.Parallel()
		whole := &analysistest.MemSpill{}
		keep(whole)
		sp := &analysistest.MemSpill{Room: len(whole.Data) - whole.Last} // the last write fails
		got, b := keep(sp)
		if b.SpillErr() == nil || !strings.Contains(b.SpillErr().Error(), "no space left") {
			t.Fatalf("SpillErr() = %v, want the write's error", b.SpillErr())
		}
		spilled, kept := 0, 0
		for _, r := range got {
			switch p := r.packed; {
			case p == nil:
			case p.spill != nil:
				spilled++
			case p.data != nil:
				kept++
			}
		}
		if spilled == 0 || kept == 0 {
			t.Fatalf("%d jobs' records spilled, %d kept in memory: the test should have both", spilled, kept)
		}
		if !reflect.DeepEqual(Rank(got), want) {
			t.Fatal("a failed write changed the findings")
		}
		if b.Err() != nil {
			t.Fatalf("Err() = %v after a failed write, which loses nothing", b.Err())
		}
	})
	t.Run("read", func(t *testing.T) {
		t.Parallel()
		sp := &analysistest.MemSpill{}
		got, b := keep(sp)
		if len(sp.Data) == 0 {
			t.Fatal("nothing was spilled: the test should read some back")
		}
		sp.FailReads = true
		Rank(got)
		for i := range got {
			RankedSections(&got[i])
		}
		if err := b.Err(); err == nil || !strings.Contains(err.Error(), "input/output error") {
			t.Fatalf("Err() = %v, want the read's error", err)
		}
	})
}

// TestPackSectionsRanksTheSame: a build whose jobs' sections went to the
// spill ranks as it does with them in memory, whether or not the job
// also had candidates packed, and CapNotes says the same.
func TestPackSectionsRanksTheSame(t *testing.T) {
	t.Parallel()
	results := budgetBuild(t, 5, 1400)
	// Small jobs, after large ones, none of whose candidates is packed
	// though some lose their lines: ranking must not read them as a large
	// job's unpacked list.
	for j := range 3 {
		var b strings.Builder
		for i := range 300 {
			if i%30 == 0 {
				fmt.Fprintf(&b, "--- :test_tube: part %d\n", i)
			}
			fmt.Fprintf(&b, "step %d of the build\n", i)
			if i%10 != 0 && i%7 != 0 {
				fmt.Fprintf(&b, "error: cannot frob %s in %s\n", words(i), words(0)) // as the first large job
			}
		}
		b.WriteString("Process completed with exit code 1.\n")
		a := NewAnalyzer(Options{})
		a.Write([]byte(b.String()))
		res := a.Result()
		res.Job = JobSummary{ID: fmt.Sprintf("small-%d", j), Name: fmt.Sprintf("small %d", j), Failed: true}
		for i := range res.Candidates {
			// As if a test report named them: those that lose their lines
			// are not packed.
			res.Candidates[i].Test = &TestCase{Name: fmt.Sprintf("TestFrob%d", i)}
		}
		results = append(results, res)
	}
	for _, forget := range []bool{false, true} {
		t.Run(fmt.Sprintf("forget messages %v", forget), func(t *testing.T) {
			t.Parallel()
			packSectionsAndRank(t, results, forget)
		})
	}
}

// packSectionsAndRank keeps results in a budget with a spill, forgetting
// the messages of the candidates that lost their lines (and so packing
// them) when forget is set, and checks that packing the jobs' sections too
// changes neither the findings nor the notes.
func packSectionsAndRank(t *testing.T, results []JobResult, forget bool) {
	keep := func(packSections bool) ([]JobResult, *ShownBudget) {
		got := make([]JobResult, len(results))
		copy(got, results)
		var b ShownBudget
		b.SpillTo(&analysistest.MemSpill{})
		if forget {
			b.ForgetMessages()
		}
		for i := range got {
			b.Keep(&got[i])
			got[i].Sections = RankedSections(&got[i])
			if packSections {
				b.PackSections(&got[i])
			}
		}
		return got, &b
	}
	inMemory, _ := keep(false)
	want := Rank(inMemory)
	got, b := keep(true)
	for _, r := range got {
		if r.Sections != nil || r.sections == nil {
			t.Fatalf("job %s: its sections were not packed", r.Job.ID)
		}
	}
	if small := got[len(got)-1]; small.packed != nil {
		t.Fatal("a small job had candidates packed: the test should have one without")
	}
	dropped := 0
	for _, c := range got[len(got)-1].Candidates {
		if c.shownDropped {
			dropped++
		}
	}
	if dropped == 0 {
		t.Fatal("no candidate of the small job lost its lines: the test should have some, unpacked")
	}
	if !reflect.DeepEqual(Rank(got), want) {
		t.Fatal("packing the sections changed the findings")
	}
	if !reflect.DeepEqual(CapNotes(got), CapNotes(inMemory)) {
		t.Fatal("packing the sections changed the notes")
	}
	if err := b.Err(); err != nil {
		t.Fatal(err)
	}
}
