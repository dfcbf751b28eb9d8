package kafka

import (
	"log/slog"
	"time"

	"github.com/IBM/sarama"
)

// Defaults for Config.
const (
	DefaultPartitions     = 12
	DefaultRetryBackoff   = 500 * time.Millisecond
	DefaultCommitInterval = time.Second
)

// Config says how to reach the brokers and how to use them.
type Config struct {
	// Brokers are host:port addresses; one reachable broker is enough.
	Brokers []string
	// Partitions is the partition count of the topics the transport
	// creates (0: DefaultPartitions). It caps how many workers of one
	// group can work at once.
	Partitions int32
	// ReplicationFactor of the topics it creates (0: 3, or the number of
	// brokers when there are fewer).
	ReplicationFactor int16
	// Sarama is the client configuration (nil: NewSaramaConfig()).
	Sarama *sarama.Config
	// RetryBackoff is the pause before a message whose handler failed is
	// delivered again (0: DefaultRetryBackoff).
	RetryBackoff time.Duration
	// CommitInterval is how often the offsets of handled messages are
	// committed (0: DefaultCommitInterval). A member that dies loses at
	// most this much progress: its messages are delivered again.
	CommitInterval time.Duration
	// Logger is told when a subscription joins its consumer group, and
	// why it cannot (at WARN, at most once per LogEvery for the same
	// error). Nil: nothing is logged.
	Logger *slog.Logger
}

// LogEvery is how often the same consumer error is logged again.
const LogEvery = 30 * time.Second

// NewSaramaConfig returns the production client configuration: Kafka 3.6
// protocol, idempotent producer waiting for all in-sync replicas, lz4
// batches, consumers starting at the oldest message of a new group,
// offsets committed by the transport itself after each handled message,
// and consumer errors returned (the transport logs them).
func NewSaramaConfig() *sarama.Config {
	cfg := sarama.NewConfig()
	cfg.ClientID = "destill"
	cfg.Version = sarama.V3_6_0_0
	cfg.Producer.Return.Successes = true
	cfg.Producer.Idempotent = true
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	cfg.Producer.Retry.Max = 5
	cfg.Producer.Compression = sarama.CompressionLZ4
	cfg.Net.MaxOpenRequests = 1
	cfg.Net.DialTimeout = 10 * time.Second
	cfg.Metadata.Retry.Max = 3
	cfg.Consumer.Offsets.Initial = sarama.OffsetOldest
	cfg.Consumer.Offsets.AutoCommit.Enable = false
	cfg.Consumer.Return.Errors = true
	cfg.Consumer.Group.Rebalance.Timeout = DefaultRebalanceTimeout
	return cfg
}

// DefaultRebalanceTimeout is how long a member may take to rejoin its group
// once a rebalance starts. It must stay below Net.ReadTimeout (sarama's 30
// s): the coordinator may hold a JoinGroup or SyncGroup answer for the
// whole rebalance timeout while it waits for a member that died in the
// middle of a rebalance, and sarama gives up on an answer after the read
// timeout. With sarama's default of 60 s the survivors gave up, rejoined,
// which restarted the wait, and the group never formed again
// (TestE2EDistributed, about one run in eight against kfake).
const DefaultRebalanceTimeout = 20 * time.Second

// Tuning shortens the group protocol's timers. Production keeps those of
// NewSaramaConfig (zero values); tests and local runs make rebalances take
// a few hundred milliseconds instead of seconds.
type Tuning struct {
	SessionTimeout    time.Duration
	HeartbeatInterval time.Duration
	MaxWaitTime       time.Duration
	RebalanceTimeout  time.Duration
}

// TestTuning is what tests use against kfake (whose minimum session
// timeout must be lowered to match, see kafkatest).
var TestTuning = Tuning{SessionTimeout: 2 * time.Second, HeartbeatInterval: 200 * time.Millisecond, MaxWaitTime: 100 * time.Millisecond,
	RebalanceTimeout: 5 * time.Second}

// Apply sets the non-zero timers of t on cfg, then makes sure the read
// timeout outlasts the rebalance timeout (see DefaultRebalanceTimeout).
func (t Tuning) Apply(cfg *sarama.Config) {
	if t.RebalanceTimeout > 0 {
		cfg.Consumer.Group.Rebalance.Timeout = t.RebalanceTimeout
	}
	if rt := cfg.Consumer.Group.Rebalance.Timeout; cfg.Net.ReadTimeout <= rt {
		cfg.Net.ReadTimeout = rt + 5*time.Second
	}
	if t.SessionTimeout > 0 {
		cfg.Consumer.Group.Session.Timeout = t.SessionTimeout
	}
	if t.HeartbeatInterval > 0 {
		cfg.Consumer.Group.Heartbeat.Interval = t.HeartbeatInterval
	}
	if t.MaxWaitTime > 0 {
		cfg.Consumer.MaxWaitTime = t.MaxWaitTime
	}
	if t != (Tuning{}) {
		cfg.Metadata.Retry.Backoff = 50 * time.Millisecond
		cfg.Consumer.Group.Rebalance.Retry.Backoff = 100 * time.Millisecond
	}
}
