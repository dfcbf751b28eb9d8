package app

import (
	"context"
	"encoding/json"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/worker"
	"github.com/destill-dev/destill/backend"
	"github.com/destill-dev/destill/backend/postgres"
	"github.com/destill-dev/destill/backend/postgres/postgrestest"
)

// TestViewShowsStaleRequests: a request whose message was lost stayed
// queued forever. After worker.StaleAfter view calls it stale and says
// what to do, in text, JSON and the list; a fresh one is still queued.
func TestViewShowsStaleRequests(t *testing.T) {
	t.Parallel()
	dsn := postgrestest.NewSchema(t)
	ctx := context.Background()
	db, err := postgres.Open(ctx, dsn)
	require.NoError(t, err)
	defer db.Close()
	_, err = postgres.Migrate(ctx, db.DB, nil)
	require.NoError(t, err)
	store := postgres.NewStore(db)
	const url = "https://buildkite.com/acme/api/builds/7"
	stale, fresh := worker.NewRequestID(), worker.NewRequestID()
	require.NoError(t, store.CreateRequest(ctx, backend.Request{ID: stale, Input: url, CreatedAt: time.Now().Add(-worker.StaleAfter - 5*time.Minute)}))
	require.NoError(t, store.CreateRequest(ctx, backend.Request{ID: fresh, Input: url}))
	env := []string{"DESTILL_DATABASE_URL", dsn}

	code, out, errOut := runEnv(t, env, "view", stale)
	require.Equal(t, exitOK, code, errOut)
	require.Regexp(t, `^Request `+stale+`: stale: queued 15m ago and no ingest-worker has taken it up \(none running, far behind, `+
		`or its message was lost\): check the ingest-workers, or resubmit with `+"`destill submit "+regexp.QuoteMeta(url)+"`", out)

	code, out, errOut = runEnv(t, env, "view", stale, "--format", "json")
	require.Equal(t, exitOK, code, errOut)
	var rep analysis.Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	require.Equal(t, "stale", rep.Status)
	require.Contains(t, rep.Notes[len(rep.Notes)-1], "no ingest-worker has taken it up")

	code, out, _ = runEnv(t, env, "view", fresh, "--format", "json")
	require.Equal(t, exitOK, code)
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	require.Equal(t, "queued", rep.Status)

	code, out, _ = runEnv(t, env, "view", "--list")
	require.Equal(t, exitOK, code)
	require.Regexp(t, `(?m)^`+stale+`  stale `, out)
	require.Regexp(t, `(?m)^`+fresh+`  queued `, out)

	code, out, _ = runEnv(t, env, "view", "--list", "--json")
	require.Equal(t, exitOK, code)
	var list []requestListItem
	require.NoError(t, json.Unmarshal([]byte(out), &list))
	statuses := map[string]string{}
	for _, r := range list {
		statuses[r.RequestID] = r.Status
	}
	require.Equal(t, map[string]string{stale: "stale", fresh: "queued"}, statuses)
}
