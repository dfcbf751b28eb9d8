package postgres_test

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/destill-dev/destill/backend/postgres"
	"github.com/destill-dev/destill/backend/postgres/postgrestest"
	"github.com/destill-dev/destill/migrations"
)

// TestMigrationFiles needs no database: every file is NNNNN_name.sql with
// an Up and a Down section, versions are consecutive from 1.
func TestMigrationFiles(t *testing.T) {
	t.Parallel()
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("no embedded migrations: %v", err)
	}
	re := regexp.MustCompile(`^(\d{5})_[a-z0-9_]+\.sql$`)
	for i, n := range names {
		m := re.FindStringSubmatch(n)
		if m == nil {
			t.Errorf("%s: want NNNNN_snake_case.sql", n)
			continue
		}
		if want := fmt.Sprintf("%05d", i+1); m[1] != want {
			t.Errorf("%s: version %s, want %s (no gaps, no duplicates)", n, m[1], want)
		}
		b, _ := fs.ReadFile(migrations.FS, n)
		if !strings.Contains(string(b), "-- +goose Up") || !strings.Contains(string(b), "-- +goose Down") {
			t.Errorf("%s: needs -- +goose Up and -- +goose Down sections", n)
		}
	}
}

func TestMigrateConcurrentlyAppliesOnce(t *testing.T) {
	t.Parallel()
	dsn := postgrestest.NewSchema(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const workers = 5
	var wg sync.WaitGroup
	applied := make([]int, workers)
	errs := make([]error, workers)
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := postgres.Open(ctx, dsn)
			if err != nil {
				errs[i] = err
				return
			}
			defer db.Close()
			res, err := postgres.Migrate(ctx, db.DB, nil)
			applied[i], errs[i] = len(res), err
		}()
	}
	wg.Wait()
	total := 0
	for i := range workers {
		if errs[i] != nil {
			t.Fatalf("worker %d: %v", i, errs[i])
		}
		total += applied[i]
	}
	names, _ := fs.Glob(migrations.FS, "*.sql")
	if total != len(names) {
		t.Errorf("%d workers applied %d migrations in all, want each of the %d once", workers, total, len(names))
	}
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rows int
	if err := db.Get(&rows, `SELECT count(*) FROM `+postgres.MigrationsTable+` WHERE version_id > 0`); err != nil {
		t.Fatal(err)
	}
	if rows != len(names) {
		t.Errorf("version table has %d rows, want %d", rows, len(names))
	}
	st, err := postgres.Status(ctx, db.DB)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if !s.Applied || s.AppliedAt.IsZero() {
			t.Errorf("migration %d %s not applied: %+v", s.Version, s.Name, s)
		}
	}
	if n, err := postgres.Pending(ctx, db.DB); err != nil || n != 0 {
		t.Errorf("pending after migrate: %d, %v", n, err)
	}
}

func TestStatusOfEmptyDatabase(t *testing.T) {
	t.Parallel()
	dsn := postgrestest.NewSchema(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n, err := postgres.Pending(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	names, _ := fs.Glob(migrations.FS, "*.sql")
	if n != len(names) {
		t.Errorf("pending on an empty schema: %d, want %d", n, len(names))
	}
}

func TestOpenErrorsNameServerNotPassword(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, tc := range []struct{ dsn, want string }{
		{"postgres://u:s3cretpw@127.0.0.1:1/destill?sslmode=disable", "cannot reach PostgreSQL at 127.0.0.1:1/destill"},
		{"postgres://u:s3cretpw@[::1:bad/destill", "not a valid postgres:// URL"},
		{"just-a-word", "neither a postgres:// URL nor a key=value"},
		{"", "no database URL"},
	} {
		_, err := postgres.Open(ctx, tc.dsn)
		if err == nil {
			t.Errorf("%q: opened", tc.dsn)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "s3cretpw") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: error %q, want one line with %q and no password", tc.dsn, err, tc.want)
		}
	}
}
