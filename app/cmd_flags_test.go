package app

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/urfave/cli/v3"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/cache"
	"github.com/destill-dev/destill/app/pipeline"
	"github.com/destill-dev/destill/app/worker"
	"github.com/destill-dev/destill/backend"
	"github.com/destill-dev/destill/backend/kafka"
)

// The TestNewCmdX tests check that each command parses its flags and
// arguments into its options, and refuses what it must, before anything
// runs: the run function they give the command only keeps the options.

const buildURL = "https://buildkite.com/acme/api/builds/1"

// flagCase is one command line of a TestNewCmdX table.
type flagCase[O any] struct {
	name string
	env  []string // "KEY", "value", ...
	tty  bool     // stdout is a terminal
	args []string // after the command's name
	want func(o *O)
	// wantErr, when set, is what the usage error says.
	wantErr string
}

// runFlagCases runs the cases on the command newCmd builds, named name;
// each case's want edits base into the options it expects.
func runFlagCases[O any](t *testing.T, name string, newCmd func(*Streams, runFunc[O]) *cli.Command, base O, cases []flagCase[O]) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			streams, _, _ := TestStreams("", tc.env...)
			streams.StdoutTTY = tc.tty
			got, err := parseCommand(newCmd, streams, append([]string{name}, tc.args...)...)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				require.Equal(t, exitUsage, exitCode(err), "a usage error")
				return
			}
			require.NoError(t, err)
			want := base
			if tc.want != nil {
				tc.want(&want)
			}
			require.Equal(t, want, got)
		})
	}
}

var defaultOutput = outputOptions{format: formatText}

