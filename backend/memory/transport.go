package memory

import (
	"context"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/destill-dev/destill/backend"
)

// Defaults for TransportOptions.
const (
	DefaultPartitions   = 8
	DefaultCapacity     = 256
	DefaultRetryBackoff = 50 * time.Millisecond
)

// TransportOptions tune a Transport.
type TransportOptions struct {
	// Partitions per topic (0: DefaultPartitions).
	Partitions int
	// Capacity is how many messages a partition keeps until every group
	// has consumed them; Publish blocks while a partition is full
	// (0: DefaultCapacity).
	Capacity int
	// RetryBackoff is the pause before a message whose handler failed is
	// delivered again (0: DefaultRetryBackoff).
	RetryBackoff time.Duration
}

// Transport is an in-process backend.Transport with Kafka's semantics:
// topics have partitions chosen by key, a group's members share the
// partitions, every group sees every message, and a message is committed
// only after its handler succeeded. Memory is bounded: Publish waits
// (back-pressure) while a partition holds Capacity messages some group has
// not consumed yet, and gives up with an error when its context ends.
type Transport struct {
	opts TransportOptions

	mu     sync.Mutex
	cond   *sync.Cond
	closed bool
	topics map[string]*topic
	subs   map[*member]context.CancelFunc
	rr     int // round robin for messages without a key
}

type topic struct {
	parts  []*partition
	groups map[string]*group
}

type partition struct {
	base int64 // offset of msgs[0]
	msgs []backend.Message
}

func (p *partition) end() int64 { return p.base + int64(len(p.msgs)) }

type group struct {
	next    []int64 // offset of the next message to deliver, per partition
	busy    []bool  // a handler is running for the partition
	members []*member
}

type member struct{}

var _ backend.Transport = (*Transport)(nil)

// NewTransport returns a Transport.
func NewTransport(opts TransportOptions) *Transport {
	if opts.Partitions <= 0 {
		opts.Partitions = DefaultPartitions
	}
	if opts.Capacity <= 0 {
		opts.Capacity = DefaultCapacity
	}
	if opts.RetryBackoff <= 0 {
		opts.RetryBackoff = DefaultRetryBackoff
	}
	t := &Transport{opts: opts, topics: map[string]*topic{}, subs: map[*member]context.CancelFunc{}}
	t.cond = sync.NewCond(&t.mu)
	return t
}

func (t *Transport) topic(name string) *topic {
	tp, ok := t.topics[name]
	if !ok {
		tp = &topic{groups: map[string]*group{}}
		for range t.opts.Partitions {
			tp.parts = append(tp.parts, &partition{})
		}
		t.topics[name] = tp
	}
	return tp
}

func (t *Transport) partitionFor(key string) int {
	if key == "" {
		t.rr++
		return t.rr % t.opts.Partitions
	}
	h := fnv.New32a()
	h.Write([]byte(key))
	return int(h.Sum32() % uint32(t.opts.Partitions))
}

// Publish implements backend.Transport.
func (t *Transport) Publish(ctx context.Context, msgs ...backend.Message) error {
	stop := context.AfterFunc(ctx, t.wake)
	defer stop()
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, m := range msgs {
		if m.Topic == "" {
			return fmt.Errorf("publish message %d: no topic", i)
		}
		tp := t.topic(m.Topic)
		pi := t.partitionFor(m.Key)
		p := tp.parts[pi]
		for !t.closed && ctx.Err() == nil && len(p.msgs) >= t.opts.Capacity {
			if t.trim(tp, pi) {
				break
			}
			t.cond.Wait()
		}
		if t.closed {
			return fmt.Errorf("publish to %s: %w", m.Topic, backend.ErrClosed)
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("publish to %s: %d of %d messages published, the topic is full and nothing consumes it: %w", m.Topic, i, len(msgs), err)
		}
		m.Payload = append([]byte(nil), m.Payload...)
		if m.Headers != nil {
			h := make(map[string]string, len(m.Headers))
			for k, v := range m.Headers {
				h[k] = v
			}
			m.Headers = h
		}
		m.Partition, m.Offset, m.Lag = 0, 0, 0
		p.msgs = append(p.msgs, m)
	}
	t.cond.Broadcast()
	return nil
}

