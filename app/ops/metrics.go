package ops

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/destill-dev/destill/backend"
)

// Metric names, each labelled with stage and topic (the lag also with
// partition).
const (
	metricProcessed    = "destill_messages_processed_total"
	metricErrors       = "destill_message_errors_total"
	metricDeadLettered = "destill_messages_dead_lettered_total"
	metricDuration     = "destill_message_duration_seconds"
	metricLag          = "destill_consumer_lag"
)

// durationBuckets are the upper bounds of the message duration histogram:
// 1 ms to about 4.4 minutes, each four times the last.
var durationBuckets = metrics.ExponentialBuckets(0.001, 4, 10)

// Metrics are a worker's Prometheus metrics. It implements
// worker.Observer.
type Metrics struct {
	set   *metrics.Set
	stage string
}

// NewMetrics makes the worker metrics of one stage, on a set of their
// own. Writing them adds Go runtime and process metrics.
func NewMetrics(stage string) *Metrics {
	metrics.ExposeMetadata(true) // # TYPE lines, so that histograms read as histograms
	return &Metrics{set: metrics.NewSet(), stage: stage}
}

// WritePrometheus writes the metrics in Prometheus's text format.
func (m *Metrics) WritePrometheus(w io.Writer) {
	m.set.WritePrometheus(w)
	metrics.WriteProcessMetrics(w)
}

// Handled implements worker.Observer.
func (m *Metrics) Handled(msg backend.Message, took time.Duration, err error) {
	m.set.GetOrCreatePrometheusHistogramExt(m.name(metricDuration, msg.Topic), durationBuckets).Update(took.Seconds())
	m.set.GetOrCreateGauge(m.lagName(msg.Topic, msg.Partition), nil).Set(float64(msg.Lag))
	if err != nil {
		m.set.GetOrCreateCounter(m.name(metricErrors, msg.Topic)).Inc()
		return
	}
	m.set.GetOrCreateCounter(m.name(metricProcessed, msg.Topic)).Inc()
}

// DeadLettered implements worker.Observer.
func (m *Metrics) DeadLettered(topic string) {
	m.set.GetOrCreateCounter(m.name(metricDeadLettered, topic)).Inc()
}

// name is metric with the labels of this stage and topic, in the order
// Prometheus sorts them.
func (m *Metrics) name(metric, topic string) string {
	return fmt.Sprintf(`%s{stage=%q,topic=%q}`, metric, m.stage, topic)
}

func (m *Metrics) lagName(topic string, partition int32) string {
	return fmt.Sprintf(`%s{partition=%q,stage=%q,topic=%q}`, metricLag, strconv.Itoa(int(partition)), m.stage, topic)
}