func TestNewCmdAnalyze(t *testing.T) {
	base := analyzeOptions{
		arg: "build.log", output: defaultOutput, before: analysis.DefaultContextBefore, after: analysis.DefaultContextAfter,
		concurrency: pipeline.DefaultConcurrency, baselines: []string{}, backend: backendConfig{backend: backendMemory},
		timeout: DefaultRunTimeout,
	}
	runFlagCases(t, "analyze", newAnalyzeCommand, base, []flagCase[analyzeOptions]{
		{name: "a log file", args: []string{"build.log"}},
		{name: "on a terminal: the UI, in colour", tty: true, args: []string{"build.log"}, want: func(o *analyzeOptions) {
			o.output.format, o.output.color = formatTUI, true
		}},
		{name: "NO_COLOR", env: []string{"NO_COLOR", "1"}, tty: true, args: []string{"build.log"}, want: func(o *analyzeOptions) { o.output.format = formatTUI }},
		{name: "standard input piped in", tty: true, args: []string{"-"}, want: func(o *analyzeOptions) {
			o.arg, o.output.format, o.output.color = "-", formatTUI, true
		}},
		{name: "output flags", args: []string{"--json", "-n", "3", "--no-color", "--no-summary", "build.log"}, want: func(o *analyzeOptions) {
			o.output = outputOptions{format: formatJSON, formatSet: true, top: 3, topSet: true, noSummary: true}
		}},
		{name: "md is markdown", args: []string{"-f", "md", "build.log"}, want: func(o *analyzeOptions) {
			o.output = outputOptions{format: formatMarkdown, formatSet: true}
		}},
		{name: "analysis flags", args: []string{"-C", "2", "--all-jobs", "--concurrency", "3", "--baseline", "a.log", "--baseline", "b.log", "build.log"}, want: func(o *analyzeOptions) {
			o.before, o.after, o.allJobs, o.concurrency, o.baselines = 2, 2, true, 3, []string{"a.log", "b.log"}
		}},
		{name: "context before and after", args: []string{"--context", "0,7", "build.log"}, want: func(o *analyzeOptions) { o.before, o.after = 0, 7 }},
		{name: "timeout", args: []string{"--timeout", "90s", "build.log"}, want: func(o *analyzeOptions) { o.timeout = 90 * time.Second }},
		{name: "no timeout", args: []string{"--timeout", "0", "build.log"}, want: func(o *analyzeOptions) { o.timeout = 0 }},
		{name: "cache and API flags", args: []string{"--offline", "--cache-size", "1GB", "--github-api-url", "https://ghe.example.com/api/v3", "--no-baseline", "build.log"}, want: func(o *analyzeOptions) {
			o.cache = cacheFlags{offline: true, size: "1GB"}
			o.apiURLs.github = "https://ghe.example.com/api/v3"
			o.noBaseline = true
		}},
		{name: "a saved result", args: []string{"--cache", "result.json"}, want: func(o *analyzeOptions) { o.arg, o.savedResult = "", "result.json" }},
		{name: "the workers, from the environment", env: []string{"DESTILL_BACKEND", "kafka", "DESTILL_KAFKA_BROKERS", "k1:9092, k2:9092", "DESTILL_DATABASE_URL", "postgres://h/db"},
			args: []string{buildURL}, want: func(o *analyzeOptions) {
				o.arg = buildURL
				o.backend = backendConfig{backend: backendKafka, brokers: []string{"k1:9092", "k2:9092"}, databaseURL: "postgres://h/db", topics: worker.NewTopics("")}
			}},
		{name: "no argument", wantErr: "analyze needs a build URL"},
		{name: "two arguments", args: []string{"a", "b"}, wantErr: "takes one build URL or log file, got 2"},
		{name: "a saved result and a log", args: []string{"--cache", "r.json", "build.log"}, wantErr: "give no build URL or log file with it"},
		{name: "json and format", args: []string{"--json", "-f", "text", "build.log"}, wantErr: "--json and --format text contradict"},
		{name: "unknown format", args: []string{"-f", "xml", "build.log"}, wantErr: `unknown --format "xml"`},
		{name: "negative top", args: []string{"-n", "-1", "build.log"}, wantErr: "--top must be 0 (all) or more"},
		{name: "bad context", args: []string{"-C", "1,2,3", "build.log"}, wantErr: "--context takes B,A or one number"},
		{name: "no concurrency", args: []string{"--concurrency", "0", "build.log"}, wantErr: "--concurrency must be at least 1"},
		{name: "negative timeout", args: []string{"--timeout", "-1s", "build.log"}, wantErr: "--timeout must be 0 (no limit) or more"},
		{name: "baseline and no baseline", args: []string{"--baseline", "a.log", "--no-baseline", "build.log"}, wantErr: "contradict each other"},
		{name: "offline and no cache", args: []string{"--offline", "--no-cache", "build.log"}, wantErr: "--offline and --no-cache contradict"},
		{name: "bad cache size", args: []string{"--cache-size", "lots", "build.log"}, wantErr: "--cache-size"},
		{name: "unknown backend", args: []string{"--backend", "redis", "build.log"}, wantErr: `unknown --backend "redis"`},
	})
}

