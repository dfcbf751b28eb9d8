package analysis

import (
	"fmt"
	"math/rand"
	"sort"
	"testing"
)

// TestSectionIndex holds the binary search to a walk over the sections,
// on sorted and unsorted sections, with steps whose title is empty.
func TestSectionIndex(t *testing.T) {
	t.Parallel()
	walk := func(sections []Section, line int) (int, string) {
		start, step, group := 1, "", ""
		for _, s := range sections {
			if s.Line > line {
				break
			}
			switch s.Kind {
			case "step":
				start, step = s.Line, s.Title
			case "group":
				group = s.Title
			}
		}
		if step != "" {
			return start, step
		}
		return start, group
	}
	rng := rand.New(rand.NewSource(1))
	kinds := []string{"step", "group", "reopen", "success"}
	for round := range 300 {
		var sections []Section
		for i := range rng.Intn(40) {
			title := fmt.Sprintf("s%d", i)
			if rng.Intn(6) == 0 {
				title = ""
			}
			sections = append(sections, Section{Line: 1 + rng.Intn(200), Title: title, Kind: kinds[rng.Intn(len(kinds))]})
		}
		if round%3 != 0 {
			sort.SliceStable(sections, func(a, b int) bool { return sections[a].Line < sections[b].Line })
		}
		x := newSectionIndex(sections)
		for line := 0; line <= 210; line++ {
			start, title := walk(sections, line)
			if got := x.stepStart(line); got != start {
				t.Fatalf("stepStart(%d) = %d, want %d; sections %v", line, got, start, sections)
			}
			if got := x.stepAt(line); got != title {
				t.Fatalf("stepAt(%d) = %q, want %q; sections %v", line, got, title, sections)
			}
		}
	}
}
