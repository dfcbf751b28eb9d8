package analysis

import (
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
)

func TestRankedSections(t *testing.T) {
	secs := []Section{
		{Line: 1, Title: "Set up job", Kind: "step"},
		{Line: 5, Title: "deps", Kind: "group"},
		{Line: 9, Title: "Maven", Kind: "success"},
		{Line: 10, Title: "Run tests", Kind: "step"},
		{Line: 12, Title: "unit", Kind: "group"},
		{Line: 20, Title: "integration", Kind: "group"},
		{Line: 25, Title: "Maven", Kind: "success"},
		{Line: 30, Title: "integration", Kind: "reopen"},
		{Line: 31, Title: "integration", Kind: "reopen"},
		{Line: 40, Title: "Post job", Kind: "step"},
		{Line: 45, Title: "Maven", Kind: "success"},
	}
	tests := []struct {
		name  string
		lines []int // the candidates' first lines
		want  []int // the lines of the sections kept
	}{
		{"no candidates", nil, []int{30, 10, 20, 45}},
		{"one in a group", []int{14}, []int{9, 10, 12, 20, 30, 45}},
		{"after a success", []int{26}, []int{10, 20, 25, 30, 45}},
		{"on the success's line", []int{25}, []int{9, 10, 20, 30, 45}},
		{"before any section", []int{0}, []int{10, 20, 30, 45}},
		{"in a later step", []int{41}, []int{25, 30, 10, 20, 40, 45}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := &JobResult{Sections: secs}
			for _, l := range tt.lines {
				res.Candidates = append(res.Candidates, Candidate{LineStart: l, LineEnd: l})
			}
			got := map[int]bool{}
			for _, s := range RankedSections(res) {
				got[s.Line] = true
			}
			want := map[int]bool{}
			for _, l := range tt.want {
				want[l] = true
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("kept %v, want %v", got, want)
			}
		})
	}
}

// TestRankedSectionsRankTheSame: on every log at hand, alone and in builds
// of several jobs (failed and passed, one baseline), ranking and the notes
// say the same with the ranked sections as with all of them, and every
// candidate is in the same step.
func TestRankedSectionsRankTheSame(t *testing.T) {
	files := allLogFiles(t)
	var full, compact []JobResult
	fewer := 0
	for i, path := range files {
		a := NewAnalyzer(Options{})
		a.Write(readLogFile(t, path))
		res := a.Result()
		res.Job = JobSummary{ID: fmt.Sprint(i), Name: filepath.Base(path), Failed: i%5 != 3,
			FinishedAt: fmt.Sprintf("2026-01-01T00:%02d:00Z", 59-i%60), StartedAt: fmt.Sprintf("2026-01-01T00:%02d:00Z", i%60)}
		if i%7 == 0 && i > 0 {
			bb := NewBaselineBuilder() // another log as the job's passing one
			bb.Write(readLogFile(t, files[i-1]))
			bb.Flush()
			res.Baseline = bb.Baseline()
		}
		small := res
		small.Sections = RankedSections(&res)
		if len(small.Sections) < len(res.Sections) {
			fewer++
		}
		whole, ranked := newJobContext(&res), newJobContext(&small)
		if w, r := whole.regions(), ranked.regions(); w != r {
			t.Fatalf("%s: verdict, failed step and last success %v, with the ranked sections %v", path, w, r)
		}
		for ci := range res.Candidates {
			c := &res.Candidates[ci]
			if whole.stepAt(c.LineStart) != ranked.stepAt(c.LineStart) || whole.stepStart(c.LineStart) != ranked.stepStart(c.LineStart) {
				t.Fatalf("%s: line %d: step %q from %d, with the ranked sections %q from %d", path, c.LineStart,
					whole.stepAt(c.LineStart), whole.stepStart(c.LineStart), ranked.stepAt(c.LineStart), ranked.stepStart(c.LineStart))
			}
		}
		sameFindings(t, path, Rank([]JobResult{small}), Rank([]JobResult{res}))
		if !reflect.DeepEqual(CapNotes([]JobResult{small}), CapNotes([]JobResult{res})) {
			t.Errorf("%s: the notes differ", path)
		}
		full, compact = append(full, res), append(compact, small)
		if len(full) == 6 || i == len(files)-1 {
			sameFindings(t, fmt.Sprintf("build ending with %s", path), Rank(compact), Rank(full))
			full, compact = nil, nil
		}
	}
	if fewer < len(files)/4 {
		t.Errorf("only %d of %d logs kept fewer sections", fewer, len(files))
	}
}

// regions is what a jobContext found out of the sections.
func (ctx *jobContext) regions() [4]int {
	return [4]int{ctx.verdict, ctx.regionStart, ctx.regionEnd, ctx.lastSuccess}
}
