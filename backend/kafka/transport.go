package kafka

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"
	"golang.org/x/sync/singleflight"

	"github.com/destill-dev/destill/backend"
)

// Transport is a backend.Transport over Kafka.
type Transport struct {
	cfg      Config
	sarama   *sarama.Config
	client   sarama.Client
	producer sarama.SyncProducer
	admin    sarama.ClusterAdmin

	mu     sync.Mutex
	closed bool
	topics map[string]bool // topics known to exist
	subs   map[*groupHandler]bool
	done   chan struct{}
	pings  singleflight.Group
}

var _ backend.Transport = (*Transport)(nil)

// New connects to the brokers and returns a Transport. It fails with a
// one-line error naming the brokers when none can be reached.
func New(ctx context.Context, cfg Config) (*Transport, error) {
	if len(cfg.Brokers) == 0 {
		return nil, errors.New("no Kafka brokers given")
	}
	if cfg.Partitions <= 0 {
		cfg.Partitions = DefaultPartitions
	}
	if cfg.RetryBackoff <= 0 {
		cfg.RetryBackoff = DefaultRetryBackoff
	}
	if cfg.CommitInterval <= 0 {
		cfg.CommitInterval = DefaultCommitInterval
	}
	sc := cfg.Sarama
	if sc == nil {
		sc = NewSaramaConfig()
	}
	if err := sc.Validate(); err != nil {
		return nil, fmt.Errorf("kafka client configuration: %w", err)
	}
	type result struct {
		c   sarama.Client
		err error
	}
	ch := make(chan result, 1)
	go func() {
		c, err := sarama.NewClient(cfg.Brokers, sc)
		ch <- result{c, err}
	}()
	var client sarama.Client
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, fmt.Errorf("cannot reach Kafka at %s: %w", strings.Join(cfg.Brokers, ","), r.err)
		}
		client = r.c
	case <-ctx.Done():
		go func() {
			if r := <-ch; r.c != nil {
				_ = r.c.Close()
			}
		}()
		return nil, fmt.Errorf("connect to Kafka at %s: %w", strings.Join(cfg.Brokers, ","), ctx.Err())
	}
	producer, err := sarama.NewSyncProducerFromClient(client)
	if err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("kafka producer: %w", err)
	}
	admin, err := sarama.NewClusterAdminFromClient(client)
	if err != nil {
		_ = producer.Close()
		_ = client.Close()
		return nil, fmt.Errorf("kafka admin: %w", err)
	}
	return &Transport{
		cfg: cfg, sarama: sc, client: client, producer: producer, admin: admin,
		topics: map[string]bool{}, subs: map[*groupHandler]bool{}, done: make(chan struct{}),
	}, nil
}

// EnsureTopic creates topic with the configured partitions unless it
// exists. Publish and Subscribe call it, so brokers need not auto-create.
func (t *Transport) EnsureTopic(topic string) error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return backend.ErrClosed
	}
	known := t.topics[topic]
	t.mu.Unlock()
	if known {
		return nil
	}
	rf := t.cfg.ReplicationFactor
	if rf <= 0 {
		rf = int16(min(3, len(t.client.Brokers())))
		rf = max(rf, 1)
	}
	err := t.admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: t.cfg.Partitions, ReplicationFactor: rf}, false)
	if err != nil && !errors.Is(err, sarama.ErrTopicAlreadyExists) {
		return fmt.Errorf("create topic %s: %w", topic, err)
	}
	if err == nil {
		// Let the new topic's leaders show up in the client's metadata.
		for range 50 {
			if ps, perr := t.client.Partitions(topic); perr == nil && len(ps) > 0 {
				break
			}
			_ = t.client.RefreshMetadata(topic)
			time.Sleep(20 * time.Millisecond)
		}
	}
	t.mu.Lock()
	t.topics[topic] = true
	t.mu.Unlock()
	return nil
}

