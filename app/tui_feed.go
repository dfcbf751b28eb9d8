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
}

func newUIFeed() *uiFeed {
	f := &uiFeed{Feed: ui.NewFeed(), first: make(chan struct{})}
	f.waits = newWaits(f.Wait)
	return f
}

// update is pipeline.Run's onUpdate.
func (f *uiFeed) update(u pipeline.Update) {
	f.Snapshot(snapshotEvent(u))
	f.firstOnce.Do(func() { close(f.first) })
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
