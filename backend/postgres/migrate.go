package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"log/slog"
	"path"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/destill-dev/destill/migrations"
)

// MigrationsTable records the applied schema versions.
const MigrationsTable = "destill_schema_migrations"

// MigrationStatus is one migration and whether it is applied.
type MigrationStatus struct {
	Version   int64
	Name      string
	Applied   bool
	AppliedAt time.Time
}

// Applied is one migration applied by Migrate.
type Applied struct {
	Version  int64
	Name     string
	Duration time.Duration
}

// newMigrator uses pressly/goose: it reads the embedded SQL, runs each
// version in its own transaction together with its row in the version
// table, and refuses gaps filled out of order. Its own session locker polls
// pg_try_advisory_lock every few seconds; ours blocks on pg_advisory_lock,
// so workers starting together wait only as long as the migration takes.
func newMigrator(db *sql.DB, logger *slog.Logger) (*goose.Provider, error) {
	opts := []goose.ProviderOption{
		goose.WithTableName(MigrationsTable),
		goose.WithSessionLocker(advisoryLocker{}),
		goose.WithDisableGlobalRegistry(true),
	}
	if logger != nil {
		opts = append(opts, goose.WithSlog(logger))
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS, opts...)
	if err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	return p, nil
}

// Migrate applies the migrations db lacks, holding an advisory lock so
// that several workers starting at once apply each exactly once.
func Migrate(ctx context.Context, db *sql.DB, logger *slog.Logger) ([]Applied, error) {
	p, err := newMigrator(db, logger)
	if err != nil {
		return nil, err
	}
	res, err := p.Up(ctx)
	var out []Applied
	for _, r := range res {
		if r.Error == nil {
			out = append(out, Applied{Version: r.Source.Version, Name: path.Base(r.Source.Path), Duration: r.Duration})
		}
	}
	if err != nil {
		return out, fmt.Errorf("migrate database: %w", explainAccess(ctx, db, err, true))
	}
	return out, nil
}

// Status lists every migration and whether db has it.
func Status(ctx context.Context, db *sql.DB) ([]MigrationStatus, error) {
	p, err := newMigrator(db, nil)
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("read migration status: %w", explainAccess(ctx, db, err, false))
	}
	out := make([]MigrationStatus, 0, len(st))
	for _, s := range st {
		out = append(out, MigrationStatus{
			Version:   s.Source.Version,
			Name:      path.Base(s.Source.Path),
			Applied:   s.State == goose.StateApplied,
			AppliedAt: s.AppliedAt,
		})
	}
	return out, nil
}

// Pending reports how many migrations db lacks.
func Pending(ctx context.Context, db *sql.DB) (int, error) {
	st, err := Status(ctx, db)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, s := range st {
		if !s.Applied {
			n++
		}
	}
	return n, nil
}

// advisoryLocker serializes migrations with a session advisory lock whose
// key is derived from the schema being migrated, so parallel tests on
// schemas of their own do not wait for each other.
type advisoryLocker struct{}

func lockKey(ctx context.Context, conn *sql.Conn) (int64, error) {
	_, schema, err := roleSchema(ctx, conn)
	if err != nil {
		return 0, err
	}
	h := fnv.New64a()
	h.Write([]byte("destill-migrate:" + schema))
	return int64(h.Sum64()), nil
}

func (advisoryLocker) SessionLock(ctx context.Context, conn *sql.Conn) error {
	key, err := lockKey(ctx, conn)
	if err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		return fmt.Errorf("take the migration lock: %w", err)
	}
	return nil
}

func (advisoryLocker) SessionUnlock(ctx context.Context, conn *sql.Conn) error {
	key, err := lockKey(ctx, conn)
	if err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", key); err != nil {
		return fmt.Errorf("release the migration lock: %w", err)
	}
	return nil
}