// Publish implements backend.Transport: it returns once every message is
// acknowledged by all in-sync replicas.
func (t *Transport) Publish(ctx context.Context, msgs ...backend.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	pms := make([]*sarama.ProducerMessage, 0, len(msgs))
	for i, m := range msgs {
		if m.Topic == "" {
			return fmt.Errorf("publish message %d: no topic", i)
		}
		if err := t.EnsureTopic(m.Topic); err != nil {
			return fmt.Errorf("publish to %s: %w", m.Topic, err)
		}
		pm := &sarama.ProducerMessage{Topic: m.Topic, Value: sarama.ByteEncoder(m.Payload)}
		if m.Key != "" {
			pm.Key = sarama.StringEncoder(m.Key)
		}
		for k, v := range m.Headers {
			pm.Headers = append(pm.Headers, sarama.RecordHeader{Key: []byte(k), Value: []byte(v)})
		}
		pms = append(pms, pm)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("publish to %s: %w", msgs[0].Topic, err)
	}
	// SyncProducer has no context; its own timeouts and retries bound it.
	errc := make(chan error, 1)
	go func() { errc <- t.producer.SendMessages(pms) }()
	select {
	case err := <-errc:
		if err != nil {
			if t.isClosed() {
				return fmt.Errorf("publish to %s: %w", msgs[0].Topic, backend.ErrClosed)
			}
			return fmt.Errorf("publish to %s: %w", msgs[0].Topic, err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("publish to %s: %w (some messages may have been published)", msgs[0].Topic, ctx.Err())
	}
}

func (t *Transport) isClosed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.closed
}

// Subscribe implements backend.Transport with a consumer group member of
// its own. Offsets are committed after each message whose handler
// returned nil; a failing message is retried in place (blocking its
// partition, never the others) until it succeeds or the member stops.
func (t *Transport) Subscribe(ctx context.Context, topic, group string, handle backend.Handler) error {
	if err := t.EnsureTopic(topic); err != nil {
		return fmt.Errorf("subscribe to %s: %w", topic, err)
	}
	cg, err := sarama.NewConsumerGroup(t.cfg.Brokers, group, t.sarama)
	if err != nil {
		return fmt.Errorf("join consumer group %s at %s: %w", group, strings.Join(t.cfg.Brokers, ","), err)
	}
	defer cg.Close()
	if t.isClosed() {
		return fmt.Errorf("subscribe to %s: %w", topic, backend.ErrClosed)
	}
	h := &groupHandler{handle: handle, backoff: t.cfg.RetryBackoff, commitInterval: t.cfg.CommitInterval,
		group: group, topic: topic, log: newErrorLog(t.cfg.Logger, group, topic)}
	t.mu.Lock()
	t.subs[h] = true
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		delete(t.subs, h)
		t.mu.Unlock()
	}()
	go func() {
		for err := range cg.Errors() { // closed by cg.Close
			h.log.warn("kafka: consumer error", err)
		}
	}()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-t.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	h.ctx = ctx
	for {
		err := cg.Consume(ctx, []string{topic}, h)
		if ctx.Err() != nil || errors.Is(err, sarama.ErrClosedConsumerGroup) {
			break
		}
		if err := misconfigured(err, t.sarama); err != nil {
			return fmt.Errorf("consumer group %s on %s: %w", group, topic, err)
		}
		if err != nil {
			// A failed join or a broker going away: try again shortly.
			h.setError(err)
			h.log.warn("kafka: consumer group not joined, retrying", err)
			select {
			case <-ctx.Done():
			case <-time.After(t.cfg.RetryBackoff):
			}
		}
	}
	if t.isClosed() {
		return fmt.Errorf("subscribe to %s: %w", topic, backend.ErrClosed)
	}
	return nil
}

// misconfigured returns, for an error of joining a consumer group that no
// retry can fix, what to change; nil for any other.
func misconfigured(err error, cfg *sarama.Config) error {
	switch {
	case errors.Is(err, sarama.ErrInvalidSessionTimeout):
		return fmt.Errorf("the broker refuses the session timeout of %s (outside its group.min.session.timeout.ms and "+
			"group.max.session.timeout.ms, 6s to 30m by default): set --kafka-session-timeout within them", cfg.Consumer.Group.Session.Timeout)
	case errors.Is(err, sarama.ErrGroupAuthorizationFailed), errors.Is(err, sarama.ErrTopicAuthorizationFailed):
		return fmt.Errorf("%w: grant this client's principal Read on the group and the topic", err)
	case errors.Is(err, sarama.ErrInvalidGroupId):
		return fmt.Errorf("%w: name a valid consumer group (--group)", err)
	}
	return nil
}

