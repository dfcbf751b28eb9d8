package app

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/destill-dev/destill/app/pipeline"
	"github.com/destill-dev/destill/render"
)

// progress shows on stderr, when it is a terminal, how many job logs were
// fetched and how many bytes read; it is quiet otherwise. Messages (a long
// rate-limit wait) are printed either way.
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	enabled bool
	shown   bool
	last    time.Time
	// counts is the last progress shown ("" before the first update);
	// waiting says what a provider has not answered yet ("" nothing).
	counts  string
	waiting string
}

func newProgress(streams *Streams) *progress {
	return &progress{w: streams.ErrOut, enabled: streams.StderrTTY}
}

// update shows u, at most ten times a second.
func (p *progress) update(u pipeline.Update) {
	if !p.enabled {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if u.Done {
		p.clearLocked()
		p.counts, p.waiting = "", ""
		return
	}
	if time.Since(p.last) < 100*time.Millisecond && u.JobsFetched < u.JobsSelected {
		return
	}
	p.last = time.Now()
	p.counts = fmt.Sprintf("%d/%d job logs fetched, %s", u.JobsFetched, u.JobsSelected, render.Size(u.Bytes))
	p.drawLocked()
}

// wait shows what a provider has not answered yet ("" clears it), on the
// progress line: "destill: 0/4 job logs fetched, 0 B · waiting for
// api.github.com: no answer for 20 s (try 2 of 5)…".
func (p *progress) wait(msg string) {
	if !p.enabled {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.waiting = oneLine(msg)
	if p.waiting == "" && p.counts == "" {
		p.clearLocked()
		return
	}
	p.drawLocked()
}

func (p *progress) drawLocked() {
	line := p.counts
	switch {
	case line == "":
		line = p.waiting
	case p.waiting != "":
		line += " · " + p.waiting
	}
	fmt.Fprintf(p.w, "\r\x1b[Kdestill: %s", line)
	p.shown = true
}

// message prints one line for the user, above the progress line.
func (p *progress) message(msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearLocked()
	fmt.Fprintf(p.w, "destill: %s\n", oneLine(msg))
}

// clear removes the progress line.
func (p *progress) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearLocked()
}

func (p *progress) clearLocked() {
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.shown = false
	}
}
