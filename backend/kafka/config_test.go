package kafka_test

import (
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/destill-dev/destill/backend/kafka"
)

// TestReadTimeoutOutlastsRebalance: a JoinGroup or SyncGroup answer can
// take the whole rebalance timeout, so every configuration waits longer
// than that for an answer; otherwise a member that died mid-rebalance
// kept its group from ever forming again.
func TestReadTimeoutOutlastsRebalance(t *testing.T) {
	tests := []struct {
		name          string
		cfg           *sarama.Config
		tuning        kafka.Tuning
		wantRebalance time.Duration
		wantRead      time.Duration
	}{
		{"production", kafka.NewSaramaConfig(), kafka.Tuning{}, kafka.DefaultRebalanceTimeout, 30 * time.Second},
		{"tests", kafka.NewSaramaConfig(), kafka.TestTuning, 5 * time.Second, 30 * time.Second},
		{"sarama's defaults (60 s rebalance, 30 s read)", sarama.NewConfig(), kafka.Tuning{}, 60 * time.Second, 65 * time.Second},
		{"a long rebalance", kafka.NewSaramaConfig(), kafka.Tuning{RebalanceTimeout: 40 * time.Second}, 40 * time.Second, 45 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.tuning.Apply(tt.cfg)
			if got := tt.cfg.Consumer.Group.Rebalance.Timeout; got != tt.wantRebalance {
				t.Errorf("rebalance timeout %s, want %s", got, tt.wantRebalance)
			}
			if got := tt.cfg.Net.ReadTimeout; got != tt.wantRead {
				t.Errorf("read timeout %s, want %s", got, tt.wantRead)
			}
			if err := tt.cfg.Validate(); err != nil {
				t.Errorf("invalid configuration: %v", err)
			}
		})
	}
}
