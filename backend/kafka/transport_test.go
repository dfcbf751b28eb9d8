package kafka_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/destill-dev/destill/backend"
	"github.com/destill-dev/destill/backend/backendtest"
	"github.com/destill-dev/destill/backend/kafka"
	"github.com/destill-dev/destill/backend/kafka/kafkatest"
)

func TestTransportConformance(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	backendtest.RunTransportSuite(t, backendtest.TransportFeatures{},
		func(t *testing.T) backend.Transport { return kafkatest.NewTransport(t, brokers) })
}

func TestUnreachableBrokerIsOneLineError(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cfg := kafkatest.Config([]string{"127.0.0.1:1"})
	_, err := kafka.New(ctx, cfg)
	if err == nil {
		t.Fatal("connected to a port nothing listens on")
	}
	if !strings.Contains(err.Error(), "cannot reach Kafka at 127.0.0.1:1") || strings.Contains(err.Error(), "\n") {
		t.Errorf("error %q should be one line naming the broker", err)
	}
}

// TestSessionTimeoutBelowBrokerMinimumFailsAtOnce: a session timeout the
// broker refuses used to make Subscribe retry the join forever, silently.
// It is a configuration error: one line naming the flag to change.
func TestSessionTimeoutBelowBrokerMinimumFailsAtOnce(t *testing.T) {
	t.Parallel()
	cfg := kafkatest.Config(kafkatest.Brokers(t)) // the brokers refuse sessions under 500ms
	cfg.Sarama.Consumer.Group.Session.Timeout = 200 * time.Millisecond
	cfg.Sarama.Consumer.Group.Heartbeat.Interval = 50 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tr, err := kafka.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	err = tr.Subscribe(ctx, backendtest.NewTopic(t), "g", func(context.Context, backend.Message) error { return nil })
	if ctx.Err() != nil {
		t.Fatal("Subscribe kept trying to join")
	}
	if err == nil || !strings.Contains(err.Error(), "refuses the session timeout of 200ms") ||
		!strings.Contains(err.Error(), "--kafka-session-timeout") || strings.Contains(err.Error(), "\n") {
		t.Errorf("error %q should be one line naming the timeout and the flag", err)
	}
}

func eventually(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(within); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not %s within %s", what, within)
		}
	}
}

// TestReadyFollowsTheGroupAndTheBroker: Ready fails until the subscription
// has joined its group, then holds, and fails again (with a warning in the
// log) once the broker is gone.
func TestReadyFollowsTheGroupAndTheBroker(t *testing.T) {
	t.Parallel()
	cluster, err := kafkatest.StartCluster(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	var logs backendtest.LogBuffer
	cfg := kafkatest.Config(cluster.ListenAddrs())
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tr, err := kafka.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	ready := func() error {
		rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		return tr.Ready(rctx)
	}
	if err := ready(); err != nil {
		t.Fatalf("a transport that only publishes is ready: %v", err)
	}
	topic := backendtest.NewTopic(t)
	got := make(chan struct{}, 1)
	sub := make(chan error, 1)
	go func() {
		sub <- tr.Subscribe(ctx, topic, "g", func(context.Context, backend.Message) error {
			select {
			case got <- struct{}{}:
			default:
			}
			return nil
		})
	}()
	if err := tr.Publish(ctx, backend.Message{Topic: topic, Key: "k", Payload: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-got: // the member has joined and consumes
	case <-ctx.Done():
		t.Fatal("no message consumed")
	}
	if err := ready(); err != nil {
		t.Fatalf("consuming, yet not ready: %v", err)
	}

	cluster.Close()
	eventually(t, "unready with the broker gone", 10*time.Second, func() bool {
		err := ready()
		return err != nil && strings.Contains(err.Error(), "kafka:")
	})
	eventually(t, "warned about the broker", 20*time.Second, func() bool {
		return strings.Contains(logs.String(), "level=WARN msg=\"kafka: consumer")
	})
	cancel()
	select {
	case <-sub:
	case <-time.After(20 * time.Second):
		t.Fatal("Subscribe did not return")
	}
}
