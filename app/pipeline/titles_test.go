package pipeline

import (
	"strings"
	"testing"
	"unsafe"

	"github.com/destill-dev/destill/analysis"
)

// TestTitlesIntern: equal titles of different jobs end up as one copy,
// the values do not change, and a job's full list, which others may hold,
// is not written to.
func TestTitlesIntern(t *testing.T) {
	t.Parallel()
	// Titles made at run time, as an analyzer makes them: equal text in
	// distinct memory.
	title := func(s string) string { return strings.Clone(s) }
	sections := func() []analysis.Section {
		return []analysis.Section{
			{Line: 1, Title: title("Run go test ./..."), Kind: "step"},
			{Line: 9, Title: title("[INFO] --- maven-surefire-plugin:3.2.5:test (default-test) @ api"), Kind: "group"},
			{Line: 40, Title: title("Run go test ./..."), Kind: "success"},
		}
	}
	tests := []struct {
		name   string
		shared bool // the kept sections are the job's full list
	}{
		{"a new list", false},
		{"the full list", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tl := titles{}
			first := tl.intern(sections(), nil)
			all := sections()
			kept := all[:2]
			if !tt.shared {
				kept = append([]analysis.Section(nil), all[:2]...)
			}
			before := append([]analysis.Section(nil), all...)
			got := tl.intern(kept, all)
			for i := range got {
				if got[i] != before[i] {
					t.Fatalf("section %d: %+v, want %+v", i, got[i], before[i])
				}
				if unsafe.StringData(got[i].Title) != unsafe.StringData(first[i].Title) {
					t.Errorf("section %d: title %q is a copy of its own, not the first job's", i, got[i].Title)
				}
			}
			if unsafe.StringData(first[2].Title) != unsafe.StringData(first[0].Title) {
				t.Error("one job's equal titles are two copies")
			}
			for i := range all {
				if unsafe.StringData(all[i].Title) != unsafe.StringData(before[i].Title) {
					t.Errorf("section %d of the full list was written to", i)
				}
			}
		})
	}
}