func TestNewCmdView(t *testing.T) {
	base := viewOptions{arg: "result.json", output: defaultOutput, limit: 20, timeout: 30 * time.Minute, backend: backendConfig{backend: backendMemory}}
	runFlagCases(t, "view", newViewCommand, base, []flagCase[viewOptions]{
		{name: "a saved result", args: []string{"result.json"}},
		{name: "on a terminal: the UI, in colour", tty: true, args: []string{"result.json"}, want: func(o *viewOptions) {
			o.output.format, o.output.color = formatTUI, true
		}},
		{name: "the same output flags as analyze", tty: true, args: []string{"--format", "markdown", "--top", "0", "--no-summary", "--no-color", "result.json"}, want: func(o *viewOptions) {
			o.output = outputOptions{format: formatMarkdown, formatSet: true, topSet: true, color: false, noSummary: true}
		}},
		{name: "a request, with the database from the environment", env: []string{"POSTGRES_DSN", "postgres://h/db"}, args: []string{"0b5e1a3c-1d2e-4f50-8a6b-7c8d9e0f1a2b"}, want: func(o *viewOptions) {
			o.arg, o.backend.databaseURL = "0b5e1a3c-1d2e-4f50-8a6b-7c8d9e0f1a2b", "postgres://h/db"
		}},
		{name: "--database-url wins over the environment", env: []string{"DESTILL_DATABASE_URL", "postgres://env/db"}, args: []string{"--database-url", "postgres://flag/db", "x"}, want: func(o *viewOptions) {
			o.arg, o.backend.databaseURL = "x", "postgres://flag/db"
		}},
		{name: "list", args: []string{"--list", "--limit", "5", "--json"}, want: func(o *viewOptions) {
			o.arg, o.list, o.limit = "", true, 5
			o.output = outputOptions{format: formatJSON, formatSet: true}
		}},
		{name: "wait for a request", args: []string{"--wait", "--timeout", "2m", "x"}, want: func(o *viewOptions) {
			o.arg, o.wait, o.timeout = "x", true, 2*time.Minute
		}},
		{name: "list and wait", args: []string{"-l", "-w"}, wantErr: "--wait waits for one request"},
		{name: "no argument", wantErr: "view needs a saved result"},
		{name: "two arguments", args: []string{"a", "b"}, wantErr: "got 2 arguments"},
		{name: "list with an argument", args: []string{"-l", "x"}, wantErr: "view --list takes no argument"},
		{name: "list without a limit", args: []string{"-l", "--limit", "0"}, wantErr: "--limit must be at least 1"},
		{name: "unknown format", args: []string{"-f", "html", "x"}, wantErr: `unknown --format "html"`},
	})
}

func TestNewCmdSubmit(t *testing.T) {
	env := []string{"DESTILL_BACKEND", "kafka", "DESTILL_KAFKA_BROKERS", "k:9092", "DESTILL_DATABASE_URL", "postgres://h/db"}
	base := submitOptions{
		input: buildURL, timeout: 30 * time.Minute, output: defaultOutput,
		backend: backendConfig{backend: backendKafka, brokers: []string{"k:9092"}, databaseURL: "postgres://h/db", topics: worker.NewTopics(""), partitions: 12},
	}
	runFlagCases(t, "submit", newSubmitCommand, base, []flagCase[submitOptions]{
		{name: "a build URL", env: env, args: []string{buildURL}},
		{name: "on a terminal it still prints text", env: env, tty: true, args: []string{buildURL}, want: func(o *submitOptions) { o.output.color = true }},
		{name: "wait for JSON", env: env, args: []string{"-w", "--timeout", "1m", "--json", buildURL}, want: func(o *submitOptions) {
			o.wait, o.timeout = true, time.Minute
			o.output = outputOptions{format: formatJSON, formatSet: true}
		}},
		{name: "analysis options", env: env, args: []string{"--all-jobs", "-C", "0,4", buildURL}, want: func(o *submitOptions) {
			o.analysis = backend.AnalysisOptions{AllJobs: true, ContextBefore: -1, ContextAfter: 4}
		}},
		{name: "Kafka flags", env: env, args: []string{"--brokers", "a:1,b:2", "--topic-prefix", "t-", "--partitions", "3", "--kafka-max-wait", "2s", buildURL}, want: func(o *submitOptions) {
			o.backend.brokers, o.backend.topics, o.backend.partitions = []string{"a:1", "b:2"}, worker.NewTopics("t-"), 3
			o.backend.tuning.MaxWaitTime = 2 * time.Second
		}},
		{name: "no argument", env: env, wantErr: "submit takes one build URL, got 0"},
		{name: "a file", env: env, args: []string{"build.log"}, wantErr: "submit takes a build URL"},
		{name: "on the memory backend", args: []string{buildURL}, wantErr: "submit needs --backend=kafka"},
		{name: "without a database", env: env[:4], args: []string{buildURL}, wantErr: "submit needs PostgreSQL"},
		{name: "the UI", env: env, args: []string{"-f", "tui", buildURL}, wantErr: "submit --wait prints text, json or markdown"},
		{name: "bad context", env: env, args: []string{"-C", "x", buildURL}, wantErr: "--context takes numbers"},
	})
}

