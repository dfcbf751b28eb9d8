package ui

import (
	"time"

	"github.com/destill-dev/destill/analysis"
)

// Event is something that happened to the analysis the UI shows. app sends
// them through a Feed; State.Apply applies them.
type Event interface {
	apply(s *State)
}

// Progress says how far an analysis has got.
type Progress struct {
	// JobsTotal is how many job logs will be analyzed; JobsFetched how many
	// have been read (or failed to be); JobsAnalyzed how many were analyzed.
	JobsTotal    int
	JobsFetched  int
	JobsAnalyzed int
	// Bytes of log read so far.
	Bytes int64
	// Started is when the analysis started (zero: unknown).
	Started time.Time
}

// Snapshot is the analysis so far: the report with the findings ranked
// over the jobs analyzed yet, and the progress. Each Snapshot replaces the
// one before, so a Feed drops a Snapshot the UI has not taken yet in favour
// of a newer one.
type Snapshot struct {
	Report   analysis.Report
	Progress Progress
}

// Finished ends the analysis: Err is nil when it completed, else why it
// failed. At is when it ended (zero: unknown).
type Finished struct {
	Err error
	At  time.Time
}

// Notice is a message for the user, such as a wait for a provider's rate
// limit, or how opening a URL went: the status bar shows it until the next
// key.
type Notice struct {
	Message string
}

// Waiting says what the analysis is waiting for, such as a server that has
// not answered ("waiting for api.github.com: no answer for 20 s (try 2 of
// 5)…"); the status bar shows it while the analysis runs. An empty
// Message: nothing.
type Waiting struct {
	Message string
}

func (e Waiting) apply(s *State)  { s.waiting = clean(e.Message) }
func (e Snapshot) apply(s *State) { s.applySnapshot(e) }
func (e Finished) apply(s *State) { s.applyFinished(e) }
func (e Notice) apply(s *State)   { s.SetMessage(clean(e.Message)) }
