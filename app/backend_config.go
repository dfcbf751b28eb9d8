package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/urfave/cli/v3"

	"github.com/destill-dev/destill/app/worker"
	"github.com/destill-dev/destill/backend"
	"github.com/destill-dev/destill/backend/kafka"
	"github.com/destill-dev/destill/backend/postgres"
)

// Backends of --backend.
const (
	backendMemory = "memory"
	backendKafka  = "kafka"
)

// Environment variables of distributed mode, with the seed's names as
// fallbacks.
const (
	envBackend         = "DESTILL_BACKEND"
	envBrokers         = "DESTILL_KAFKA_BROKERS"
	envBrokersFallback = "REDPANDA_BROKERS"
	envDatabase        = "DESTILL_DATABASE_URL"
	envDatabaseFallbk  = "POSTGRES_DSN"
	envTopicPrefix     = "DESTILL_TOPIC_PREFIX"
	envMetricsAddr     = "DESTILL_METRICS_ADDR"
	envLogLevel        = "DESTILL_LOG_LEVEL"
	envLogFormat       = "DESTILL_LOG_FORMAT"
)

// backendConfig is where the distributed commands find Kafka and Postgres.
type backendConfig struct {
	backend     string
	brokers     []string
	databaseURL string
	topics      worker.Topics
	tuning      kafka.Tuning
	partitions  int
}

func backendFlag() cli.Flag {
	return &cli.StringFlag{Name: "backend", Usage: "where requests travel: memory (this process only) or kafka (env " + envBackend + ")"}
}

func databaseFlag() cli.Flag {
	return &cli.StringFlag{Name: "database-url", Usage: "PostgreSQL `URL` (env " + envDatabase + ", or " + envDatabaseFallbk + ")"}
}

func kafkaFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "brokers", Usage: "Kafka brokers `host:port,...` (env " + envBrokers + ", or " + envBrokersFallback + ")"},
		&cli.StringFlag{Name: "topic-prefix", Usage: "prefix of the topic names (env " + envTopicPrefix + ")", Value: worker.DefaultTopicPrefix},
		&cli.IntFlag{Name: "partitions", Usage: "partitions of the topics destill creates (the most workers of one kind that can be busy at once)", Value: kafka.DefaultPartitions},
		&cli.DurationFlag{Name: "kafka-session-timeout", Usage: "consumer group session timeout: how long a dead worker keeps its partitions (default 0: sarama's 10s)", HideDefault: true},
		&cli.DurationFlag{Name: "kafka-heartbeat", Usage: "consumer group heartbeat interval (default 0: sarama's 3s)", HideDefault: true},
		&cli.DurationFlag{Name: "kafka-max-wait", Usage: "longest a fetch waits for messages (default 0: sarama's 500ms)", HideDefault: true},
	}
}

// setting returns the flag's value if set, else the first non-empty
// environment variable of envs, else the flag's default.
func setting(cmd *cli.Command, streams *Streams, flag string, envs ...string) string {
	if cmd.IsSet(flag) {
		return strings.TrimSpace(cmd.String(flag))
	}
	for _, e := range envs {
		if v := strings.TrimSpace(streams.Getenv(e)); v != "" {
			return v
		}
	}
	return strings.TrimSpace(cmd.String(flag))
}

// parseBackendConfig reads the flags a command has (backend, brokers,
// database) with their environment fallbacks.
func parseBackendConfig(cmd *cli.Command, streams *Streams) (backendConfig, error) {
	cfg := backendConfig{backend: backendMemory}
	if hasFlag(cmd, "backend") {
		cfg.backend = strings.ToLower(setting(cmd, streams, "backend", envBackend))
		if cfg.backend == "" {
			cfg.backend = backendMemory
		}
		if cfg.backend != backendMemory && cfg.backend != backendKafka {
			return cfg, usageErrorf("unknown --backend %q: use memory or kafka", cfg.backend)
		}
	}
	// analyze has no Kafka flags: with --backend=kafka it finds the brokers
	// and topics in the environment alone.
	if hasFlag(cmd, "brokers") || cfg.backend == backendKafka {
		for _, b := range strings.Split(setting(cmd, streams, "brokers", envBrokers, envBrokersFallback), ",") {
			if b = strings.TrimSpace(b); b != "" {
				cfg.brokers = append(cfg.brokers, b)
			}
		}
		cfg.topics = worker.NewTopics(setting(cmd, streams, "topic-prefix", envTopicPrefix))
		cfg.partitions = int(cmd.Int("partitions"))
		cfg.tuning = kafka.Tuning{
			SessionTimeout:    cmd.Duration("kafka-session-timeout"),
			HeartbeatInterval: cmd.Duration("kafka-heartbeat"),
			MaxWaitTime:       cmd.Duration("kafka-max-wait"),
		}
		sc := kafka.NewSaramaConfig()
		cfg.tuning.Apply(sc)
		if hb, session := sc.Consumer.Group.Heartbeat.Interval, sc.Consumer.Group.Session.Timeout; hb >= session {
			return cfg, usageErrorf("--kafka-heartbeat (%s) must be shorter than the session timeout (%s, --kafka-session-timeout)", hb, session)
		}
	}
	if hasFlag(cmd, "database-url") {
		cfg.databaseURL = setting(cmd, streams, "database-url", envDatabase, envDatabaseFallbk)
	}
	return cfg, nil
}