func TestNewCmdWorkers(t *testing.T) {
	env := []string{"DESTILL_KAFKA_BROKERS", "k:9092", "DESTILL_DATABASE_URL", "postgres://h/db", "DESTILL_METRICS_ADDR", ":9090"}
	type parsed struct {
		stage, group, metricsAddr string
		retry                     worker.RetryPolicy
		drain                     time.Duration
		migrate                   bool
		concurrency               int
		debug                     bool
		tuning                    kafka.Tuning
	}
	// The logger and the stage's functions cannot be compared: keep what
	// the flags chose.
	summary := func(o workerOptions) parsed {
		return parsed{o.spec.stage, o.group, o.metricsAddr, o.retry, o.drainTimeout, o.migrate, o.concurrency,
			o.log.Enabled(context.Background(), slog.LevelDebug), o.backend.tuning}
	}
	tests := []struct {
		name    string
		newCmd  func(*Streams, runFunc[workerOptions]) *cli.Command
		args    []string
		want    parsed
		wantErr string
	}{
		{"ingest defaults", newIngestWorkerCommand, []string{"--backend", "kafka"},
			parsed{"ingest", worker.IngestGroup, ":9090", worker.RetryPolicy{Attempts: worker.DefaultAttempts, Backoff: worker.DefaultBackoff}, 20 * time.Second, true, pipeline.DefaultConcurrency, false, kafka.Tuning{}}, ""},
		{"analyze with flags", newAnalyzeWorkerCommand, []string{"--backend", "kafka", "--group", "g", "--metrics-addr", "", "--retries", "2", "--retry-backoff", "1s",
			"--drain-timeout", "5s", "--no-migrate", "--log-level", "debug", "--kafka-session-timeout", "2s", "--kafka-heartbeat", "200ms", "--kafka-max-wait", "100ms"},
			parsed{"analyze", "g", "", worker.RetryPolicy{Attempts: 2, Backoff: time.Second}, 5 * time.Second, false, 0, true,
				kafka.Tuning{SessionTimeout: 2 * time.Second, HeartbeatInterval: 200 * time.Millisecond, MaxWaitTime: 100 * time.Millisecond}}, ""},
		{"ingest concurrency", newIngestWorkerCommand, []string{"--backend", "kafka", "--concurrency", "2"},
			parsed{"ingest", worker.IngestGroup, ":9090", worker.RetryPolicy{Attempts: worker.DefaultAttempts, Backoff: worker.DefaultBackoff}, 20 * time.Second, true, 2, false, kafka.Tuning{}}, ""},
		{"memory backend", newAnalyzeWorkerCommand, nil, parsed{}, "analyze-worker needs --backend=kafka"},
		{"no retries", newIngestWorkerCommand, []string{"--backend", "kafka", "--retries", "0"}, parsed{}, "--retries must be at least 1"},
		{"bad log level", newIngestWorkerCommand, []string{"--backend", "kafka", "--log-level", "loud"}, parsed{}, `unknown log level "loud"`},
		{"bad log format", newAnalyzeWorkerCommand, []string{"--backend", "kafka", "--log-format", "xml"}, parsed{}, `unknown log format "xml"`},
		// A heartbeat not below the session timeout never keeps the session.
		{"heartbeat not below the session", newAnalyzeWorkerCommand, []string{"--backend", "kafka", "--kafka-session-timeout", "2s", "--kafka-heartbeat", "3s"},
			parsed{}, "--kafka-heartbeat (3s) must be shorter than the session timeout (2s, --kafka-session-timeout)"},
		{"session below the default heartbeat", newIngestWorkerCommand, []string{"--backend", "kafka", "--kafka-session-timeout", "3s"},
			parsed{}, "--kafka-heartbeat (3s) must be shorter than the session timeout (3s, --kafka-session-timeout)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			streams, _, _ := TestStreams("", env...)
			name := "ingest-worker"
			got, err := parseCommand(tc.newCmd, streams, append([]string{name}, tc.args...)...)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				require.Equal(t, exitUsage, exitCode(err))
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, summary(got))
			require.Equal(t, []string{"k:9092"}, got.backend.brokers)
			require.Equal(t, "postgres://h/db", got.backend.databaseURL)
		})
	}
}

