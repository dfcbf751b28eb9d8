package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/ops"
	"github.com/destill-dev/destill/app/pipeline"
	"github.com/destill-dev/destill/app/sources"
	"github.com/destill-dev/destill/app/worker"
	"github.com/destill-dev/destill/backend"
)

// workerFlags are the flags both workers take.
func workerFlags() []cli.Flag {
	flags := []cli.Flag{backendFlag(), databaseFlag()}
	flags = append(flags, kafkaFlags()...)
	return append(flags,
		&cli.StringFlag{Name: "group", Usage: "consumer group (workers of one group share the work)"},
		&cli.StringFlag{Name: "metrics-addr", Usage: "serve /healthz, /readyz and Prometheus /metrics on `host:port` (env " + envMetricsAddr + "; empty: off)"},
		&cli.StringFlag{Name: "log-level", Usage: "debug, info, warn or error (env " + envLogLevel + ")", Value: "info"},
		&cli.StringFlag{Name: "log-format", Usage: "auto (JSON unless stderr is a terminal), json or text (env " + envLogFormat + ")", Value: "auto"},
		&cli.IntFlag{Name: "retries", Usage: "tries of a failing message before it goes to the dead-letter topic", Value: worker.DefaultAttempts},
		&cli.DurationFlag{Name: "retry-backoff", Usage: "first pause between tries (doubles each time, up to 30s)", Value: worker.DefaultBackoff},
		&cli.DurationFlag{Name: "drain-timeout", Usage: "on SIGTERM, how long in-flight messages may take to finish before they are handed back", Value: 20 * time.Second},
		&cli.BoolFlag{Name: "no-migrate", Usage: "do not apply database migrations at start (run 'destill migrate' instead)"},
	)
}

// workerSpec is what differs between the two workers.
type workerSpec struct {
	name  string // "ingest-worker"
	stage string // "ingest", for metrics and logs
	group string
	topic func(worker.Topics) string
	// handler builds the stage's handler on the open backends.
	handler func(streams *Streams, opts workerOptions, tr backend.Transport, store backend.Store, log *slog.Logger) backend.Handler
}

// workerOptions are the parsed flags of a worker.
type workerOptions struct {
	spec    workerSpec
	backend backendConfig
	// group is the consumer group: --group, else the stage's.
	group string
	// metricsAddr serves /healthz, /readyz and /metrics ("": off).
	metricsAddr string
	// log is the logger --log-level and --log-format chose, on stderr.
	log          *slog.Logger
	retry        worker.RetryPolicy
	drainTimeout time.Duration
	migrate      bool
	// concurrency is the job logs an ingest-worker reads at once per
	// request.
	concurrency int
}

func newIngestWorkerCommand(streams *Streams, run runFunc[workerOptions]) *cli.Command {
	spec := workerSpec{
		name: "ingest-worker", stage: "ingest", group: worker.IngestGroup,
		topic: func(t worker.Topics) string { return t.Requests },
		handler: func(streams *Streams, opts workerOptions, tr backend.Transport, store backend.Store, log *slog.Logger) backend.Handler {
			in := &worker.Ingest{
				Transport:   tr,
				Store:       store,
				Topics:      opts.backend.topics,
				Concurrency: opts.concurrency,
				Tool:        analysis.Tool{Name: "destill", Version: Version},
				Logger:      log,
				Resolve: func(input string) (sources.Input, error) {
					return sources.Resolve(input, sources.Config{Getenv: streams.Getenv})
				},
			}
			return in.Handle
		},
	}
	return &cli.Command{
		Name:  "ingest-worker",
		Usage: "fetch submitted builds and publish their logs in chunks (distributed mode)",
		Description: "Consumes requests from Kafka, fetches each build from its CI provider (with this worker's\n" +
			"tokens), streams the logs of the jobs to analyze and publishes them as chunks for analyze-workers.\n" +
			"Run as many as you like; they share the requests topic's partitions.",
		Category: "distributed",
		Flags:    append(workerFlags(), &cli.IntFlag{Name: "concurrency", Usage: "job logs read at once per request", Value: pipeline.DefaultConcurrency}),
		Action:   action(streams, workerParser(spec), run),
	}
}

func newAnalyzeWorkerCommand(streams *Streams, run runFunc[workerOptions]) *cli.Command {
	spec := workerSpec{
		name: "analyze-worker", stage: "analyze", group: worker.AnalyzeGroup,
		topic: func(t worker.Topics) string { return t.Chunks },
		handler: func(streams *Streams, opts workerOptions, tr backend.Transport, store backend.Store, log *slog.Logger) backend.Handler {
			a := &worker.Analyze{Store: store, Logger: log}
			return a.Handle
		},
	}
	return &cli.Command{
		Name:  "analyze-worker",
		Usage: "analyze log chunks and write findings to PostgreSQL (distributed mode)",
		Description: "Consumes log chunks from Kafka, analyzes each, stores the result, and merges a request's\n" +
			"findings when its last chunk is in. Run as many as the chunks topic has partitions.",
		Category: "distributed",
		Flags:    workerFlags(),
		Action:   action(streams, workerParser(spec), run),
	}
}

