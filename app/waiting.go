package app

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/destill-dev/destill/providers/httpapi"
)

// DefaultRunTimeout bounds a whole analyze run unless --timeout says
// otherwise: long enough for a large build on a slow link, short enough
// that a server that never answers does not hold a terminal for good.
const DefaultRunTimeout = 10 * time.Minute

// runTimeout is the cause of a run's context ending at --timeout.
type runTimeout struct{ d time.Duration }

func (e runTimeout) Error() string { return fmt.Sprintf("gave up after %s (--timeout)", e.d) }
func (e runTimeout) Unwrap() error { return context.DeadlineExceeded }

// withRunTimeout bounds ctx by --timeout (0: no bound).
func withRunTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeoutCause(ctx, d, runTimeout{d})
}

// waits follows the requests a provider has not answered for a while: show
// says what the latest one waits for ("" when it ended), and a run cut
// short by --timeout names the server it was waiting for.
type waits struct {
	show func(string)

	mu     sync.Mutex
	cur    *httpapi.Wait // the wait shown, if any
	last   *httpapi.Wait // the last wait heard of, ended or not
	lastAt time.Time     // when it was heard of
}

func newWaits(show func(string)) *waits { return &waits{show: show} }

// hear is httpapi's Waiting.
func (w *waits) hear(x httpapi.Wait) {
	w.mu.Lock()
	w.last, w.lastAt = &x, time.Now()
	switch {
	case !x.Done:
		w.cur = &x
	case w.cur != nil && w.cur.Host == x.Host && w.cur.Try == x.Try:
		w.cur = nil
	default:
		w.mu.Unlock()
		return // another request's wait ended: the one shown goes on
	}
	msg := ""
	if w.cur != nil {
		msg = waitText(*w.cur)
	}
	w.mu.Unlock()
	w.show(msg)
}

// waitText is "waiting for api.github.com: no answer for 20 s (try 2 of 5)…".
func waitText(x httpapi.Wait) string {
	return fmt.Sprintf("waiting for %s: no answer for %d s (try %d of %d)…", x.Host, int(x.For.Seconds()), x.Try, x.Tries)
}

// timedOut returns the error of a run cut short by --timeout, naming the
// server it was waiting for, or err as it is for any other end.
func (w *waits) timedOut(ctx context.Context, err error) error {
	var rt runTimeout
	if err == nil || !errors.As(context.Cause(ctx), &rt) {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	// The wait the deadline cut short has ended by now (Done), so the
	// last one heard of is the one to name, unless it ended well before.
	deadline, _ := ctx.Deadline()
	if x := w.last; x != nil && (!x.Done || !w.lastAt.Before(deadline.Add(-time.Second))) {
		return fmt.Errorf("%s: no answer from %s for %d s (try %d of %d); try again later, or raise --timeout",
			rt, x.Host, int(x.For.Seconds()), x.Try, x.Tries)
	}
	return fmt.Errorf("%s before the analysis finished; raise --timeout (0: no limit)", rt)
}
