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
		&cli.BoolFlag{Name: "no-migrate", Usage: "do not apply database migrations at start (run `destill migrate` instead)"},
	)
}

// workerSpec is what differs between the two workers.
type workerSpec struct {
	name  string // "ingest-worker"
	stage string // "ingest", for metrics and logs
	group string
	topic func(worker.Topics) string
	// handler builds the stage's handler on the open backends.
	handler func(cmd *cli.Command, tr backend.Transport, store backend.Store, cfg backendConfig, log *slog.Logger) backend.Handler
}

func newIngestWorkerCommand(streams *Streams) *cli.Command {
	spec := workerSpec{
		name: "ingest-worker", stage: "ingest", group: worker.IngestGroup,
		topic: func(t worker.Topics) string { return t.Requests },
		handler: func(cmd *cli.Command, tr backend.Transport, store backend.Store, cfg backendConfig, log *slog.Logger) backend.Handler {
			in := &worker.Ingest{
				Transport:   tr,
				Store:       store,
				Topics:      cfg.topics,
				Concurrency: int(cmd.Int("concurrency")),
				Tool:        analysis.Tool{Name: "destill", Version: Version},
				Logger:      log,
				Resolve: func(input string) (sources.Input, error) {
					return sources.Resolve(input, sources.Config{Getenv: streams.Getenv})
				},
			}
			return in.Handle
		},
	}
	flags := append(workerFlags(), &cli.IntFlag{Name: "concurrency", Usage: "job logs read at once per request", Value: pipeline.DefaultConcurrency})
	return &cli.Command{
		Name:  "ingest-worker",
		Usage: "fetch submitted builds and publish their logs in chunks (distributed mode)",
		Description: "Consumes requests from Kafka, fetches each build from its CI provider (with this worker's\n" +
			"tokens), streams the logs of the jobs to analyze and publishes them as chunks for analyze-workers.\n" +
			"Run as many as you like; they share the requests topic's partitions.",
		Category: "distributed",
		Flags:    flags,
		Action: func(ctx context.Context, cmd *cli.Command) error {
			return runWorker(ctx, cmd, streams, spec)
		},
	}
}

func newAnalyzeWorkerCommand(streams *Streams) *cli.Command {
	spec := workerSpec{
		name: "analyze-worker", stage: "analyze", group: worker.AnalyzeGroup,
		topic: func(t worker.Topics) string { return t.Chunks },
		handler: func(cmd *cli.Command, tr backend.Transport, store backend.Store, cfg backendConfig, log *slog.Logger) backend.Handler {
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
		Action: func(ctx context.Context, cmd *cli.Command) error {
			return runWorker(ctx, cmd, streams, spec)
		},
	}
}

// runWorker opens the backends, serves metrics and consumes until ctx ends
// (SIGTERM or SIGINT). Then it stops taking messages, lets the ones in
// flight finish for up to --drain-timeout (after that they are handed back
// uncommitted), commits and closes.
func runWorker(ctx context.Context, cmd *cli.Command, streams *Streams, spec workerSpec) error {
	cfg, err := parseBackendConfig(cmd, streams)
	if err != nil {
		return err
	}
	if err := cfg.needKafka(spec.name, "with --backend=memory the queue lives inside one process, so a worker "+
		"would never see requests submitted from another; `destill analyze URL` runs the whole analysis in one process"); err != nil {
		return err
	}
	if err := cfg.needDatabase(spec.name); err != nil {
		return err
	}
	if cmd.Int("retries") < 1 {
		return usageErrorf("--retries must be at least 1, got %d", cmd.Int("retries"))
	}
	log, err := ops.NewLogger(streams.ErrOut, setting(cmd, streams, "log-format", envLogFormat), setting(cmd, streams, "log-level", envLogLevel), streams.StderrTTY)
	if err != nil {
		return usageError{err}
	}
	group := spec.group
	if g := cmd.String("group"); g != "" {
		group = g
	}
	log = log.With("stage", spec.stage)

	// The connections use a context that outlives the signal: in-flight
	// work still reaches the database while draining.
	base := context.WithoutCancel(ctx)
	store, tr, closeBackends, err := cfg.openBackends(ctx, !cmd.Bool("no-migrate"), log)
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
	if addr := setting(cmd, streams, "metrics-addr", envMetricsAddr); addr != "" {
		// Ready: the database answers, the consumer has joined its group
		// and a broker answers.
		ready := func(ctx context.Context) error {
			if err := store.DB().PingContext(ctx); err != nil {
				return fmt.Errorf("database: %w", err)
			}
			return tr.Ready(ctx)
		}
		srv, err = ops.Listen(addr, metrics, ready, log)
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
		log.Info("stopping: finishing in-flight messages", "drain_timeout", cmd.Duration("drain-timeout").String())
		select {
		case <-time.After(cmd.Duration("drain-timeout")):
			log.Warn("drain timeout: handing in-flight messages back")
			cancelWork()
		case <-work.Done():
		}
	}()
	inner := spec.handler(cmd, tr, store, cfg, log)
	handler := worker.WithRetry(
		func(_ context.Context, msg backend.Message) error { return inner(work, msg) },
		worker.RetryPolicy{Attempts: int(cmd.Int("retries")), Backoff: cmd.Duration("retry-backoff"), Logger: log},
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
	log.Info("worker started", "topic", topic, "group", group, "brokers", cfg.brokers, "version", Version)
	err = tr.Subscribe(ctx, topic, group, logged)
	cancelWork()
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("consume %s: %w", topic, err)
	}
	log.Info("worker stopped")
	return nil
}