func hasFlag(cmd *cli.Command, name string) bool {
	for _, f := range cmd.Flags {
		for _, n := range f.Names() {
			if n == name {
				return true
			}
		}
	}
	return false
}

// needKafka explains why a command cannot run on the memory backend.
func (c backendConfig) needKafka(command, why string) error {
	if c.backend == backendKafka {
		if len(c.brokers) == 0 {
			return usageErrorf("--backend=kafka needs brokers: set %s (or %s, or --brokers) to host:port[,host:port...]", envBrokers, envBrokersFallback)
		}
		return nil
	}
	return usageErrorf("%s needs --backend=kafka: %s", command, why)
}

func (c backendConfig) needDatabase(command string) error {
	if c.databaseURL == "" {
		return usageErrorf("%s needs PostgreSQL: set %s (or %s, or --database-url) to postgres://user:password@host:5432/db", command, envDatabase, envDatabaseFallbk)
	}
	if _, err := postgres.Describe(c.databaseURL); err != nil {
		return usageErrorf("%s (from --database-url, %s or %s)", err, envDatabase, envDatabaseFallbk)
	}
	return nil
}

// openBackends opens the store (as openStore does) and connects to the
// brokers; closeAll closes both.
func (c backendConfig) openBackends(ctx context.Context, migrate bool, log *slog.Logger) (store *postgres.Store, tr *kafka.Transport, closeAll func(), err error) {
	store, err = c.openStore(ctx, migrate, log)
	if err != nil {
		return nil, nil, nil, err
	}
	tr, err = c.openKafka(ctx, log)
	if err != nil {
		_ = store.Close()
		return nil, nil, nil, err
	}
	return store, tr, func() { _ = tr.Close(); _ = store.Close() }, nil
}

// openKafka connects to the brokers; log (nil: none) hears about the
// consumers.
func (c backendConfig) openKafka(ctx context.Context, log *slog.Logger) (*kafka.Transport, error) {
	sc := kafka.NewSaramaConfig()
	c.tuning.Apply(sc)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	tr, err := kafka.New(ctx, kafka.Config{Brokers: c.brokers, Partitions: int32(c.partitions), Sarama: sc, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("%w (brokers from --brokers, %s or %s)", err, envBrokers, envBrokersFallback)
	}
	return tr, nil
}

// openStore connects to PostgreSQL and, when migrate is set, brings its
// schema up to date; otherwise it fails if the schema is behind. It fails
// too, in one line naming the privilege, when the role may not read and
// write destill's tables.
func (c backendConfig) openStore(ctx context.Context, migrate bool, log *slog.Logger) (*postgres.Store, error) {
	return c.openStoreFor(ctx, migrate, true, log)
}

// openStoreReading is openStore for reading only: the role needs SELECT.
func (c backendConfig) openStoreReading(ctx context.Context) (*postgres.Store, error) {
	return c.openStoreFor(ctx, false, false, nil)
}

func (c backendConfig) openStoreFor(ctx context.Context, migrate, write bool, log *slog.Logger) (*postgres.Store, error) {
	db, err := c.openDB(ctx)
	if err != nil {
		return nil, err
	}
	if migrate {
		applied, err := postgres.Migrate(ctx, db.DB, nil)
		if err != nil {
			_ = db.Close()
			return nil, err
		}
		for _, a := range applied {
			if log != nil {
				log.Info("migration applied", "version", a.Version, "name", a.Name, "took", a.Duration.String())
			}
		}
	} else {
		n, err := postgres.Pending(ctx, db.DB)
		if err != nil {
			_ = db.Close()
			return nil, err
		}
		if n > 0 {
			_ = db.Close()
			return nil, fmt.Errorf("the database schema lacks %d migration(s): run `destill migrate` (workers apply them when they start)", n)
		}
	}
	if err := postgres.CheckAccess(ctx, db, write, false); err != nil {
		_ = db.Close()
		return nil, err
	}
	return postgres.NewStore(db), nil
}

// openDB connects to PostgreSQL.
func (c backendConfig) openDB(ctx context.Context) (*sqlx.DB, error) {
	db, err := postgres.Open(ctx, c.databaseURL)
	if err != nil {
		return nil, fmt.Errorf("%w (database from --database-url, %s or %s)", err, envDatabase, envDatabaseFallbk)
	}
	return db, nil
}

// storeError turns a store error into what a user should read.
func storeError(err error, id string) error {
	if errors.Is(err, backend.ErrNotFound) {
		return fmt.Errorf("no request %s in the database (`destill view --list` shows the recent ones)", id)
	}
	return err
}
