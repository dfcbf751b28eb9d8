package backendtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/destill-dev/destill/backend"
)

// TransportFeatures says what an implementation is, so the suite can run
// what applies to it.
type TransportFeatures struct {
	// SharedOnly means every publisher and subscriber must use one
	// instance (the memory transport lives in one process); otherwise each
	// simulated process gets its own instance, connected to the same broker.
	SharedOnly bool
	// Capacity, when positive, is how many unconsumed messages a partition
	// holds before Publish blocks (back-pressure).
	Capacity int
}

// waitTimeout bounds every wait of the suite; Kafka rebalances take a
// second or so with the test configuration.
const waitTimeout = 60 * time.Second

// RunTransportSuite runs the transport conformance tests against the
// transports newTransport returns. Each test uses its own topics, so one
// broker serves them all.
func RunTransportSuite(t *testing.T, f TransportFeatures, newTransport func(t *testing.T) backend.Transport) {
	s := &transportSuite{f: f, newTransport: newTransport}
	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"SubscribeThenPublish", s.subscribeThenPublish},
		{"PublishThenSubscribe", s.publishThenSubscribe},
		{"GroupsFanOut", s.groupsFanOut},
		{"GroupSharesWork", s.groupSharesWork},
		{"HandlerErrorRedelivers", s.handlerErrorRedelivers},
		{"OrderedPerKey", s.orderedPerKey},
		{"StoppedMidHandlerRedelivers", s.stoppedMidHandler},
		{"AtLeastOnceUnderRebalanceAndRestart", s.atLeastOnce},
		{"LargeMessage", s.largeMessage},
		{"LagIsReported", s.lag},
		{"CancelStopsSubscribe", s.cancelStops},
		{"CloseIsIdempotent", s.closeIdempotent},
		{"UseAfterCloseFails", s.useAfterClose},
	}
	if f.Capacity > 0 {
		tests = append(tests, struct {
			name string
			run  func(t *testing.T)
		}{"BackPressure", s.backPressure})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t)
		})
	}
}

type transportSuite struct {
	f            TransportFeatures
	newTransport func(t *testing.T) backend.Transport
}

// instances returns a function giving the transport of a simulated
// process: always the same one for SharedOnly implementations.
func (s *transportSuite) instances(t *testing.T) func() backend.Transport {
	if s.f.SharedOnly {
		tr := s.newTransport(t)
		return func() backend.Transport { return tr }
	}
	return func() backend.Transport { return s.newTransport(t) }
}

// subscription is a running Subscribe call.
type subscription struct {
	cancel context.CancelFunc
	done   chan error
}

func startSub(t *testing.T, tr backend.Transport, topic, group string, h backend.Handler) *subscription {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &subscription{cancel: cancel, done: make(chan error, 1)}
	go func() { s.done <- tr.Subscribe(ctx, topic, group, h) }()
	t.Cleanup(func() { s.stop(t) })
	return s
}

// stop cancels the subscription and waits for Subscribe to return.
func (s *subscription) stop(t *testing.T) {
	t.Helper()
	if s.done == nil {
		return
	}
	s.cancel()
	select {
	case err := <-s.done:
		if err != nil && !errors.Is(err, backend.ErrClosed) && !errors.Is(err, context.Canceled) {
			t.Errorf("Subscribe returned %v after cancel, want nil", err)
		}
	case <-time.After(waitTimeout):
		t.Errorf("Subscribe did not return %v after its context was cancelled", waitTimeout)
	}
	s.done = nil
}

// collector records deliveries.
type collector struct {
	mu     sync.Mutex
	counts map[string]int
	by     map[string]map[string]int // subscriber name → payload → count
	keys   map[string][]string       // key → payloads in delivery order (first deliveries)
	msgs   map[string]backend.Message
	total  int
}

func newCollector() *collector {
	return &collector{counts: map[string]int{}, by: map[string]map[string]int{}, keys: map[string][]string{}, msgs: map[string]backend.Message{}}
}

func (c *collector) handler(name string) backend.Handler {
	return func(ctx context.Context, m backend.Message) error {
		c.record(name, m)
		return nil
	}
}

func (c *collector) record(name string, m backend.Message) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := string(m.Payload)
	if len(p) > 64 {
		p = p[:64]
	}
	if c.counts[p] == 0 {
		c.keys[m.Key] = append(c.keys[m.Key], p)
		c.msgs[p] = m
	}
	c.counts[p]++
	if c.by[name] == nil {
		c.by[name] = map[string]int{}
	}
	c.by[name][p]++
	c.total++
}

func (c *collector) countBy(name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.by[name])
}

