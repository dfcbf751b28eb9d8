package ui

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/analysis"
)

func fingerprints(fs []analysis.Finding) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.Fingerprint)
	}
	return out
}

func loaded() *State {
	s := NewState()
	s.Apply(Snapshot{Report: testReport(), Progress: Progress{JobsTotal: 3, JobsFetched: 3, JobsAnalyzed: 3}})
	return s
}

func TestStateFilterSearchSort(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		filters int // presses of the filter key
		sorts   int // presses of the sort key
		search  string
		want    []string
	}{
		{name: "all, by confidence", want: []string{"fp-oom", "fp-lint", "fp-timeout", "fp-deprecated", "fp-retry", "fp-long"}},
		{name: "failed jobs only", filters: 1, want: []string{"fp-oom", "fp-lint", "fp-timeout", "fp-deprecated", "fp-long"}},
		{name: "errors only", filters: 2, want: []string{"fp-oom", "fp-lint", "fp-timeout", "fp-retry"}},
		{name: "filter cycles back to all", filters: 3, want: []string{"fp-oom", "fp-lint", "fp-timeout", "fp-deprecated", "fp-retry", "fp-long"}},
		{name: "log order: jobs in build order, then line", sorts: 1, want: []string{"fp-long", "fp-timeout", "fp-oom", "fp-deprecated", "fp-lint", "fp-retry"}},
		{name: "by job name, then confidence", sorts: 2, want: []string{"fp-retry", "fp-lint", "fp-deprecated", "fp-oom", "fp-timeout", "fp-long"}},
		{name: "sort cycles back to confidence", sorts: 3, want: []string{"fp-oom", "fp-lint", "fp-timeout", "fp-deprecated", "fp-retry", "fp-long"}},
		{name: "search the message, any case", search: "MEMORY", want: []string{"fp-oom"}},
		{name: "search a line of the finding", search: "runtime stack", want: []string{"fp-oom"}},
		{name: "search the job name and category", search: "lint", want: []string{"fp-lint", "fp-deprecated"}},
		{name: "search the category", search: "network", want: []string{"fp-retry"}},
		{name: "search with filter", search: "lint", filters: 2, want: []string{"fp-lint"}},
		{name: "search, filter and sort", search: "e", filters: 1, sorts: 1, want: []string{"fp-long", "fp-timeout", "fp-oom", "fp-deprecated", "fp-lint"}},
		{name: "no match", search: "no such text", want: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := loaded()
			for range tt.filters {
				s.CycleFilter()
			}
			for range tt.sorts {
				s.CycleSort()
			}
			s.SetSearch(tt.search)
			require.Equal(t, tt.want, fingerprints(s.Visible()))
			require.Equal(t, len(tt.want), s.VisibleCount())
			if len(tt.want) == 0 {
				require.Nil(t, s.Selected())
			} else {
				require.NotNil(t, s.Selected())
			}
		})
	}
}

func TestStateFilterAndSortNames(t *testing.T) {
	t.Parallel()
	s := loaded()
	var filters, sorts []string
	for range 3 {
		filters = append(filters, s.Filter().String())
		sorts = append(sorts, s.Sort().String())
		s.CycleFilter()
		s.CycleSort()
	}
	require.Equal(t, []string{"all", "failed jobs", "errors"}, filters)
	require.Equal(t, []string{"confidence", "log order", "job"}, sorts)
}

func TestStateSelectionMoves(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		keys func(s *State)
		want string
	}{
		{name: "starts on the best finding", keys: func(s *State) {}, want: "fp-oom"},
		{name: "next", keys: func(s *State) { s.Move(1) }, want: "fp-lint"},
		{name: "previous at the top stays", keys: func(s *State) { s.Move(-1) }, want: "fp-oom"},
		{name: "past the end clamps", keys: func(s *State) { s.Move(100) }, want: "fp-long"},
		{name: "past the start clamps", keys: func(s *State) { s.Move(3); s.Move(-100) }, want: "fp-oom"},
		{name: "last", keys: func(s *State) { s.Last() }, want: "fp-long"},
		{name: "first", keys: func(s *State) { s.Last(); s.First() }, want: "fp-oom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := loaded()
			tt.keys(s)
			require.Equal(t, tt.want, s.Selected().Fingerprint)
			require.Equal(t, tt.want, s.Visible()[s.Cursor()].Fingerprint)
		})
	}
}

func TestStateSelectionOnEmptyList(t *testing.T) {
	t.Parallel()
	s := NewState()
	s.Move(1)
	s.Last()
	s.First()
	require.Nil(t, s.Selected())
	require.Equal(t, 0, s.Cursor())
	s.SetFocus(PaneDetail)
	require.Equal(t, PaneList, s.Focus(), "the detail pane takes no focus without a finding")
}

