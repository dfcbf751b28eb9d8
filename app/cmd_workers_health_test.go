package app

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/backend/kafka/kafkatest"
	"github.com/destill-dev/destill/backend/postgres/postgrestest"
)

// workerEnv is the environment of a worker on brokers and a fresh schema.
func workerEnv(t *testing.T, brokers []string) []string {
	return []string{"DESTILL_KAFKA_BROKERS", strings.Join(brokers, ","), "DESTILL_DATABASE_URL", postgrestest.NewSchema(t),
		"DESTILL_TOPIC_PREFIX", "health-" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-")) + "."}
}

// readyz answers GET /readyz of the worker whose JSON log is in logs.
func readyz(t *testing.T, logs *syncBuffer) func() (int, string) {
	var addr string
	require.Eventually(t, func() bool {
		for _, l := range strings.Split(logs.String(), "\n") {
			var v struct{ Msg, Addr string }
			if json.Unmarshal([]byte(l), &v) == nil && strings.HasPrefix(v.Msg, "serving /healthz") {
				addr = v.Addr
				return true
			}
		}
		return false
	}, 30*time.Second, 20*time.Millisecond, "the worker never served /readyz: %s", logs)
	return func() (int, string) {
		resp, err := http.Get(addr + "/readyz")
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
}

// TestWorkerReadinessFollowsTheBroker: /readyz answers 200 only once the
// worker's consumer has joined its group, and 503 (with a warning in the
// log) once the broker is gone.
func TestWorkerReadinessFollowsTheBroker(t *testing.T) {
	t.Parallel()
	cluster, err := kafkatest.StartCluster(1)
	require.NoError(t, err)
	defer cluster.Close()
	streams, _, _ := TestStreams("", workerEnv(t, cluster.ListenAddrs())...)
	logs := &syncBuffer{}
	streams.ErrOut = logs
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	code := startMain(ctx, streams, "analyze-worker", "--backend", "kafka", "--metrics-addr", "127.0.0.1:0", "--log-format", "json",
		"--kafka-session-timeout", "2s", "--kafka-heartbeat", "200ms", "--kafka-max-wait", "100ms")
	get := readyz(t, logs)
	require.Eventually(t, func() bool { c, _ := get(); return c == http.StatusOK }, 30*time.Second, 20*time.Millisecond, "never ready")

	cluster.Close()
	var body string
	require.Eventually(t, func() bool {
		var c int
		c, body = get()
		return c == http.StatusServiceUnavailable
	}, 10*time.Second, 50*time.Millisecond, "still ready with the broker gone")
	require.Contains(t, body, "not ready: kafka:")
	require.Eventually(t, func() bool { return strings.Contains(logs.String(), `"level":"WARN","msg":"kafka: consumer`) },
		30*time.Second, 50*time.Millisecond, "no warning about the broker: %s", logs)
	cancel()
	require.Equal(t, exitOK, waitExit(t, code))
}

// TestWorkerRefusedSessionTimeoutFailsAtStart: a session timeout below the
// broker's minimum used to leave the worker unjoined, silent and ready.
// It now stops at once with one line naming the flag.
func TestWorkerRefusedSessionTimeoutFailsAtStart(t *testing.T) {
	t.Parallel()
	streams, out, errOut := TestStreams("", workerEnv(t, kafkatest.Brokers(t))...) // the brokers' minimum is 500ms
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	code := startMain(ctx, streams, "ingest-worker", "--backend", "kafka", "--log-format", "text",
		"--kafka-session-timeout", "200ms", "--kafka-heartbeat", "50ms")
	require.Equal(t, exitFailure, waitExit(t, code), errOut.String())
	require.Empty(t, out.String())
	// One error line; the worker's own log lines may come before or after it.
	require.Regexp(t, `(?m)^destill: .*refuses the session timeout of 200ms.*set --kafka-session-timeout`, errOut.String())
	require.Equal(t, 1, strings.Count(errOut.String(), "destill: "), errOut.String())
}

// TestWorkerHeartbeatNotBelowSessionIsAUsageError names both flags.
func TestWorkerHeartbeatNotBelowSessionIsAUsageError(t *testing.T) {
	t.Parallel()
	code, _, errOut := runEnv(t, []string{"DESTILL_KAFKA_BROKERS", "127.0.0.1:1", "DESTILL_DATABASE_URL", "postgres://u@127.0.0.1:1/db"},
		"analyze-worker", "--backend", "kafka", "--kafka-session-timeout", "2s", "--kafka-heartbeat", "3s")
	require.Equal(t, exitUsage, code, errOut)
	require.Contains(t, errOut, "--kafka-heartbeat (3s) must be shorter than the session timeout (2s, --kafka-session-timeout)")
}