// workerParser returns the parser of spec's worker command.
func workerParser(spec workerSpec) func(*cli.Command, *Streams) (workerOptions, error) {
	return func(cmd *cli.Command, streams *Streams) (workerOptions, error) {
		opts := workerOptions{spec: spec, group: spec.group}
		var err error
		if opts.backend, err = parseBackendConfig(cmd, streams); err != nil {
			return opts, err
		}
		if err := opts.backend.needKafka(spec.name, "with --backend=memory the queue lives inside one process, so a worker "+
			"would never see requests submitted from another; `destill analyze URL` runs the whole analysis in one process"); err != nil {
			return opts, err
		}
		if err := opts.backend.needDatabase(spec.name); err != nil {
			return opts, err
		}
		if cmd.Int("retries") < 1 {
			return opts, usageErrorf("--retries must be at least 1, got %d", cmd.Int("retries"))
		}
		opts.retry = worker.RetryPolicy{Attempts: int(cmd.Int("retries")), Backoff: cmd.Duration("retry-backoff")}
		opts.log, err = ops.NewLogger(streams.ErrOut, setting(cmd, streams, "log-format", envLogFormat), setting(cmd, streams, "log-level", envLogLevel), streams.StderrTTY)
		if err != nil {
			return opts, usageError{err}
		}
		if g := cmd.String("group"); g != "" {
			opts.group = g
		}
		opts.metricsAddr = setting(cmd, streams, "metrics-addr", envMetricsAddr)
		opts.drainTimeout = cmd.Duration("drain-timeout")
		opts.migrate = !cmd.Bool("no-migrate")
		opts.concurrency = int(cmd.Int("concurrency"))
		return opts, nil
	}
}

// runWorker opens the backends, serves metrics and consumes until ctx ends
// (SIGTERM or SIGINT). Then it stops taking messages, lets the ones in
// flight finish for up to --drain-timeout (after that they are handed back
// uncommitted), commits and closes.
func runWorker(ctx context.Context, streams *Streams, opts workerOptions) error {
	spec, cfg := opts.spec, opts.backend
	log := opts.log.With("stage", spec.stage)

	// The connections use a context that outlives the signal: in-flight
	// work still reaches the database while draining.
	base := context.WithoutCancel(ctx)
	store, tr, closeBackends, err := cfg.openBackends(ctx, opts.migrate, log)
	if err != nil {
		return err
	}
	defer closeBackends()
	topic := spec.topic(cfg.topics)
	if err := tr.EnsureTopic(topic); err != nil {
		return fmt.Errorf("kafka: %w", err)
	}
	if err := tr.EnsureTopic(cfg.topics.DeadLetter); err != nil {
		return fmt.Errorf("kafka: %w", err)
	}

	metrics := ops.NewMetrics(spec.stage)
	var srv *ops.Server
	if opts.metricsAddr != "" {
		// Ready: the database answers, the consumer has joined its group
		// and a broker answers.
		ready := func(ctx context.Context) error {
			if err := store.DB().PingContext(ctx); err != nil {
				return fmt.Errorf("database: %w", err)
			}
			return tr.Ready(ctx)
		}
		srv, err = ops.Listen(opts.metricsAddr, metrics, ready, log)
		if err != nil {
			return err
		}
		defer srv.Close()
		log.Info("serving /healthz, /readyz and /metrics", "addr", "http://"+srv.Addr())
	}

	// work is the handlers' context: cancelled only once draining took
	// longer than --drain-timeout.
	work, cancelWork := context.WithCancel(base)
	defer cancelWork()
	go func() {
		<-ctx.Done()
		if srv != nil {
			srv.SetReady(false)
		}
		log.Info("stopping: finishing in-flight messages", "drain_timeout", opts.drainTimeout.String())
		select {
		case <-time.After(opts.drainTimeout):
			log.Warn("drain timeout: handing in-flight messages back")
			cancelWork()
		case <-work.Done():
		}
	}()
	inner := spec.handler(streams, opts, tr, store, log)
	retry := opts.retry
	retry.Logger = log // retries and dead letters are logged
	handler := worker.WithRetry(
		func(_ context.Context, msg backend.Message) error { return inner(work, msg) },
		retry,
		worker.DeadLetter{Transport: tr, Topic: cfg.topics.DeadLetter, OnDead: worker.FailRequest(store)},
		metrics,
	)
	logged := func(c context.Context, msg backend.Message) error {
		err := handler(work, msg)
		if err != nil && work.Err() == nil {
			log.Error("message failed", "topic", msg.Topic, "partition", msg.Partition, "offset", msg.Offset, "error", err.Error())
		}
		return err
	}
	if srv != nil {
		srv.SetReady(true)
	}
	log.Info("worker started", "topic", topic, "group", opts.group, "brokers", cfg.brokers, "version", Version)
	err = tr.Subscribe(ctx, topic, opts.group, logged)
	cancelWork()
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("consume %s: %w", topic, err)
	}
	log.Info("worker stopped")
	return nil
}
