package app

import (
	"sync"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/pipeline"
	"github.com/destill-dev/destill/ui"
)

// uiFeed adapts an analysis to the UI's Feed: pipeline.Run's updates become
// Snapshots, provider messages (a rate-limit wait) Notices. Neither ever
// blocks; the Feed keeps only the newest Snapshot the UI has not shown.
type uiFeed struct {
	*ui.Feed
	// first is closed by the first update.
	first     chan struct{}
	firstOnce sync.Once

	// waits shows in the status bar what a provider has not answered yet.
	waits *waits

	mu     sync.Mutex
	divert func(string) // when set, notices go here instead (no UI)
	// last is the pipeline's last update; preview the findings ranked from
	// the part of a log read so far, shown until a job is analyzed.
	last    *pipeline.Update
	preview []analysis.Finding
}

func newUIFeed() *uiFeed {
	f := &uiFeed{Feed: ui.NewFeed(), first: make(chan struct{})}
	f.waits = newWaits(f.Wait)
	return f
}

// update is pipeline.Run's onUpdate.
func (f *uiFeed) update(u pipeline.Update) {
	f.mu.Lock()
	f.last = &u
	f.Snapshot(snapshotEvent(f.withPreviewLocked(u)))
	f.mu.Unlock()
	f.firstOnce.Do(func() { close(f.first) })
}

// showPreview shows findings ranked from what a log has brought so far,
// until the pipeline has analyzed a job: it reports false once it has,
// and previews are then of no use.
func (f *uiFeed) showPreview(findings []analysis.Finding) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.last != nil && (f.last.Done || f.last.JobsAnalyzed > 0) {
		return false
	}
	f.preview = findings
	if f.last != nil {
		f.Snapshot(snapshotEvent(f.withPreviewLocked(*f.last)))
	}
	return true
}

// withPreviewLocked puts the preview's findings in u while no job has been
// analyzed.
func (f *uiFeed) withPreviewLocked(u pipeline.Update) pipeline.Update {
	if u.Done || u.JobsAnalyzed > 0 || len(f.preview) == 0 || len(u.Report.Findings) > 0 {
		return u
	}
	u.Report.Findings = f.preview
	u.Report.Summary.Findings = len(f.preview)
	return u
}

// previewJob is the job a preview is of: the first of the last update's.
func (f *uiFeed) previewJob() (analysis.JobSummary, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.last == nil || len(f.last.Report.Jobs) == 0 {
		return analysis.JobSummary{}, false
	}
	return f.last.Report.Jobs[0], true
}

// notify takes a message for the user from a provider.
func (f *uiFeed) notify(msg string) {
	f.mu.Lock()
	d := f.divert
	if d == nil {
		f.Notice(msg)
	}
	f.mu.Unlock()
	if d != nil {
		d(msg)
	}
}

// divertNotices sends notices to d from now on, with those the UI has not
// shown: when there is no UI to show them.
func (f *uiFeed) divertNotices(d func(string)) {
	f.mu.Lock()
	f.divert = d
	waiting := f.TakeNotices()
	f.mu.Unlock()
	for _, m := range waiting {
		d(m)
	}
}

// lastReport is the report of the last update (empty before any).
func (f *uiFeed) lastReport() analysis.Report {
	s, _ := f.Latest()
	return s.Report
}

// jobsSelected is how many jobs the last update said will be analyzed.
func (f *uiFeed) jobsSelected() int {
	s, _ := f.Latest()
	return s.Progress.JobsTotal
}

func snapshotEvent(u pipeline.Update) ui.Snapshot {
	return ui.Snapshot{
		Report: u.Report,
		Progress: ui.Progress{
			JobsTotal:    u.JobsSelected,
			JobsFetched:  u.JobsFetched,
			JobsAnalyzed: u.JobsAnalyzed,
			Bytes:        u.Bytes,
			Started:      u.Started,
		},
	}
}