func (t *Transport) wake() {
	t.mu.Lock()
	t.cond.Broadcast()
	t.mu.Unlock()
}

// Subscribe implements backend.Transport.
func (t *Transport) Subscribe(ctx context.Context, topicName, groupName string, handle backend.Handler) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	me := &member{}
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return fmt.Errorf("subscribe to %s: %w", topicName, backend.ErrClosed)
	}
	tp := t.topic(topicName)
	g, ok := tp.groups[groupName]
	if !ok {
		g = &group{next: make([]int64, len(tp.parts)), busy: make([]bool, len(tp.parts))}
		for i, p := range tp.parts {
			g.next[i] = p.base
		}
		tp.groups[groupName] = g
	}
	g.members = append(g.members, me)
	t.subs[me] = cancel
	t.cond.Broadcast()
	t.mu.Unlock()

	stop := context.AfterFunc(ctx, t.wake)
	defer stop()
	var wg sync.WaitGroup
	for i := range tp.parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.consume(ctx, tp, g, me, i, handle)
		}()
	}
	<-ctx.Done()
	t.mu.Lock()
	for i, m := range g.members {
		if m == me {
			g.members = append(g.members[:i:i], g.members[i+1:]...)
			break
		}
	}
	delete(t.subs, me)
	closed := t.closed
	t.cond.Broadcast()
	t.mu.Unlock()
	wg.Wait()
	if closed {
		return fmt.Errorf("subscribe to %s: %w", topicName, backend.ErrClosed)
	}
	return nil
}

// owner returns the member that consumes partition i of g.
func (g *group) owner(i int) *member {
	if len(g.members) == 0 {
		return nil
	}
	return g.members[i%len(g.members)]
}

// consume delivers partition i to me's handler for as long as me owns it.
func (t *Transport) consume(ctx context.Context, tp *topic, g *group, me *member, i int, handle backend.Handler) {
	p := tp.parts[i]
	for {
		t.mu.Lock()
		for ctx.Err() == nil && (g.owner(i) != me || g.busy[i] || g.next[i] >= p.end()) {
			t.cond.Wait()
		}
		if ctx.Err() != nil {
			t.mu.Unlock()
			return
		}
		off := g.next[i]
		m := p.msgs[off-p.base]
		m.Partition, m.Offset, m.Lag = int32(i), off, p.end()-off-1
		g.busy[i] = true
		t.mu.Unlock()

		err := handle(ctx, m)

		t.mu.Lock()
		g.busy[i] = false
		if err == nil {
			g.next[i] = off + 1
		}
		t.cond.Broadcast()
		t.mu.Unlock()
		if err != nil {
			select {
			case <-ctx.Done():
				return
			case <-time.After(t.opts.RetryBackoff):
			}
		}
	}
}

// trim makes room in full partition i by dropping the messages every group
// has consumed, and reports whether it freed any. Consumed messages stay
// until room is needed, so a group that subscribes late still finds them
// (as a broker's retention would keep them). A topic no group has
// subscribed to keeps everything.
func (t *Transport) trim(tp *topic, i int) bool {
	if len(tp.groups) == 0 {
		return false
	}
	p := tp.parts[i]
	low := p.end()
	for _, g := range tp.groups {
		low = min(low, g.next[i])
	}
	n := int(low - p.base)
	if n <= 0 {
		return false
	}
	clear(p.msgs[:n])
	p.msgs = append([]backend.Message(nil), p.msgs[n:]...)
	p.base = low
	return true
}

// Close implements backend.Transport: it stops every subscription (their
// running handlers see their context cancelled) and fails later calls.
func (t *Transport) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil
	}
	t.closed = true
	for _, cancel := range t.subs {
		cancel()
	}
	t.cond.Broadcast()
	return nil
}
