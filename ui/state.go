package ui

import (
	"sort"
	"strings"
	"time"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/render"
)

// Phase is where the analysis shown is.
type Phase int

// Phases, in the order an analysis goes through them.
const (
	// PhaseStarting: nothing received yet (the build is being read).
	PhaseStarting Phase = iota
	// PhaseFetching: job logs are being fetched and analyzed.
	PhaseFetching
	// PhaseDone: the analysis completed.
	PhaseDone
	// PhaseFailed: the analysis failed; Err says why.
	PhaseFailed
)

// Filter selects which findings the list shows.
type Filter int

// Filters, in the order the filter key cycles through them.
const (
	FilterAll Filter = iota
	FilterFailedJobs
	FilterErrors
	filterCount
)

// String names the filter as the header shows it.
func (f Filter) String() string {
	switch f {
	case FilterFailedJobs:
		return "failed jobs"
	case FilterErrors:
		return "errors"
	}
	return "all"
}

// SortOrder orders the findings list.
type SortOrder int

// Sort orders, in the order the sort key cycles through them.
const (
	// SortConfidence: best first (the report's rank).
	SortConfidence SortOrder = iota
	// SortLogOrder: by job, in the build's order, then by line.
	SortLogOrder
	// SortJob: by job name, then best first.
	SortJob
	sortCount
)

// String names the sort order as the header shows it.
func (o SortOrder) String() string {
	switch o {
	case SortLogOrder:
		return "log order"
	case SortJob:
		return "job"
	}
	return "confidence"
}

// Pane is the part of the screen the movement keys act on.
type Pane int

// Panes.
const (
	PaneList Pane = iota
	PaneDetail
)

// State is everything the screen shows: the report so far, the progress,
// the search text, filter, sort order, selection and focus. It changes only
// through its methods and is not safe for concurrent use: the UI touches it
// on the event loop only.
//
// The selection follows a finding (by fingerprint), not a row: when a
// Snapshot re-sorts the list, the finding the user is reading stays
// selected.
type State struct {
	report     analysis.Report
	progress   Progress
	phase      Phase
	err        error
	finishedAt time.Time

	search string
	filter Filter
	sort   SortOrder
	focus  Pane

	visible  []int // indexes into report.Findings, filtered and sorted
	cursor   int   // index into visible
	selected string
	message  string
	waiting  string
}

// NewState returns the state of an analysis that has not sent anything yet.
func NewState() *State {
	return &State{}
}

// Apply applies ev.
func (s *State) Apply(ev Event) {
	ev.apply(s)
}

// applySnapshot takes the report in, cleaned: names, reasons, notes and
// log lines come from API answers, saved files and logs, and this is where
// they enter the UI. The widgets draw what the state holds as it is. A
// line the analyzer cut at its cap ends with render.CutMarker.
func (s *State) applySnapshot(e Snapshot) {
	s.report = render.SanitizeReport(e.Report, clean)
	s.progress = e.Progress
	if s.phase == PhaseStarting {
		s.phase = PhaseFetching
	}
	s.refresh()
}

func (s *State) applyFinished(e Finished) {
	if s.phase == PhaseDone || s.phase == PhaseFailed {
		return
	}
	s.finishedAt = e.At
	if e.Err != nil {
		s.phase, s.err = PhaseFailed, e.Err
		return
	}
	s.phase = PhaseDone
}

// Report returns the report so far.
func (s *State) Report() analysis.Report { return s.report }

// Progress returns the progress so far.
func (s *State) Progress() Progress { return s.progress }

// Phase returns where the analysis is.
func (s *State) Phase() Phase { return s.phase }

// Err returns why the analysis failed (nil unless PhaseFailed).
func (s *State) Err() error { return s.err }

// FinishedAt returns when the analysis ended (zero: running, or unknown).
func (s *State) FinishedAt() time.Time { return s.finishedAt }

// Search returns the search text.
func (s *State) Search() string { return s.search }

// Filter returns the filter.
func (s *State) Filter() Filter { return s.filter }

// Sort returns the sort order.
func (s *State) Sort() SortOrder { return s.sort }

// Focus returns the pane the movement keys act on.
func (s *State) Focus() Pane { return s.focus }

// Waiting returns what the analysis waits for ("" nothing), while it runs.
func (s *State) Waiting() string {
	if s.phase == PhaseDone || s.phase == PhaseFailed {
		return ""
	}
	return s.waiting
}

// Message returns the status message a key left ("" none).
func (s *State) Message() string { return s.message }

// SetMessage sets the status message ("" clears it).
func (s *State) SetMessage(m string) { s.message = m }

// SetFocus moves the focus to p. The detail pane takes the focus only when
// a finding is selected.
func (s *State) SetFocus(p Pane) {
	if p == PaneDetail && len(s.visible) == 0 {
		return
	}
	s.focus = p
}

// Visible returns the findings the list shows, in its order.
func (s *State) Visible() []analysis.Finding {
	out := make([]analysis.Finding, len(s.visible))
	for i, fi := range s.visible {
		out[i] = s.report.Findings[fi]
	}
	return out
}

