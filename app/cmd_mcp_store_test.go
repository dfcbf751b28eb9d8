package app

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/mcpserver"
	"github.com/destill-dev/destill/app/sources"
	"github.com/destill-dev/destill/app/worker"
	"github.com/destill-dev/destill/backend"
	"github.com/destill-dev/destill/backend/memory"
	"github.com/destill-dev/destill/backend/postgres"
	"github.com/destill-dev/destill/backend/postgres/postgrestest"
	"github.com/destill-dev/destill/providers/providertest"
)

// toolError calls a tool that must fail with a tool error and returns its
// text.
func toolError(t *testing.T, cs *mcp.ClientSession, name string, args map[string]any) string {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: args})
	require.NoError(t, err)
	require.True(t, res.IsError, "%s succeeded", name)
	text := res.Content[0].(*mcp.TextContent).Text
	require.NotContains(t, text, secretToken)
	return text
}

// workersOn runs an ingest and an analyze worker in this process, on a
// memory transport and the database at dsn, with the fake CI's tokens: the
// distributed mode as `destill submit` and the workers run it.
func workersOn(t *testing.T, dsn string, fake *providertest.Fake, start bool) (submit func(url string) string, db *postgres.Store) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	conn, err := postgres.Open(ctx, dsn)
	require.NoError(t, err)
	db = postgres.NewStore(conn)
	tr := memory.NewTransport(memory.TransportOptions{})
	topics := worker.NewTopics("")
	cfg := sources.Config{Getenv: fake.Getenv}
	in := &worker.Ingest{Transport: tr, Store: db, Topics: topics, Tool: analysis.Tool{Name: "destill", Version: "test"},
		Resolve: func(input string) (sources.Input, error) { return sources.Resolve(input, cfg) }}
	an := &worker.Analyze{Store: db}
	var done []chan struct{}
	if start {
		for _, s := range []struct {
			topic, group string
			h            backend.Handler
		}{{topics.Requests, worker.IngestGroup, in.Handle}, {topics.Chunks, worker.AnalyzeGroup, an.Handle}} {
			ch := make(chan struct{})
			done = append(done, ch)
			go func() {
				defer close(ch)
				_ = tr.Subscribe(ctx, s.topic, s.group, s.h)
			}()
		}
	}
	t.Cleanup(func() {
		cancel()
		for _, ch := range done {
			<-ch
		}
		_ = tr.Close()
		_ = db.Close()
	})
	return func(url string) string {
		id, err := worker.Submit(context.Background(), tr, db, topics, url, backend.AnalysisOptions{})
		require.NoError(t, err)
		return id
	}, db
}

