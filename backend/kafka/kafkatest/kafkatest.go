// Package kafkatest gives tests a Kafka-protocol broker and transports
// tuned for it: an in-process kfake cluster (several brokers, several
// partitions) unless DESTILL_TEST_KAFKA_BROKERS names one already running.
package kafkatest

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/destill-dev/destill/backend/kafka"
)

// EnvBrokers names an external broker to use instead of kfake.
const EnvBrokers = "DESTILL_TEST_KAFKA_BROKERS"

// Partitions is the partition count of test topics.
const Partitions = 6

var (
	shared     []string
	sharedErr  error
	sharedOnce sync.Once
)

// Brokers returns the broker addresses of the test binary's cluster,
// started on first use and kept until the process exits.
func Brokers(t testing.TB) []string {
	t.Helper()
	if env := os.Getenv(EnvBrokers); env != "" {
		return strings.Split(env, ",")
	}
	sharedOnce.Do(func() {
		var c *kfake.Cluster
		c, sharedErr = StartCluster(3)
		if sharedErr == nil {
			shared = c.ListenAddrs()
		}
	})
	if sharedErr != nil {
		t.Fatalf("start kfake: %v", sharedErr)
	}
	return shared
}

// StartCluster starts a kfake cluster of n brokers on loopback, accepting
// the short session timeouts of kafka.TestTuning.
func StartCluster(n int) (*kfake.Cluster, error) {
	return kfake.NewCluster(
		kfake.NumBrokers(n),
		kfake.AllowAutoTopicCreation(),
		kfake.DefaultNumPartitions(Partitions),
		kfake.GroupMinSessionTimeout(500*time.Millisecond),
	)
}

// Config returns a transport configuration for brokers with the test
// tuning.
func Config(brokers []string) kafka.Config {
	sc := kafka.NewSaramaConfig()
	kafka.TestTuning.Apply(sc)
	return kafka.Config{Brokers: brokers, Partitions: Partitions, Sarama: sc, RetryBackoff: 50 * time.Millisecond, CommitInterval: 100 * time.Millisecond}
}

// NewTransport returns a transport to brokers, closed when t ends.
func NewTransport(t testing.TB, brokers []string) *kafka.Transport {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tr, err := kafka.New(ctx, Config(brokers))
	if err != nil {
		t.Fatalf("kafka transport: %v", err)
	}
	t.Cleanup(func() { _ = tr.Close() })
	return tr
}
