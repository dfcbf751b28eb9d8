package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/backend/backendtest"
	"github.com/destill-dev/destill/backend/kafka/kafkatest"
	"github.com/destill-dev/destill/backend/postgres/postgrestest"
	"github.com/destill-dev/destill/providers/providertest"
)

// runEnv runs destill with args and env ("KEY", "value", ...).
func runEnv(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	streams, out, errOut := TestStreams("", env...)
	code := Main(context.Background(), append([]string{"destill"}, args...), streams)
	return code, out.String(), errOut.String()
}

func TestDistributedCommandsExplainMisuse(t *testing.T) {
	t.Parallel()
	url := "https://buildkite.com/acme/api/builds/1"
	tests := []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"submit on the memory backend", nil, []string{"submit", url}, "submit needs --backend=kafka: with --backend=memory the queue would live and die inside this process"},
		{"submit without brokers", []string{"DESTILL_BACKEND", "kafka"}, []string{"submit", url}, "--backend=kafka needs brokers: set DESTILL_KAFKA_BROKERS (or REDPANDA_BROKERS, or --brokers)"},
		{"submit a file", nil, []string{"submit", "build.log"}, "submit takes a build URL: the workers fetch the build themselves"},
		{"submit without a database", []string{"DESTILL_KAFKA_BROKERS", "127.0.0.1:9092"}, []string{"submit", "--backend", "kafka", url}, "submit needs PostgreSQL: set DESTILL_DATABASE_URL (or POSTGRES_DSN, or --database-url)"},
		{"unknown backend", nil, []string{"submit", "--backend", "redis", url}, `unknown --backend "redis": use memory or kafka`},
		{"ingest-worker on memory", nil, []string{"ingest-worker"}, "ingest-worker needs --backend=kafka"},
		{"analyze-worker without a database", []string{"REDPANDA_BROKERS", "127.0.0.1:9092"}, []string{"analyze-worker", "--backend", "kafka"}, "analyze-worker needs PostgreSQL"},
		{"bad database URL", []string{"POSTGRES_DSN", "not a url"}, []string{"migrate"}, "the database URL is neither a postgres:// URL nor a key=value connection string"},
		{"migrate without a database", nil, []string{"migrate"}, "migrate needs PostgreSQL"},
		{"view a request without a database", nil, []string{"view", "0b5e1a3c-1d2e-4f50-8a6b-7c8d9e0f1a2b"}, "viewing a submitted request needs PostgreSQL"},
		{"view a missing file", nil, []string{"view", "nowhere.json"}, "nowhere.json does not exist"},
		{"view --list with an argument", nil, []string{"view", "--list", "x"}, "view --list takes no argument"},
		{"submit --wait --format tui", []string{"DESTILL_BACKEND", "kafka", "DESTILL_KAFKA_BROKERS", "x:1", "DESTILL_DATABASE_URL", "postgres://h/db"}, []string{"submit", "--wait", "--format", "tui", url}, "submit --wait prints text, json or markdown"},
		{"analyze a file on kafka", []string{"DESTILL_BACKEND", "kafka"}, []string{"analyze", "build.log"}, "analyze --backend=kafka sends a build URL to the workers"},
		{"analyze on kafka without brokers", nil, []string{"analyze", "--backend", "kafka", url}, "analyze --backend=kafka needs brokers: set DESTILL_KAFKA_BROKERS (or REDPANDA_BROKERS)"},
		{"worker retries", []string{"DESTILL_KAFKA_BROKERS", "x:1", "DESTILL_DATABASE_URL", "postgres://h/db"}, []string{"ingest-worker", "--backend", "kafka", "--retries", "0"}, "--retries must be at least 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runEnv(t, tc.env, tc.args...)
			require.Equal(t, exitUsage, code, errOut)
			require.Empty(t, out)
			require.Contains(t, errOut, tc.want)
			require.Equal(t, 2, strings.Count(errOut, "\n"), "an error line and the usage hint: %q", errOut)
		})
	}
}

