package ui

import (
	"sync"

	"github.com/destill-dev/destill/analysis"
)

// Feed carries an analysis to Run. Its senders never block, whatever the
// UI is doing: a Snapshot replaces one the UI has not shown yet (each holds
// everything the one before did, so only the newest is worth drawing),
// Notices queue up, and Finish ends the analysis. Run takes what is waiting
// in the order notices, snapshot, end. A Feed is safe for concurrent use.
type Feed struct {
	ready chan struct{} // cap 1: something waits to be taken

	mu       sync.Mutex
	latest   *Snapshot // the newest Snapshot sent
	unshown  bool      // latest has not been taken
	notices  []string
	waiting  *Waiting // the newest Waiting not taken yet
	finished *Finished
}

// NewFeed returns a Feed with nothing sent yet.
func NewFeed() *Feed {
	return &Feed{ready: make(chan struct{}, 1)}
}

// ReportFeed returns a Feed holding rep as a finished analysis: what shows
// stored findings (destill view).
func ReportFeed(rep analysis.Report) *Feed {
	f := NewFeed()
	analyzed := rep.Summary.JobsAnalyzed
	f.Snapshot(Snapshot{Report: rep, Progress: Progress{JobsTotal: analyzed, JobsFetched: analyzed, JobsAnalyzed: analyzed}})
	f.Finish(Finished{})
	return f
}

func (f *Feed) poke() {
	select {
	case f.ready <- struct{}{}:
	default:
	}
}

// Snapshot sends the analysis so far, replacing a Snapshot not shown yet.
func (f *Feed) Snapshot(s Snapshot) {
	f.mu.Lock()
	f.latest, f.unshown = &s, true
	f.mu.Unlock()
	f.poke()
}

// Notice sends a message for the user.
func (f *Feed) Notice(msg string) {
	f.mu.Lock()
	f.notices = append(f.notices, msg)
	f.mu.Unlock()
	f.poke()
}

// Wait says what the analysis waits for ("" nothing), replacing what a
// Wait before it said.
func (f *Feed) Wait(msg string) {
	f.mu.Lock()
	f.waiting = &Waiting{Message: msg}
	f.mu.Unlock()
	f.poke()
}

// Finish ends the analysis; what is sent after it is never shown.
func (f *Feed) Finish(e Finished) {
	f.mu.Lock()
	if f.finished == nil {
		f.finished = &e
	}
	f.mu.Unlock()
	f.poke()
}

// Latest returns the newest Snapshot sent, shown or not, and false before
// the first.
func (f *Feed) Latest() (Snapshot, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.latest == nil {
		return Snapshot{}, false
	}
	return *f.latest, true
}

// TakeNotices returns the notices not shown yet and forgets them: for a
// sender whose UI could not start, to print them instead.
func (f *Feed) TakeNotices() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.notices
	f.notices = nil
	return n
}

// take returns what waits to be shown, and whether the analysis ended.
func (f *Feed) take() (events []Event, ended bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.notices {
		events = append(events, Notice{Message: m})
	}
	f.notices = nil
	if f.waiting != nil {
		events = append(events, *f.waiting)
		f.waiting = nil
	}
	if f.unshown {
		events = append(events, *f.latest)
		f.unshown = false
	}
	if f.finished != nil {
		events = append(events, *f.finished)
	}
	return events, f.finished != nil
}