// Ready returns nil when the transport can do its work: every running
// subscription has joined its consumer group, and a broker answers.
// Otherwise it says what is wrong.
func (t *Transport) Ready(ctx context.Context) error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return backend.ErrClosed
	}
	var subs []*groupHandler
	for h := range t.subs {
		subs = append(subs, h)
	}
	t.mu.Unlock()
	for _, h := range subs {
		if !h.joined.Load() {
			why := "joining"
			if err := h.lastError(); err != nil {
				why = err.Error()
			}
			return fmt.Errorf("kafka: consumer group %s has not joined %s (%s)", h.group, h.topic, why)
		}
	}
	// One metadata request at a time, however many probes ask.
	ch := t.pings.DoChan("ping", func() (any, error) {
		_, _, err := t.admin.DescribeCluster()
		return nil, err
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return fmt.Errorf("kafka: no broker answers at %s: %w", strings.Join(t.cfg.Brokers, ","), r.Err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("kafka: no broker answered at %s in time: %w", strings.Join(t.cfg.Brokers, ","), ctx.Err())
	}
}

// groupHandler is one member's sarama.ConsumerGroupHandler.
type groupHandler struct {
	handle         backend.Handler
	ctx            context.Context // the subscription's: handlers stop only when it ends
	backoff        time.Duration
	commitInterval time.Duration
	marked         atomic.Bool // offsets were marked since the last commit

	group, topic string
	log          *errorLog
	joined       atomic.Bool // a session is running
	mu           sync.Mutex
	err          error // why the last join failed
}

func (h *groupHandler) setError(err error) {
	h.mu.Lock()
	h.err = err
	h.mu.Unlock()
}

func (h *groupHandler) lastError() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.err
}

// Setup starts the session's committer: offsets marked after successful
// handlers are committed every commitInterval rather than one round trip
// per message (a commit waits behind the fetch long-polls on the
// coordinator's connection).
func (h *groupHandler) Setup(sess sarama.ConsumerGroupSession) error {
	h.joined.Store(true)
	h.setError(nil)
	h.log.joined(len(sess.Claims()[h.topic]))
	go func() {
		tick := time.NewTicker(h.commitInterval)
		defer tick.Stop()
		for {
			select {
			case <-sess.Context().Done():
				return
			case <-tick.C:
				if h.marked.Swap(false) {
					sess.Commit()
				}
			}
		}
	}()
	return nil
}

// Cleanup commits what the session's handlers finished before the
// partitions go to their next owner.
func (h *groupHandler) Cleanup(sess sarama.ConsumerGroupSession) error {
	h.joined.Store(false)
	h.marked.Store(false)
	sess.Commit()
	return nil
}

func (h *groupHandler) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for {
		select {
		case <-sess.Context().Done():
			return nil
		case msg, ok := <-claim.Messages():
			if !ok {
				return nil
			}
			if !h.deliver(sess, claim, msg) {
				return nil
			}
		}
	}
}

// deliver runs the handler on msg until it succeeds, then commits. It
// returns false when the session ended first (the message stays
// uncommitted and goes to the partition's next owner).
func (h *groupHandler) deliver(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim, msg *sarama.ConsumerMessage) bool {
	m := backend.Message{
		Topic:     msg.Topic,
		Key:       string(msg.Key),
		Payload:   msg.Value,
		Partition: msg.Partition,
		Offset:    msg.Offset,
		Lag:       max(claim.HighWaterMarkOffset()-msg.Offset-1, 0),
	}
	if len(msg.Headers) > 0 {
		m.Headers = make(map[string]string, len(msg.Headers))
		for _, hd := range msg.Headers {
			if hd != nil {
				m.Headers[string(hd.Key)] = string(hd.Value)
			}
		}
	}
	for {
		if err := h.handle(h.ctx, m); err == nil {
			sess.MarkMessage(msg, "")
			h.marked.Store(true)
			return true
		}
		select {
		case <-sess.Context().Done():
			return false
		case <-h.ctx.Done():
			return false
		case <-time.After(h.backoff):
		}
	}
}

// Close implements backend.Transport: running subscriptions stop (their
// handlers see their context cancelled) and later calls fail.
func (t *Transport) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	close(t.done)
	t.mu.Unlock()
	var errs []error
	if err := t.producer.Close(); err != nil {
		errs = append(errs, err)
	}
	if err := t.client.Close(); err != nil && !errors.Is(err, sarama.ErrClosedClient) {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