// TestMCPWithDatabaseEndToEnd runs `destill mcp` as a subprocess with
// DESTILL_DATABASE_URL set: it migrates the schema, its analyze_build
// results are what `destill view ID --format json` prints, and its tools
// read requests the workers made from the IDs submit printed.
func TestMCPWithDatabaseEndToEnd(t *testing.T) {
	t.Parallel()
	dsn := postgrestest.NewSchema(t) // empty: the server migrates it
	sc := providertest.DemoBuildkite()
	sc.Token = secretToken
	fake := providertest.New(t, sc)
	cmd, stderr, _ := mcpCommand(t, append(fake.Environ(), "DESTILL_DATABASE_URL="+dsn)...)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	client := mcp.NewClient(&mcp.Implementation{Name: "e2e-client", Version: "v0"}, nil)
	cs, err := client.Connect(ctx, &mcp.CommandTransport{Command: cmd}, nil)
	require.NoError(t, err, "stderr: %s", stderr.String())

	var names []string
	for tool, err := range cs.Tools(ctx, nil) {
		require.NoError(t, err)
		names = append(names, tool.Name)
	}
	require.Contains(t, names, "get_request")

	// analyze_build's result is in the database, as analyze finds it.
	url := fake.WebURL(0)
	an, _ := toolCall[mcpserver.AnalyzeBuildOutput](t, cs, "analyze_build", map[string]any{"url": url})
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, an.RequestID)
	for _, n := range an.Notes {
		require.NotContains(t, n, "could not be saved to the database")
	}
	code, out, errOut := runEnv(t, []string{"DESTILL_DATABASE_URL", dsn}, "view", an.RequestID, "--format", "json")
	require.Equal(t, exitOK, code, errOut)
	require.NotContains(t, out, secretToken)
	var viewed analysis.Report
	require.NoError(t, json.Unmarshal([]byte(out), &viewed))
	require.Equal(t, an.RequestID, viewed.RequestID)
	require.Equal(t, "done", viewed.Status)
	require.Equal(t, an.Summary, viewed.Summary)
	require.Equal(t, url, viewed.Source.URL)
	for i, f := range an.Findings {
		require.Equal(t, f.Fingerprint, viewed.Findings[i].Fingerprint)
		require.Equal(t, f.Message, viewed.Findings[i].Message)
	}
	code, wantOut, errOut := runEnv(t, fake.Env(), "analyze", "--json", url)
	require.Equal(t, exitOK, code, errOut)
	var want analysis.Report
	require.NoError(t, json.Unmarshal([]byte(wantOut), &want))
	require.Equal(t, want.Findings, viewed.Findings, "the findings of destill analyze")
	require.Equal(t, want.Jobs, viewed.Jobs)
	code, out, _ = runEnv(t, []string{"DESTILL_DATABASE_URL", dsn}, "view", "--list")
	require.Equal(t, exitOK, code)
	require.Contains(t, out, an.RequestID+"  done")

	// A request the workers made, read by the ID submit printed.
	submit, db := workersOn(t, dsn, fake, true)
	id := submit(url)
	_, err = worker.Wait(ctx, db, id, 20*time.Millisecond, nil)
	require.NoError(t, err)
	stored, err := db.ListFindings(ctx, id)
	require.NoError(t, err)
	got, text := toolCall[mcpserver.GetRequestOutput](t, cs, "get_request", map[string]any{"request_id": id})
	require.Equal(t, "failed", got.Status)
	require.Equal(t, an.Summary, got.Summary)
	require.Equal(t, stored[0].Fingerprint, got.Findings[0].Fingerprint)
	require.Contains(t, text, "Build failed: "+url+" (request_id "+id+")")
	unit := findingIn(got.Findings, "TestUploadRetry")
	require.NotNil(t, unit, text)
	f, _ := toolCall[mcpserver.GetFindingOutput](t, cs, "get_finding", map[string]any{"request_id": id, "fingerprint": unit.Fingerprint})
	require.Equal(t, unit.LineStart, f.Finding.LineStart)
	require.Equal(t, unit.Text, f.Finding.Text)
	require.Equal(t, an.FailedJobs, got.FailedJobs, "the retried attempt left out as analyze_build does")
	jobs, _ := toolCall[mcpserver.ListJobsOutput](t, cs, "list_jobs", map[string]any{"request_id": id})
	mine, _ := toolCall[mcpserver.ListJobsOutput](t, cs, "list_jobs", map[string]any{"request_id": an.RequestID})
	require.Len(t, jobs.Jobs, len(mine.Jobs))
	for i, j := range jobs.Jobs {
		m := mine.Jobs[i]
		require.Equal(t, []any{m.ID, m.State, m.Retried, m.DurationSeconds, m.Analyzed, m.LogLines, m.Steps}, []any{j.ID, j.State, j.Retried, j.DurationSeconds, j.Analyzed, j.LogLines, j.Steps}, j.Name)
	}
	msg := toolError(t, cs, "search_log", map[string]any{"request_id": id, "regex": "FAIL"})
	require.Contains(t, msg, "the database, which keeps findings and jobs but not logs")
	require.Contains(t, msg, `analyze_build {"url": "`+url+`"}`)

	// A request no worker picked up: its status, never a verdict.
	queue, _ := workersOn(t, dsn, fake, false)
	waiting := queue(url)
	pending, text := toolCall[mcpserver.GetRequestOutput](t, cs, "get_request", map[string]any{"request_id": waiting})
	require.Equal(t, "queued", pending.Status)
	require.Empty(t, pending.Findings)
	require.Contains(t, text, "No verdict and no findings yet")
	msg = toolError(t, cs, "get_finding", map[string]any{"request_id": waiting, "fingerprint": unit.Fingerprint})
	require.Contains(t, msg, "request "+waiting+" is not finished yet (queued, waiting for an ingest-worker)")

	msg = toolError(t, cs, "list_jobs", map[string]any{"request_id": "0b5e1a3c-1d2e-4f50-8a6b-7c8d9e0f1a2b"})
	require.Contains(t, msg, "is neither among this server's recent analyses nor in the database")

	require.NoError(t, cs.Close())
	require.Eventually(t, func() bool { return cmd.ProcessState != nil }, 10*time.Second, 10*time.Millisecond)
	require.True(t, cmd.ProcessState.Success(), "exit: %v; stderr: %s", cmd.ProcessState, stderr.String())
	logs := stderr.String()
	require.Contains(t, logs, "migration applied")
	require.Contains(t, logs, "results shared through PostgreSQL")
	require.NotContains(t, logs, secretToken)
}

// TestMCPDatabaseErrors: a database URL that is not one, or a database
// that does not answer, stops `destill mcp` with one line saying so and
// where the URL came from, without its password.
func TestMCPDatabaseErrors(t *testing.T) {
	t.Parallel()
	code, out, errOut := runEnv(t, []string{"DESTILL_DATABASE_URL", "nonsense"}, "mcp")
	require.Equal(t, exitUsage, code)
	require.Empty(t, out)
	require.Contains(t, errOut, "neither a postgres:// URL nor a key=value connection string (from --database-url, DESTILL_DATABASE_URL or POSTGRES_DSN)")

	code, out, errOut = runEnv(t, []string{"POSTGRES_DSN", "postgres://destill:hunter2pw@127.0.0.1:1/destill?sslmode=disable"}, "mcp")
	require.Equal(t, exitFailure, code)
	require.Empty(t, out, "nothing but protocol on stdout")
	require.Contains(t, errOut, "destill: cannot reach PostgreSQL at 127.0.0.1:1/destill")
	require.Contains(t, errOut, "(database from --database-url, DESTILL_DATABASE_URL or POSTGRES_DSN)")
	require.NotContains(t, errOut, "hunter2pw")
	require.Equal(t, 1, strings.Count(errOut, "\n"), errOut)

	// --database-url "" turns sharing off whatever the environment says.
	code, out, errOut = runEnv(t, []string{"DESTILL_DATABASE_URL", "nonsense"}, "mcp", "--database-url", "")
	require.Equal(t, exitOK, code, errOut)
	require.Empty(t, out)
	require.Contains(t, errOut, "destill MCP server ready on stdio")
	require.NotContains(t, errOut, "PostgreSQL")
}

func TestDatabaseSecrets(t *testing.T) {
	t.Parallel()
	require.Equal(t, []string{"postgres://u:pw-1234567@db:5432/x", "pw-1234567"}, databaseSecrets("postgres://u:pw-1234567@db:5432/x"))
	require.Equal(t, []string{"host=db user=u password='pw-7654321' dbname=x", "pw-7654321"}, databaseSecrets("host=db user=u password='pw-7654321' dbname=x"))
	require.Equal(t, []string{"postgres://db/x"}, databaseSecrets("postgres://db/x"))
}