// TestUnreachableServersAreOneLineErrors: what a user gets when the
// broker or the database does not answer, with the seed's variable names.
func TestUnreachableServersAreOneLineErrors(t *testing.T) {
	t.Parallel()
	url := "https://buildkite.com/acme/api/builds/1"
	code, out, errOut := runEnv(t, []string{"DESTILL_BACKEND", "kafka", "REDPANDA_BROKERS", "127.0.0.1:1", "POSTGRES_DSN", "postgres://destill:hunter2pw@127.0.0.1:1/destill?sslmode=disable"}, "submit", url)
	require.Equal(t, exitFailure, code)
	require.Empty(t, out)
	require.Contains(t, errOut, "destill: cannot reach PostgreSQL at 127.0.0.1:1/destill")
	require.Contains(t, errOut, "(database from --database-url, DESTILL_DATABASE_URL or POSTGRES_DSN)")
	require.NotContains(t, errOut, "hunter2pw")
	require.Equal(t, 1, strings.Count(errOut, "\n"), errOut)

	dsn := postgrestest.NewSchema(t)
	code, _, errOut = runEnv(t, []string{"REDPANDA_BROKERS", "127.0.0.1:1", "POSTGRES_DSN", dsn}, "submit", "--backend", "kafka", url)
	require.Equal(t, exitFailure, code)
	require.Contains(t, errOut, "destill: cannot reach Kafka at 127.0.0.1:1")
	require.Contains(t, errOut, "(brokers from --brokers, DESTILL_KAFKA_BROKERS or REDPANDA_BROKERS)")
	require.Equal(t, 1, strings.Count(errOut, "\n"), errOut)

	// view on a schema nobody migrated says what to run.
	code, _, errOut = runEnv(t, []string{"DESTILL_DATABASE_URL", postgrestest.NewSchema(t)}, "view", "--list")
	require.Equal(t, exitFailure, code)
	require.Contains(t, errOut, "run `destill migrate`")
}

