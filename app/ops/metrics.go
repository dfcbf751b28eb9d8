package ops

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/destill-dev/destill/backend"
)

// Metrics are a worker's Prometheus metrics. It implements
// worker.Observer.
type Metrics struct {
	Registry     *prometheus.Registry
	processed    *prometheus.CounterVec
	errors       *prometheus.CounterVec
	deadLettered *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	lag          *prometheus.GaugeVec
}

// NewMetrics registers the worker metrics, with Go runtime and process
// metrics, on a registry of their own.
func NewMetrics(stage string) *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	labels := prometheus.Labels{"stage": stage}
	m := &Metrics{
		Registry: reg,
		processed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "destill_messages_processed_total", Help: "Messages handled successfully.", ConstLabels: labels,
		}, []string{"topic"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "destill_message_errors_total", Help: "Handler attempts that failed (each is retried or dead-lettered).", ConstLabels: labels,
		}, []string{"topic"}),
		deadLettered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "destill_messages_dead_lettered_total", Help: "Messages sent to the dead-letter topic after failing every try.", ConstLabels: labels,
		}, []string{"topic"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "destill_message_duration_seconds", Help: "Time to handle one message, failed attempts included.", ConstLabels: labels,
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 10),
		}, []string{"topic"}),
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "destill_consumer_lag", Help: "Messages waiting behind the last one delivered, per partition.", ConstLabels: labels,
		}, []string{"topic", "partition"}),
	}
	reg.MustRegister(m.processed, m.errors, m.deadLettered, m.duration, m.lag)
	return m
}

// Handled implements worker.Observer.
func (m *Metrics) Handled(msg backend.Message, took time.Duration, err error) {
	m.duration.WithLabelValues(msg.Topic).Observe(took.Seconds())
	m.lag.WithLabelValues(msg.Topic, strconv.Itoa(int(msg.Partition))).Set(float64(msg.Lag))
	if err != nil {
		m.errors.WithLabelValues(msg.Topic).Inc()
		return
	}
	m.processed.WithLabelValues(msg.Topic).Inc()
}

// DeadLettered implements worker.Observer.
func (m *Metrics) DeadLettered(topic string) {
	m.deadLettered.WithLabelValues(topic).Inc()
}