func TestNewCmdMCP(t *testing.T) {
	dirA, dirB := t.TempDir(), t.TempDir()
	file := filepath.Join(dirA, "ci.log")
	require.NoError(t, os.WriteFile(file, []byte("log\n"), 0o600))
	base := mcpOptions{maxRequests: 20, concurrency: pipeline.DefaultConcurrency, logLevel: slog.LevelInfo, allowDirs: []string{}, backend: backendConfig{backend: backendMemory}}
	runFlagCases(t, "mcp", newMCPCommand, base, []flagCase[mcpOptions]{
		{name: "defaults"},
		{name: "flags", args: []string{"--max-requests", "3", "--concurrency", "2", "--log-level", "debug", "--database-url", "postgres://h/db"}, want: func(o *mcpOptions) {
			o.maxRequests, o.concurrency, o.logLevel, o.backend.databaseURL = 3, 2, slog.LevelDebug, "postgres://h/db"
		}},
		{name: "allowed directories", args: []string{"--allow-dir", dirA, "--allow-dir", dirB}, want: func(o *mcpOptions) {
			o.allowDirs = []string{dirA, dirB}
		}},
		{name: "an allowed directory that is a file", args: []string{"--allow-dir", file}, wantErr: "--allow-dir " + file + ": not a directory"},
		{name: "an allowed directory that does not exist", args: []string{"--allow-dir", filepath.Join(dirA, "nope")}, wantErr: "not a directory; name a directory that exists"},
		{name: "an argument", args: []string{"x"}, wantErr: "mcp takes no arguments"},
		{name: "bad log level", args: []string{"--log-level", "loud"}, wantErr: `unknown --log-level "loud"`},
		{name: "no requests", args: []string{"--max-requests", "0"}, wantErr: "--max-requests must be at least 1"},
		{name: "no concurrency", args: []string{"--concurrency", "0"}, wantErr: "--concurrency must be at least 1"},
		{name: "bad database URL", env: []string{"DESTILL_DATABASE_URL", "not a url"}, wantErr: "neither a postgres:// URL"},
	})
}

func TestNewCmdEval(t *testing.T) {
	base := evalOptions{dir: "corpus", field: "auto", analysis: analysis.Options{ContextBefore: analysis.DefaultContextBefore, ContextAfter: analysis.DefaultContextAfter}}
	runFlagCases(t, "eval", newEvalCommand, base, []flagCase[evalOptions]{
		{name: "a corpus", args: []string{"corpus"}},
		{name: "targets", args: []string{"--misses", "--baseline", "--min-top1", "0.9", "--min-top5", "0.95", "--max-median-lines", "40", "-C", "0", "corpus"}, want: func(o *evalOptions) {
			o.misses, o.baseline, o.minTop1, o.minTop5, o.maxMedianLines = true, true, 0.9, 0.95, 40
			o.analysis = analysis.Options{ContextBefore: -1, ContextAfter: -1}
		}},
		{name: "scoring", args: []string{"--field", "critical_lines", "--split", "--by", "language", "corpus"}, want: func(o *evalOptions) {
			o.field, o.split, o.by = "critical_lines", true, "language"
		}},
		{name: "unknown field", args: []string{"--field", "lines", "corpus"}, wantErr: "--field"},
		{name: "unknown group", args: []string{"--by", "owner", "corpus"}, wantErr: "--by"},
		{name: "no corpus", wantErr: "eval takes one corpus directory"},
		{name: "bad context", args: []string{"-C", "-1", "corpus"}, wantErr: "--context takes numbers"},
	})
}