// missing returns the payloads in want not delivered yet.
func (c *collector) missing(want []string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, w := range want {
		if c.counts[w] == 0 {
			out = append(out, w)
		}
	}
	return out
}

func (c *collector) duplicates() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total - len(c.counts)
}

// waitAll waits until every payload in want was delivered.
func (c *collector) waitAll(t *testing.T, want []string) {
	t.Helper()
	waitUntil(t, "every message delivered", func() bool { return len(c.missing(want)) == 0 }, func() string {
		m := c.missing(want)
		return fmt.Sprintf("%d of %d messages never delivered, e.g. %q", len(m), len(want), m[0])
	})
}

func waitUntil(t *testing.T, what string, cond func() bool, explain func() string) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			msg := ""
			if explain != nil {
				msg = ": " + explain()
			}
			t.Fatalf("timed out after %v waiting for %s%s", waitTimeout, what, msg)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// publish publishes n messages on topic with payloads prefix-0..n-1 and
// keys spread over keys distinct values, and returns the payloads.
func publish(t *testing.T, tr backend.Transport, topic, prefix string, n, keys int) []string {
	t.Helper()
	var msgs []backend.Message
	var payloads []string
	for i := range n {
		p := fmt.Sprintf("%s-%04d", prefix, i)
		payloads = append(payloads, p)
		msgs = append(msgs, backend.Message{
			Topic:   topic,
			Key:     fmt.Sprintf("key-%d", i%keys),
			Payload: []byte(p),
			Headers: map[string]string{"seq": fmt.Sprint(i)},
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if err := tr.Publish(ctx, msgs...); err != nil {
		t.Fatalf("publish: %v", err)
	}
	return payloads
}

func (s *transportSuite) subscribeThenPublish(t *testing.T) {
	tr := s.newTransport(t)
	topic := NewTopic(t)
	c := newCollector()
	startSub(t, tr, topic, NewGroup(t), c.handler("a"))
	want := publish(t, tr, topic, "m", 20, 4)
	c.waitAll(t, want)
	m := c.msgs[want[7]]
	if m.Topic != topic || m.Key != "key-3" || m.Headers["seq"] != "7" {
		t.Errorf("message 7 arrived as topic %q key %q headers %v; want %q, key-3, seq=7", m.Topic, m.Key, m.Headers, topic)
	}
}

func (s *transportSuite) publishThenSubscribe(t *testing.T) {
	tr := s.newTransport(t)
	topic := NewTopic(t)
	want := publish(t, tr, topic, "m", 20, 4)
	c := newCollector()
	startSub(t, tr, topic, NewGroup(t), c.handler("a"))
	c.waitAll(t, want)
}

func (s *transportSuite) groupsFanOut(t *testing.T) {
	inst := s.instances(t)
	topic := NewTopic(t)
	a, b := newCollector(), newCollector()
	startSub(t, inst(), topic, NewGroup(t), a.handler("a"))
	startSub(t, inst(), topic, NewGroup(t)+"-b", b.handler("b"))
	want := publish(t, inst(), topic, "m", 30, 6)
	a.waitAll(t, want)
	b.waitAll(t, want)
}

func (s *transportSuite) groupSharesWork(t *testing.T) {
	inst := s.instances(t)
	topic, group := NewTopic(t), NewGroup(t)
	c := newCollector()
	startSub(t, inst(), topic, group, c.handler("a"))
	startSub(t, inst(), topic, group, c.handler("b"))
	pub := inst()
	var want []string
	// Publish in waves until both members got work: the group may still be
	// rebalancing when the first wave arrives.
	for wave := 0; c.countBy("a") == 0 || c.countBy("b") == 0; wave++ {
		if wave > 200 {
			t.Fatalf("after %d messages one member got nothing: a=%d b=%d", len(want), c.countBy("a"), c.countBy("b"))
		}
		want = append(want, publish(t, pub, topic, fmt.Sprintf("w%03d", wave), 24, 24)...)
		time.Sleep(50 * time.Millisecond)
	}
	c.waitAll(t, want)
	if d := c.duplicates(); d > 0 {
		t.Logf("%d duplicate deliveries (allowed: at-least-once)", d)
	}
}

func (s *transportSuite) handlerErrorRedelivers(t *testing.T) {
	tr := s.newTransport(t)
	topic := NewTopic(t)
	var mu sync.Mutex
	attempts := map[string]int{}
	var order []string
	h := func(ctx context.Context, m backend.Message) error {
		mu.Lock()
		defer mu.Unlock()
		p := string(m.Payload)
		attempts[p]++
		if p == "m-0002" && attempts[p] < 3 {
			return errors.New("transient failure")
		}
		order = append(order, p)
		return nil
	}
	startSub(t, tr, topic, NewGroup(t), h)
	publish(t, tr, topic, "m", 5, 1)
	waitUntil(t, "5 messages handled", func() bool { mu.Lock(); defer mu.Unlock(); return len(order) == 5 }, nil)
	mu.Lock()
	defer mu.Unlock()
	if attempts["m-0002"] != 3 {
		t.Errorf("failing message delivered %d times, want 3", attempts["m-0002"])
	}
	want := []string{"m-0000", "m-0001", "m-0002", "m-0003", "m-0004"}
	if fmt.Sprint(order) != fmt.Sprint(want) {
		t.Errorf("handled in order %v, want %v: a failing message must block its key until it succeeds", order, want)
	}
}

func (s *transportSuite) orderedPerKey(t *testing.T) {
	tr := s.newTransport(t)
	topic := NewTopic(t)
	c := newCollector()
	want := publish(t, tr, topic, "m", 200, 5)
	startSub(t, tr, topic, NewGroup(t), c.handler("a"))
	c.waitAll(t, want)
	c.mu.Lock()
	defer c.mu.Unlock()
	for key, got := range c.keys {
		for i := 1; i < len(got); i++ {
			if got[i] < got[i-1] {
				t.Errorf("key %s: %s arrived before %s", key, got[i-1], got[i])
				break
			}
		}
	}
}

// stoppedMidHandler is a worker that stops (or dies) while handling a
// message: the message was not acknowledged, so the next member gets it.
func (s *transportSuite) stoppedMidHandler(t *testing.T) {
	inst := s.instances(t)
	topic, group := NewTopic(t), NewGroup(t)
	first := inst()
	want := publish(t, first, topic, "m", 3, 1)
	started := make(chan struct{}, 1)
	var mu sync.Mutex
	seenFirst := map[string]bool{}
	blocker := func(ctx context.Context, m backend.Message) error {
		mu.Lock()
		seenFirst[string(m.Payload)] = true
		mu.Unlock()
		select {
		case started <- struct{}{}:
		default:
		}
		<-ctx.Done()
		return ctx.Err()
	}
	sub := startSub(t, first, topic, group, blocker)
	select {
	case <-started:
	case <-time.After(waitTimeout):
		t.Fatal("first subscriber never got a message")
	}
	sub.stop(t)
	c := newCollector()
	startSub(t, inst(), topic, group, c.handler("b"))
	c.waitAll(t, want)
	mu.Lock()
	defer mu.Unlock()
	if !seenFirst["m-0000"] {
		t.Errorf("first subscriber saw %v, want m-0000", seenFirst)
	}
}

func (s *transportSuite) atLeastOnce(t *testing.T) {
	inst := s.instances(t)
	topic, group := NewTopic(t), NewGroup(t)
	pub := inst()
	c := newCollector()
	var want []string
	start := time.Now()
	wave := func(name string) {
		t.Logf("%v: wave %s", time.Since(start).Round(time.Millisecond), name)
		want = append(want, publish(t, pub, topic, name, 60, 12)...)
	}
	a := startSub(t, inst(), topic, group, c.handler("a1"))
	wave("w1")
	waitUntil(t, "A consuming", func() bool { return c.countBy("a1") >= 30 }, nil)

	b := startSub(t, inst(), topic, group, c.handler("b1"))
	for i := 0; c.countBy("b1") == 0; i++ {
		if i > 100 {
			t.Fatal("B never got a partition after joining")
		}
		wave(fmt.Sprintf("w2-%03d", i))
		time.Sleep(50 * time.Millisecond)
	}
	b.stop(t)
	wave("w3")
	c.waitAll(t, want) // A took B's partitions back

	b = startSub(t, inst(), topic, group, c.handler("b2"))
	for i := 0; c.countBy("b2") == 0; i++ {
		if i > 100 {
			t.Fatal("restarted B never got a partition")
		}
		wave(fmt.Sprintf("w4-%03d", i))
		time.Sleep(50 * time.Millisecond)
	}
	a.stop(t)
	b.stop(t)
	wave("w5") // nobody is consuming
	startSub(t, inst(), topic, group, c.handler("a3"))
	startSub(t, inst(), topic, group, c.handler("b3"))
	c.waitAll(t, want)
	t.Logf("%d messages, 0 lost, %d duplicate deliveries", len(want), c.duplicates())
}

func (s *transportSuite) largeMessage(t *testing.T) {
	tr := s.newTransport(t)
	topic := NewTopic(t)
	big := bytes.Repeat([]byte("0123456789abcdef"), 600<<10/16)
	got := make(chan []byte, 1)
	startSub(t, tr, topic, NewGroup(t), func(ctx context.Context, m backend.Message) error {
		got <- m.Payload
		return nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if err := tr.Publish(ctx, backend.Message{Topic: topic, Key: "k", Payload: big}); err != nil {
		t.Fatalf("publish %d bytes: %v", len(big), err)
	}
	select {
	case p := <-got:
		if !bytes.Equal(p, big) {
			t.Errorf("payload of %d bytes arrived as %d bytes, different", len(big), len(p))
		}
	case <-time.After(waitTimeout):
		t.Fatal("large message never arrived")
	}
}

func (s *transportSuite) lag(t *testing.T) {
	tr := s.newTransport(t)
	topic := NewTopic(t)
	want := publish(t, tr, topic, "m", 20, 1)
	var mu sync.Mutex
	lags := map[string]int64{}
	startSub(t, tr, topic, NewGroup(t), func(ctx context.Context, m backend.Message) error {
		mu.Lock()
		defer mu.Unlock()
		lags[string(m.Payload)] = m.Lag
		return nil
	})
	waitUntil(t, "20 messages", func() bool { mu.Lock(); defer mu.Unlock(); return len(lags) == 20 }, nil)
	mu.Lock()
	defer mu.Unlock()
	var highest int64
	for p, l := range lags {
		if l < 0 {
			t.Errorf("%s: negative lag %d", p, l)
		}
		highest = max(highest, l)
	}
	if lags[want[19]] != 0 {
		t.Errorf("last message has lag %d, want 0", lags[want[19]])
	}
	if highest == 0 {
		t.Errorf("20 messages waiting on one partition reported no lag")
	}
}

func (s *transportSuite) cancelStops(t *testing.T) {
	tr := s.newTransport(t)
	sub := startSub(t, tr, NewTopic(t), NewGroup(t), func(context.Context, backend.Message) error { return nil })
	time.Sleep(100 * time.Millisecond)
	sub.stop(t)
}

func (s *transportSuite) closeIdempotent(t *testing.T) {
	tr := s.newTransport(t)
	if err := tr.Close(); err != nil {
		t.Fatalf("first Close: %v", err)
	}
	if err := tr.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func (s *transportSuite) useAfterClose(t *testing.T) {
	tr := s.newTransport(t)
	topic := NewTopic(t)
	done := make(chan error, 1)
	go func() {
		done <- tr.Subscribe(context.Background(), topic, NewGroup(t), func(context.Context, backend.Message) error { return nil })
	}()
	time.Sleep(100 * time.Millisecond)
	if err := tr.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case <-done:
	case <-time.After(waitTimeout):
		t.Fatal("Subscribe kept running after Close")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := tr.Publish(ctx, backend.Message{Topic: topic, Payload: []byte("x")})
	if !errors.Is(err, backend.ErrClosed) {
		t.Errorf("Publish after Close: %v, want ErrClosed", err)
	}
	err = tr.Subscribe(ctx, topic, NewGroup(t), func(context.Context, backend.Message) error { return nil })
	if !errors.Is(err, backend.ErrClosed) {
		t.Errorf("Subscribe after Close: %v, want ErrClosed", err)
	}
}

// backPressure fills a partition nobody consumes: Publish must block and
// then fail when its context ends, never drop; every message it accepted
// is delivered once a consumer comes.
func (s *transportSuite) backPressure(t *testing.T) {
	tr := s.newTransport(t)
	topic, group := NewTopic(t), NewGroup(t)
	// A group that subscribes and leaves pins retention, like a stalled consumer.
	sub := startSub(t, tr, topic, group, func(context.Context, backend.Message) error { return nil })
	time.Sleep(50 * time.Millisecond)
	sub.stop(t)
	var accepted []string
	var err error
	for i := 0; i < s.f.Capacity+5; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		p := fmt.Sprintf("m-%04d", i)
		err = tr.Publish(ctx, backend.Message{Topic: topic, Key: "one", Payload: []byte(p)})
		cancel()
		if err != nil {
			break
		}
		accepted = append(accepted, p)
	}
	if err == nil {
		t.Fatalf("published %d messages to a partition of capacity %d without blocking", len(accepted), s.f.Capacity)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("blocked Publish returned %v, want the context's error", err)
	}
	if len(accepted) != s.f.Capacity {
		t.Errorf("accepted %d messages before blocking, want %d", len(accepted), s.f.Capacity)
	}
	c := newCollector()
	startSub(t, tr, topic, group, c.handler("late"))
	c.waitAll(t, accepted)
	// Consumption made room again.
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if err := tr.Publish(ctx, backend.Message{Topic: topic, Key: "one", Payload: []byte("after")}); err != nil {
		t.Errorf("Publish after the consumer caught up: %v", err)
	}
	c.waitAll(t, []string{"after"})
}