// TestStateSelectionStableUnderStreaming feeds snapshots in which findings
// arrive, re-rank and re-sort, and checks that the finding the user
// selected stays selected wherever it moves.
func TestStateSelectionStableUnderStreaming(t *testing.T) {
	t.Parallel()
	type step struct {
		snapshot []string // findings of the snapshot, best first
		move     int      // then move the selection by this
		want     string   // selected finding after the step
		wantRow  int
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{
			name: "first snapshot selects the best; later better findings do not steal it",
			steps: []step{
				{snapshot: []string{"fp-lint"}, want: "fp-lint", wantRow: 0},
				{snapshot: []string{"fp-oom", "fp-lint"}, want: "fp-lint", wantRow: 1},
				{snapshot: []string{"fp-oom", "fp-timeout", "fp-lint"}, want: "fp-lint", wantRow: 2},
			},
		},
		{
			name: "a finding the user moved to follows its row when it is re-ranked up",
			steps: []step{
				{snapshot: []string{"fp-oom", "fp-lint", "fp-timeout"}, move: 2, want: "fp-timeout", wantRow: 2},
				{snapshot: []string{"fp-timeout", "fp-oom", "fp-lint", "fp-long"}, want: "fp-timeout", wantRow: 0},
				{snapshot: []string{"fp-oom", "fp-lint", "fp-long", "fp-timeout"}, want: "fp-timeout", wantRow: 3},
			},
		},
		{
			name: "a selected finding that disappears leaves the selection on the same row",
			steps: []step{
				{snapshot: []string{"fp-oom", "fp-lint", "fp-timeout"}, move: 1, want: "fp-lint", wantRow: 1},
				{snapshot: []string{"fp-oom", "fp-timeout", "fp-long"}, want: "fp-timeout", wantRow: 1},
				{snapshot: []string{"fp-lint", "fp-oom", "fp-timeout", "fp-long"}, want: "fp-timeout", wantRow: 2},
			},
		},
		{
			name: "a shrinking list clamps the selection",
			steps: []step{
				{snapshot: []string{"fp-oom", "fp-lint", "fp-timeout"}, move: 2, want: "fp-timeout", wantRow: 2},
				{snapshot: []string{"fp-oom"}, want: "fp-oom", wantRow: 0},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := NewState()
			for i, st := range tt.steps {
				s.Apply(snapshotOf(pick(st.snapshot...), i+1))
				s.Move(st.move)
				require.Equal(t, st.want, s.Selected().Fingerprint, "step %d", i)
				require.Equal(t, st.wantRow, s.Cursor(), "step %d", i)
			}
		})
	}
}

func TestStateSelectionStableAcrossFilterSortSearch(t *testing.T) {
	t.Parallel()
	s := loaded()
	s.Move(2) // fp-timeout
	s.CycleSort()
	require.Equal(t, "fp-timeout", s.Selected().Fingerprint)
	s.CycleSort()
	require.Equal(t, "fp-timeout", s.Selected().Fingerprint)
	s.CycleFilter() // failed jobs: fp-timeout occurred in a failed job
	require.Equal(t, "fp-timeout", s.Selected().Fingerprint)
	s.SetSearch("timed out")
	require.Equal(t, "fp-timeout", s.Selected().Fingerprint)
	s.SetSearch("")
	require.Equal(t, "fp-timeout", s.Selected().Fingerprint)

	s.SetSearch("lint") // hides the selected finding: the selection moves
	require.Equal(t, "fp-deprecated", s.Selected().Fingerprint)
	s.SetFocus(PaneDetail)
	s.SetSearch("nothing matches this")
	require.Nil(t, s.Selected())
	require.Equal(t, PaneList, s.Focus(), "an empty list takes the focus back")
}

func TestStatePhases(t *testing.T) {
	t.Parallel()
	boom := errors.New("fetch build: 404 not found")
	tests := []struct {
		name    string
		events  []Event
		want    Phase
		wantErr error
	}{
		{name: "nothing yet", want: PhaseStarting},
		{name: "a snapshot", events: []Event{snapshotOf(nil, 0)}, want: PhaseFetching},
		{name: "finished", events: []Event{snapshotOf(nil, 0), Finished{At: testStart}}, want: PhaseDone},
		{name: "failed before any snapshot", events: []Event{Finished{Err: boom}}, want: PhaseFailed, wantErr: boom},
		{name: "failed after snapshots", events: []Event{snapshotOf(nil, 1), Finished{Err: boom}}, want: PhaseFailed, wantErr: boom},
		{name: "a second finish changes nothing", events: []Event{Finished{Err: boom}, Finished{}}, want: PhaseFailed, wantErr: boom},
		{name: "a snapshot after the end keeps the end", events: []Event{Finished{}, snapshotOf(nil, 1)}, want: PhaseDone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := NewState()
			for _, ev := range tt.events {
				s.Apply(ev)
			}
			require.Equal(t, tt.want, s.Phase())
			require.Equal(t, tt.wantErr, s.Err())
		})
	}
}

func TestStateJobURLAndErrors(t *testing.T) {
	t.Parallel()
	s := loaded()
	f := s.Selected()
	require.Equal(t, "https://ci.example.com/builds/42#j1/L1204", s.JobURL(f), "the finding's own line URL first")
	s.Move(1)
	require.Equal(t, "https://ci.example.com/builds/42#j2", s.JobURL(s.Selected()), "else its job's URL")
	require.Empty(t, s.JobURL(&analysis.Finding{JobID: "local"}))

	require.Empty(t, s.JobErrors())
	rep := testReport()
	rep.Jobs[1].Error = "download log: 404"
	s.Apply(Snapshot{Report: rep})
	require.Len(t, s.JobErrors(), 1)
	require.Equal(t, "lint", s.JobErrors()[0].Name)
}

func TestReportFeed(t *testing.T) {
	t.Parallel()
	s := NewState()
	events, ended := ReportFeed(testReport()).take()
	require.True(t, ended)
	for _, ev := range events {
		s.Apply(ev)
	}
	require.Equal(t, PhaseDone, s.Phase())
	require.Equal(t, 6, s.VisibleCount())
	require.Equal(t, 3, s.Progress().JobsAnalyzed)
}
