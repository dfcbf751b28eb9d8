package app

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/backend/postgres"
	"github.com/destill-dev/destill/backend/postgres/postgrestest"
)

// TestUnprivilegedRoleIsOneLineError: commands run as a PostgreSQL role
// short of a privilege stop with one line naming it and the GRANT that
// adds it ("converting NULL to string is unsupported" before).
func TestUnprivilegedRoleIsOneLineError(t *testing.T) {
	t.Parallel()
	dsn := postgrestest.NewSchema(t)
	role, roleDSN, admin := postgrestest.NewRole(t, dsn)
	env := []string{"DESTILL_DATABASE_URL", roleDSN, "DESTILL_KAFKA_BROKERS", "127.0.0.1:1"}
	oneLine := func(errOut, want string) {
		t.Helper()
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		require.Len(t, lines, 1, errOut)
		require.Contains(t, lines[0], "PostgreSQL role "+role+" lacks "+want)
		require.NotContains(t, errOut, "converting NULL")
	}

	code, _, errOut := runEnv(t, env, "view", "--list")
	require.Equal(t, exitFailure, code)
	oneLine(errOut, "USAGE on every schema of its search_path")
	code, _, errOut = runEnv(t, env, "migrate")
	require.Equal(t, exitFailure, code)
	oneLine(errOut, "USAGE on every schema of its search_path")

	ctx := context.Background()
	owner, err := postgres.Open(ctx, dsn)
	require.NoError(t, err)
	defer owner.Close()
	_, err = postgres.Migrate(ctx, owner.DB, nil)
	require.NoError(t, err)
	var schema string
	require.NoError(t, owner.Get(&schema, `SELECT current_schema()`))
	_, err = admin.Exec(`GRANT USAGE ON SCHEMA ` + schema + ` TO ` + role + `; GRANT SELECT ON ALL TABLES IN SCHEMA ` + schema + ` TO ` + role)
	require.NoError(t, err)

	code, out, errOut := runEnv(t, env, "view", "--list")
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "No requests yet")
	code, _, errOut = runEnv(t, env, "ingest-worker", "--backend", "kafka")
	require.Equal(t, exitFailure, code)
	oneLine(errOut, "INSERT, UPDATE, DELETE on table baselines")
}
