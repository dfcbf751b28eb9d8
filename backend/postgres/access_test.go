package postgres_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/destill-dev/destill/backend/postgres"
	"github.com/destill-dev/destill/backend/postgres/postgrestest"
)

// TestTablesAreTheMigratedTables keeps Tables, which CheckAccess checks,
// in step with the migrations.
func TestTablesAreTheMigratedTables(t *testing.T) {
	t.Parallel()
	db := postgrestest.NewDB(t)
	var got []string
	if err := db.Select(&got, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1`); err != nil {
		t.Fatal(err)
	}
	want := append([]string{postgres.MigrationsTable}, postgres.Tables...)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("the migrations create %q; Tables and MigrationsTable name %q", got, want)
	}
}

// TestAccessErrorsNameTheMissingPrivilege runs destill's database steps as
// a role short of one privilege after another: each fails with one line
// naming what is missing and the GRANT that adds it (a role without
// USAGE got "converting NULL to string is unsupported").
func TestAccessErrorsNameTheMissingPrivilege(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dsn := postgrestest.NewSchema(t)
	role, roleDSN, admin := postgrestest.NewRole(t, dsn)
	owner, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	var schema string
	if err := owner.Get(&schema, `SELECT current_schema()`); err != nil {
		t.Fatal(err)
	}
	db, err := postgres.Open(ctx, roleDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	grant := func(sql string) {
		t.Helper()
		if _, err := admin.ExecContext(ctx, strings.ReplaceAll(strings.ReplaceAll(sql, "{schema}", schema), "{role}", role)); err != nil {
			t.Fatal(err)
		}
	}
	migrate := func() error { _, err := postgres.Migrate(ctx, db.DB, nil); return err }
	pending := func() error { _, err := postgres.Pending(ctx, db.DB); return err }
	check := func(write bool) func() error {
		return func() error { return postgres.CheckAccess(ctx, db, write, false) }
	}
	steps := []struct {
		name  string
		setup func()
		run   func() error
		want  string
	}{
		{"no usage: status", nil, pending, `PostgreSQL role ` + role + ` lacks USAGE on every schema of its search_path (` + schema + `): GRANT USAGE, CREATE ON SCHEMA ` + schema + ` TO "` + role + `"`},
		{"no usage: migrate", nil, migrate, `lacks USAGE on every schema of its search_path`},
		{"no create: migrate", func() { grant(`GRANT USAGE ON SCHEMA {schema} TO {role}`) }, migrate,
			`PostgreSQL role ` + role + ` lacks CREATE on schema ` + schema + `, needed to apply destill's migrations: GRANT CREATE ON SCHEMA "` + schema + `" TO "` + role + `"`},
		{"no select: status", func() {
			if _, err := postgres.Migrate(ctx, owner.DB, nil); err != nil {
				t.Fatal(err)
			}
		}, pending, `lacks SELECT on table baselines: GRANT SELECT ON ALL TABLES IN SCHEMA "` + schema + `" TO "` + role + `"`},
		{"no select: check", nil, check(false), `lacks SELECT on table baselines`},
		{"select only: check for writing", func() { grant(`GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}`) }, check(true),
			`lacks INSERT, UPDATE, DELETE on table baselines: GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "` + schema + `" TO "` + role + `"`},
		{"select only: check for reading", nil, check(false), ""},
		{"all: check for writing", func() { grant(`GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}`) }, check(true), ""},
	}
	for _, s := range steps {
		if s.setup != nil {
			s.setup()
		}
		err := s.run()
		switch {
		case s.want == "" && err != nil:
			t.Errorf("%s: %v", s.name, err)
		case s.want != "" && (err == nil || !strings.Contains(err.Error(), s.want) || strings.Contains(err.Error(), "\n")):
			t.Errorf("%s: error %v, want one line with %q", s.name, err, s.want)
		}
	}
}