// TestSubmitViewAndWorkersInProcess runs the commands (workers included)
// through Main against kfake, PostgreSQL and the fake CI APIs.
func TestSubmitViewAndWorkersInProcess(t *testing.T) {
	t.Parallel()
	dsn := postgrestest.NewSchema(t)
	sc := providertest.DemoBuildkite()
	sc.Builds = append(sc.Builds, providertest.DemoJenkins().Builds[0]) // build 1
	sc.Token = secretToken
	fake := providertest.New(t, sc)
	brokers := strings.Join(kafkatest.Brokers(t), ",")
	prefix := backendtest.NewTopic(t) + "."
	env := append([]string{"DESTILL_KAFKA_BROKERS", brokers, "DESTILL_DATABASE_URL", dsn, "DESTILL_TOPIC_PREFIX", prefix}, fake.Env()...)

	code, out, errOut := runEnv(t, env, "migrate", "--status")
	require.Equal(t, exitOK, code, errOut)
	require.Regexp(t, `(?m)^1 +00001_requests\.sql +pending$`, out)
	code, out, errOut = runEnv(t, env, "migrate")
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "applied 1 00001_requests.sql")
	code, out, _ = runEnv(t, env, "migrate")
	require.Equal(t, exitOK, code)
	require.Equal(t, "the database schema is up to date\n", out)

	ctx, cancel := context.WithCancel(context.Background())
	var workers []chan int
	for _, w := range []string{"ingest-worker", "analyze-worker"} {
		streams, _, _ := TestStreams("", env...)
		workers = append(workers, startMain(ctx, streams, w, "--backend", "kafka", "--kafka-session-timeout", "2s", "--kafka-heartbeat", "200ms", "--kafka-max-wait", "100ms"))
	}
	defer func() {
		cancel()
		for _, w := range workers {
			require.Equal(t, exitOK, waitExit(t, w))
		}
	}()

	// submit --wait --json prints the findings document; the same as analyze.
	code, out, errOut = runEnv(t, env, "submit", "--backend", "kafka", "--wait", "--json", fake.WebURL(0))
	require.Equal(t, exitOK, code, errOut)
	var got analysis.Report
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	require.Equal(t, "done", got.Status)
	require.Regexp(t, `^[0-9a-f-]{36}$`, got.RequestID)
	require.Contains(t, errOut, "Submitted "+fake.WebURL(0)+" as request "+got.RequestID)
	require.NotContains(t, out+errOut, secretToken)
	// The workers compare with no passing logs (yet): so does this analyze.
	code, wantOut, errOut := runEnv(t, fake.Env(), "analyze", "--json", "--no-baseline", fake.WebURL(0))
	require.Equal(t, exitOK, code, errOut)
	var want analysis.Report
	require.NoError(t, json.Unmarshal([]byte(wantOut), &want))
	require.Equal(t, want.Findings, got.Findings)
	require.Equal(t, want.Jobs, got.Jobs)
	require.Equal(t, want.Summary, got.Summary)

	// analyze --backend=kafka goes through the workers and prints as analyze does.
	code, out, errOut = runEnv(t, env, "analyze", "--backend", "kafka", "--json", fake.WebURL(0))
	require.Equal(t, exitOK, code, errOut)
	var viaKafka analysis.Report
	require.NoError(t, json.Unmarshal([]byte(out), &viaKafka))
	require.Equal(t, want.Findings, viaKafka.Findings)
	require.Equal(t, "done", viaKafka.Status)

	// submit without --wait: the ID is the last line of stdout.
	code, out, errOut = runEnv(t, env, "submit", "--backend", "kafka", fake.WebURL(0))
	require.Equal(t, exitOK, code, errOut)
	id := strings.TrimSpace(out)
	require.Regexp(t, `^[0-9a-f-]{36}$`, id)
	require.Contains(t, errOut, "destill view "+id)
	require.Eventually(t, func() bool {
		_, out, _ := runEnv(t, env, "view", id, "--json")
		return strings.Contains(out, `"status": "done"`)
	}, time.Minute, 50*time.Millisecond)

	code, out, errOut = runEnv(t, env, "view", id)
	require.Equal(t, exitOK, code, errOut)
	require.True(t, strings.HasPrefix(out, fmt.Sprintf("Request %s: done: ", id)), out)
	require.Contains(t, out, want.Findings[0].Message)

	code, out, _ = runEnv(t, env, "view", fake.WebURL(0), "--format", "markdown")
	require.Equal(t, exitOK, code)
	require.Contains(t, out, want.Findings[0].Message)

	code, out, _ = runEnv(t, env, "view", "--list", "--json")
	require.Equal(t, exitOK, code)
	var list []requestListItem
	require.NoError(t, json.Unmarshal([]byte(out), &list))
	require.Len(t, list, 3)
	require.Equal(t, id, list[0].RequestID)
	require.Equal(t, want.Findings[0].Fingerprint, list[0].TopFinding.Fingerprint)

	code, out, _ = runEnv(t, env, "view", "--list")
	require.Equal(t, exitOK, code)
	require.Contains(t, out, id+"  done")

	// A request that fails says why, in view and in --list.
	code, out, errOut = runEnv(t, env, "submit", "--backend", "kafka", "--wait", "https://buildkite.com/acme/api/builds/999")
	require.Equal(t, exitFailure, code)
	require.Contains(t, out, ": failed: build acme/api #999 not found (404): check the URL")
	require.Contains(t, errOut, "as request")
	require.NotContains(t, errOut, "destill: ", "the text output already said why it failed")

	// A Jenkins build goes through the workers like any other.
	code, out, errOut = runEnv(t, env, "submit", "--backend", "kafka", "--wait", "--json", fake.WebURL(1))
	require.Equal(t, exitOK, code, errOut)
	var jenkins analysis.Report
	require.NoError(t, json.Unmarshal([]byte(out), &jenkins))
	require.Equal(t, "done", jenkins.Status)
	require.Equal(t, "jenkins", jenkins.Source.Kind)
	_, wantOut, _ = runEnv(t, fake.Env(), "analyze", "--json", "--no-baseline", fake.WebURL(1))
	var wantJenkins analysis.Report
	require.NoError(t, json.Unmarshal([]byte(wantOut), &wantJenkins))
	require.NotEmpty(t, wantJenkins.Findings)
	require.Equal(t, wantJenkins.Findings, jenkins.Findings)
	require.NotContains(t, out+errOut, secretToken)

	// A request ID nobody submitted.
	code, _, errOut = runEnv(t, env, "view", "0b5e1a3c-1d2e-4f50-8a6b-7c8d9e0f1a2b")
	require.Equal(t, exitFailure, code)
	require.Contains(t, errOut, "no request 0b5e1a3c-1d2e-4f50-8a6b-7c8d9e0f1a2b in the database")

	// On a terminal, view ID opens the interactive UI.
	scr := newRecordingScreen()
	streams, sum, _ := tuiStreams(scr, append(env, "NO_COLOR", "1")...)
	done := startMain(ctx, streams, "view", id)
	scr.waitFor(t, rowText(want.Findings[0]))
	scr.typeKeys("q")
	require.Equal(t, exitOK, waitExit(t, done))
	require.Contains(t, sum.String(), want.Findings[0].Message)
}