// VisibleCount returns how many findings the list shows.
func (s *State) VisibleCount() int { return len(s.visible) }

// VisibleAt returns the i-th finding the list shows.
func (s *State) VisibleAt(i int) *analysis.Finding {
	return &s.report.Findings[s.visible[i]]
}

// Cursor returns the selected row of the list (0 when it is empty).
func (s *State) Cursor() int { return s.cursor }

// Selected returns the selected finding, or nil when the list is empty.
func (s *State) Selected() *analysis.Finding {
	if len(s.visible) == 0 {
		return nil
	}
	return s.VisibleAt(s.cursor)
}

// Move moves the selection by n rows (negative: up), stopping at the ends.
func (s *State) Move(n int) { s.selectRow(s.cursor + n) }

// First selects the first row.
func (s *State) First() { s.selectRow(0) }

// Last selects the last row.
func (s *State) Last() { s.selectRow(len(s.visible) - 1) }

func (s *State) selectRow(i int) {
	if len(s.visible) == 0 {
		s.cursor, s.selected = 0, ""
		return
	}
	s.cursor = max(0, min(i, len(s.visible)-1))
	s.selected = s.VisibleAt(s.cursor).Fingerprint
}

// SetSearch shows only the findings whose message, lines, job, step or
// category contain text (case-insensitive; "" shows all).
func (s *State) SetSearch(text string) {
	s.search = text
	s.refresh()
}

// SetFilter shows the findings f selects.
func (s *State) SetFilter(f Filter) {
	s.filter = f
	s.refresh()
}

// CycleFilter switches to the next filter.
func (s *State) CycleFilter() {
	s.filter = (s.filter + 1) % filterCount
	s.refresh()
}

// CycleSort switches to the next sort order.
func (s *State) CycleSort() {
	s.sort = (s.sort + 1) % sortCount
	s.refresh()
}

// JobURL returns the web URL of the finding's job: the finding's own URL
// (with a line anchor) when it has one, else the job's.
func (s *State) JobURL(f *analysis.Finding) string {
	if f.URL != "" {
		return f.URL
	}
	for _, j := range s.report.Jobs {
		if j.ID == f.JobID {
			return j.URL
		}
	}
	return ""
}

// JobErrors returns the jobs whose logs could not be analyzed.
func (s *State) JobErrors() []analysis.JobSummary {
	var out []analysis.JobSummary
	for _, j := range s.report.Jobs {
		if j.Error != "" {
			out = append(out, j)
		}
	}
	return out
}

// refresh recomputes the visible rows and puts the cursor back on the
// selected finding, or as near to where it was as the list allows.
func (s *State) refresh() {
	s.visible = s.visible[:0]
	needle := strings.ToLower(s.search)
	for i := range s.report.Findings {
		f := &s.report.Findings[i]
		if s.keep(f) && matches(f, needle) {
			s.visible = append(s.visible, i)
		}
	}
	s.sortVisible()
	if len(s.visible) == 0 {
		s.cursor = 0
		s.focus = PaneList
		return
	}
	if s.selected != "" {
		for row, fi := range s.visible {
			if s.report.Findings[fi].Fingerprint == s.selected {
				s.cursor = row
				return
			}
		}
	}
	s.selectRow(s.cursor)
}

func (s *State) keep(f *analysis.Finding) bool {
	switch s.filter {
	case FilterErrors:
		return f.Severity == analysis.SeverityError
	case FilterFailedJobs:
		return s.fromFailedJob(f)
	}
	return true
}

// fromFailedJob reports whether f occurred in a job that failed.
func (s *State) fromFailedJob(f *analysis.Finding) bool {
	for _, j := range f.Jobs {
		if j.Failed {
			return true
		}
	}
	if len(f.Jobs) > 0 {
		return false
	}
	for _, j := range s.report.Jobs {
		if j.ID == f.JobID {
			return j.Failed
		}
	}
	return true // a job the report does not list: do not hide what we cannot judge
}

func matches(f *analysis.Finding, needle string) bool {
	if needle == "" {
		return true
	}
	has := func(s string) bool { return strings.Contains(strings.ToLower(s), needle) }
	if has(f.Message) || has(f.JobName) || has(f.Step) || has(f.Category) {
		return true
	}
	for _, t := range f.Text {
		if has(t) {
			return true
		}
	}
	return false
}

func (s *State) sortVisible() {
	fs := s.report.Findings
	switch s.sort {
	case SortLogOrder:
		jobIndex := map[string]int{}
		for i, j := range s.report.Jobs {
			jobIndex[j.ID] = i
		}
		sort.SliceStable(s.visible, func(a, b int) bool {
			fa, fb := &fs[s.visible[a]], &fs[s.visible[b]]
			if ja, jb := jobIndex[fa.JobID], jobIndex[fb.JobID]; ja != jb {
				return ja < jb
			}
			return fa.LineStart < fb.LineStart
		})
	case SortJob:
		sort.SliceStable(s.visible, func(a, b int) bool {
			return fs[s.visible[a]].JobName < fs[s.visible[b]].JobName
		})
	}
	// SortConfidence: the report's own order, best first.
}
