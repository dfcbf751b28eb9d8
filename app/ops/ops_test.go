package ops

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/backend"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

func TestServerHealthReadinessAndMetrics(t *testing.T) {
	t.Parallel()
	m := NewMetrics("analyze")
	var dbErr error
	srv, err := Listen("127.0.0.1:0", m, func(context.Context) error { return dbErr }, nil)
	require.NoError(t, err)
	defer srv.Close()
	base := "http://" + srv.Addr()

	code, body := get(t, base+"/healthz")
	require.Equal(t, 200, code)
	require.Equal(t, "ok\n", body)
	code, body = get(t, base+"/readyz")
	require.Equal(t, 503, code, "not ready before the worker consumes")
	require.Contains(t, body, "starting or shutting down")
	srv.SetReady(true)
	code, _ = get(t, base+"/readyz")
	require.Equal(t, 200, code)
	dbErr = errors.New("connection refused")
	code, body = get(t, base+"/readyz")
	require.Equal(t, 503, code)
	require.Contains(t, body, "connection refused")

	msg := backend.Message{Topic: "destill.chunks", Partition: 3, Lag: 42}
	m.Handled(msg, 20*time.Millisecond, nil)
	m.Handled(msg, 5*time.Millisecond, errors.New("disk full"))
	m.DeadLettered("destill.chunks")
	_, body = get(t, base+"/metrics")
	for _, want := range []string{
		`destill_messages_processed_total{stage="analyze",topic="destill.chunks"} 1`,
		`destill_message_errors_total{stage="analyze",topic="destill.chunks"} 1`,
		`destill_messages_dead_lettered_total{stage="analyze",topic="destill.chunks"} 1`,
		`destill_consumer_lag{partition="3",stage="analyze",topic="destill.chunks"} 42`,
		`destill_message_duration_seconds_count{stage="analyze",topic="destill.chunks"} 2`,
		`destill_message_duration_seconds_bucket{stage="analyze",topic="destill.chunks",le="0.016"} 1`,
		`destill_message_duration_seconds_bucket{stage="analyze",topic="destill.chunks",le="0.064"} 2`,
		"# TYPE destill_message_duration_seconds histogram",
		"# TYPE destill_messages_processed_total counter",
		"# TYPE destill_consumer_lag gauge",
		`go_goroutines`,
		`process_resident_memory_bytes`,
	} {
		require.Contains(t, body, want)
	}
	_, err = Listen(srv.Addr(), m, nil, nil)
	require.ErrorContains(t, err, "metrics address "+srv.Addr())
}

func TestLoggerFormats(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		format   string
		terminal bool
		json     bool
	}{
		{"auto", false, true},
		{"auto", true, false},
		{"json", true, true},
		{"text", false, false},
	} {
		var b bytes.Buffer
		log, err := NewLogger(&b, tc.format, "info", tc.terminal)
		require.NoError(t, err)
		log.Debug("hidden")
		log.Info("worker started", "topic", "destill.requests")
		out := b.String()
		require.NotContains(t, out, "hidden")
		require.Equal(t, tc.json, strings.HasPrefix(out, `{"time":`), "%s terminal=%v: %s", tc.format, tc.terminal, out)
		require.Contains(t, out, "destill.requests")
	}
	_, err := NewLogger(io.Discard, "xml", "info", false)
	require.ErrorContains(t, err, `unknown log format "xml"`)
	_, err = NewLogger(io.Discard, "json", "loud", false)
	require.ErrorContains(t, err, `unknown log level "loud"`)
}

// TestMetricsParseAsPrometheusText: what /metrics writes parses with
// Prometheus's own text parser (legacy names), each family once with its
// type, and the duration histogram's buckets add up to its count.
func TestMetricsParseAsPrometheusText(t *testing.T) {
	t.Parallel()
	m := NewMetrics("ingest")
	for i, took := range []time.Duration{500 * time.Microsecond, 3 * time.Millisecond, 2 * time.Second, 10 * time.Minute} {
		m.Handled(backend.Message{Topic: "destill.logs", Partition: int32(i % 2), Lag: int64(i)}, took, nil)
	}
	m.Handled(backend.Message{Topic: "destill.chunks"}, time.Millisecond, errors.New("bad chunk"))
	m.DeadLettered("destill.chunks")
	var out bytes.Buffer
	m.WritePrometheus(&out)
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(&out)
	require.NoError(t, err)
	tests := []struct {
		name string
		typ  dto.MetricType
	}{
		{"destill_messages_processed_total", dto.MetricType_COUNTER},
		{"destill_message_errors_total", dto.MetricType_COUNTER},
		{"destill_messages_dead_lettered_total", dto.MetricType_COUNTER},
		{"destill_consumer_lag", dto.MetricType_GAUGE},
		{"destill_message_duration_seconds", dto.MetricType_HISTOGRAM},
		{"go_goroutines", dto.MetricType_GAUGE},
		{"process_cpu_seconds_total", dto.MetricType_COUNTER},
		{"process_resident_memory_bytes", dto.MetricType_GAUGE},
	}
	for _, tt := range tests {
		f, ok := families[tt.name]
		require.True(t, ok, "no family %s", tt.name)
		require.Equal(t, tt.typ, f.GetType(), tt.name)
	}
	require.Len(t, families["destill_consumer_lag"].GetMetric(), 3, "one lag per topic and partition")
	for _, s := range families["destill_message_duration_seconds"].GetMetric() {
		h := s.GetHistogram()
		buckets := h.GetBucket()
		require.Len(t, buckets, len(durationBuckets)+1, "the bounds and +Inf")
		if s.GetLabel()[1].GetValue() == "destill.logs" {
			require.Equal(t, uint64(4), h.GetSampleCount())
			require.Equal(t, uint64(1), buckets[0].GetCumulativeCount(), "0.5 ms is under 1 ms")
			require.Equal(t, uint64(3), buckets[len(buckets)-2].GetCumulativeCount(), "10 minutes is over the last bound")
			require.Equal(t, uint64(4), buckets[len(buckets)-1].GetCumulativeCount())
			require.InDelta(t, 602.0035, h.GetSampleSum(), 1e-9)
		}
	}
}
