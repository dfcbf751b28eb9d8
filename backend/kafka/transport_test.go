package kafka_test

import (
	"context"
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