func TestNewCmdMigrate(t *testing.T) {
	base := migrateOptions{backend: backendConfig{backend: backendMemory, databaseURL: "postgres://h/db"}}
	env := []string{"DESTILL_DATABASE_URL", "postgres://h/db"}
	runFlagCases(t, "migrate", newMigrateCommand, base, []flagCase[migrateOptions]{
		{name: "apply", env: env},
		{name: "status", env: env, args: []string{"--status"}, want: func(o *migrateOptions) { o.status = true }},
		{name: "no database", wantErr: "migrate needs PostgreSQL"},
		{name: "an argument", env: env, args: []string{"up"}, wantErr: "migrate takes no argument"},
	})
}

func TestNewCmdHealthcheck(t *testing.T) {
	base := healthcheckOptions{url: defaultHealthcheckURL, timeout: 3 * time.Second}
	runFlagCases(t, "healthcheck", newHealthcheckCommand, base, []flagCase[healthcheckOptions]{
		{name: "defaults"},
		{name: "flags", args: []string{"--url", "http://w:9090/healthz", "--timeout", "1s"}, want: func(o *healthcheckOptions) {
			o.url, o.timeout = "http://w:9090/healthz", time.Second
		}},
		{name: "an argument", args: []string{"http://w"}, wantErr: "healthcheck takes no arguments"},
	})
}

func TestNewCmdCache(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		wantList  *cacheListOptions
		wantPrune *cachePruneOptions
		wantErr   string
	}{
		{name: "ls", args: []string{"ls"}, wantList: &cacheListOptions{}},
		{name: "ls --json", args: []string{"ls", "--json"}, wantList: &cacheListOptions{json: true}},
		{name: "ls -f json", args: []string{"ls", "-f", "json"}, wantList: &cacheListOptions{json: true}},
		{name: "prune", args: []string{"prune"}, wantPrune: &cachePruneOptions{}},
		{name: "prune flags", args: []string{"prune", "--older-than", "2w", "--cache-size", "1GiB"}, wantPrune: &cachePruneOptions{size: "1GiB", prune: cache.PruneOptions{OlderThan: 14 * 24 * time.Hour}}},
		{name: "prune --all", args: []string{"prune", "--all"}, wantPrune: &cachePruneOptions{prune: cache.PruneOptions{All: true}}},
		{name: "ls markdown", args: []string{"ls", "-f", "markdown"}, wantErr: `unknown --format "markdown": use text or json`},
		{name: "ls json and text", args: []string{"ls", "--json", "-f", "text"}, wantErr: "contradict"},
		{name: "ls argument", args: []string{"ls", "x"}, wantErr: "cache ls takes no arguments"},
		{name: "prune argument", args: []string{"prune", "7d"}, wantErr: "did you mean --older-than 7d?"},
		{name: "prune all and older", args: []string{"prune", "--all", "--older-than", "1d"}, wantErr: "--all and --older-than contradict"},
		{name: "prune bad age", args: []string{"prune", "--older-than", "soon"}, wantErr: "--older-than"},
		{name: "prune bad size", args: []string{"prune", "--cache-size", "big"}, wantErr: "--cache-size"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			streams, _, _ := TestStreams("")
			var list *cacheListOptions
			var prune *cachePruneOptions
			cmd := newCacheCommand(streams,
				func(_ context.Context, _ *Streams, o cacheListOptions) error { list = &o; return nil },
				func(_ context.Context, _ *Streams, o cachePruneOptions) error { prune = &o; return nil })
			err := cmd.Run(context.Background(), append([]string{"cache"}, tc.args...))
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				require.Equal(t, exitUsage, exitCode(err))
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.wantList, list)
			require.Equal(t, tc.wantPrune, prune)
		})
	}
}
