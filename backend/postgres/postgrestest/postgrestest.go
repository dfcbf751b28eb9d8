// Package postgrestest gives tests a migrated PostgreSQL schema of their
// own on the server DESTILL_TEST_DATABASE_URL names (`make test` starts a
// throwaway one when PostgreSQL is installed). Without it the tests skip,
// or fail when CI is set.
package postgrestest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/destill-dev/destill/backend/postgres"
	"github.com/destill-dev/destill/internal/needs"
)

// EnvURL names the server the tests use.
const EnvURL = "DESTILL_TEST_DATABASE_URL"

var (
	admin     *sqlx.DB
	adminErr  error
	adminOnce sync.Once
)

// URL returns the server's URL, skipping the test (failing it when CI is
// set) when there is none.
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvURL)
	if u == "" {
		needs.Missing(t, "PostgreSQL", EnvURL+" is not set: `make test` starts a throwaway PostgreSQL when one is installed", needs.InstallAll)
	}
	return u
}

// NewSchema creates an empty schema on the test server, dropped when t
// ends, and returns a URL whose connections use it.
func NewSchema(t testing.TB) string {
	t.Helper()
	base := URL(t)
	adminOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		admin, adminErr = postgres.Open(ctx, base)
	})
	if adminErr != nil {
		t.Fatalf("test database: %v", adminErr)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		// t's context is already cancelled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return WithSearchPath(base, schema)
}

// WithSearchPath returns dsn with its connections' search_path set to schema.
func WithSearchPath(dsn, schema string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err == nil {
			q := u.Query()
			q.Set("search_path", schema)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return fmt.Sprintf("%s search_path=%s", dsn, schema)
}

// NewDB returns a handle on a fresh, migrated schema, closed when t ends.
func NewDB(t testing.TB) *sqlx.DB {
	t.Helper()
	dsn := NewSchema(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open test schema: %v", err)
	}
	db.SetMaxOpenConns(8)
	t.Cleanup(func() { _ = db.Close() })
	if _, err := postgres.Migrate(ctx, db.DB, nil); err != nil {
		t.Fatalf("migrate test schema: %v", err)
	}
	return db
}

// NewStore returns a Store on a fresh, migrated schema.
func NewStore(t testing.TB) *postgres.Store {
	t.Helper()
	return postgres.NewStore(NewDB(t))
}

// NewRole creates a login role with no privileges, dropped (with what it
// owns) when t ends, and returns its name and dsn with the role as the
// user. Grant it what a test needs through the returned admin handle.
func NewRole(t testing.TB, dsn string) (role, roleDSN string, admin *sqlx.DB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("test database: %v", err)
	}
	t.Cleanup(func() { _ = admin.Close() })
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	role = "test_role_" + hex.EncodeToString(b)
	password := hex.EncodeToString(b) + "-pw"
	if _, err := admin.ExecContext(ctx, `CREATE ROLE `+role+` LOGIN PASSWORD '`+password+`'`); err != nil {
		t.Fatalf("create role %s (the test server's user must be allowed to CREATE ROLE): %v", role, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = admin.ExecContext(ctx, `DROP OWNED BY `+role)
		if _, err := admin.ExecContext(ctx, `DROP ROLE `+role); err != nil {
			t.Errorf("drop role %s: %v", role, err)
		}
	})
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("NewRole needs a postgres:// URL, got %q", dsn)
	}
	u.User = url.UserPassword(role, password)
	return role, u.String(), admin
}
