package mcpserver

import (
	"context"
	"fmt"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/destill-dev/destill/app/pipeline"
)

// progress sends MCP progress notifications for a running analysis when
// the client asked for them (a progress token in the call). Sending never
// holds up the analysis: a notification not yet sent is replaced by the
// next one.
type progress struct {
	ctx     context.Context
	session *mcp.ServerSession
	token   any

	mu      sync.Mutex
	pending *mcp.ProgressNotificationParams
	last    float64
	started bool
	kick    chan struct{}
	done    chan struct{}
	wg      sync.WaitGroup
}

func newProgress(ctx context.Context, call *mcp.CallToolRequest) *progress {
	p := &progress{ctx: ctx}
	if call == nil || call.Session == nil || call.Params == nil {
		return p
	}
	p.token = call.Params.GetProgressToken()
	if p.token == nil {
		return p
	}
	p.session = call.Session
	p.kick = make(chan struct{}, 1)
	p.done = make(chan struct{})
	p.wg.Add(1)
	go p.loop()
	return p
}

// update is a pipeline.Run callback.
func (p *progress) update(u pipeline.Update) {
	if p.session == nil {
		return
	}
	// Progress must grow with each notification: count fetched jobs, and
	// the bytes read as a fraction of the next job.
	done := float64(u.JobsFetched)
	msg := fmt.Sprintf("read %d of %d job log(s), %.1f MB", u.JobsFetched, u.JobsSelected, float64(u.Bytes)/1e6)
	if u.Done {
		msg = fmt.Sprintf("analyzed %d job log(s)", u.JobsAnalyzed)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.started && done <= p.last {
		return
	}
	p.started, p.last = true, done
	p.pending = &mcp.ProgressNotificationParams{ProgressToken: p.token, Progress: done, Total: float64(u.JobsSelected), Message: msg}
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

func (p *progress) loop() {
	defer p.wg.Done()
	for {
		select {
		case <-p.kick:
		case <-p.done:
			return
		case <-p.ctx.Done():
			return
		}
		p.mu.Lock()
		n := p.pending
		p.pending = nil
		p.mu.Unlock()
		if n != nil {
			_ = p.session.NotifyProgress(p.ctx, n)
		}
	}
}

// stop ends the notifications; none is sent after it returns.
func (p *progress) stop() {
	if p.session == nil {
		return
	}
	close(p.done)
	p.wg.Wait()
}
