package worker_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/destill-dev/destill/analysis/analysistest"
	"github.com/destill-dev/destill/app/worker"
	"github.com/destill-dev/destill/backend"
	"github.com/destill-dev/destill/backend/backendtest"
	"github.com/destill-dev/destill/backend/postgres"
	"github.com/destill-dev/destill/backend/postgres/postgrestest"
	"github.com/destill-dev/destill/providers"
)

// TestStoredRowsAndWorkerLogsHoldNoSecrets sends a build whose log holds
// the token corpus, and whose test report holds a key block, through the
// workers on PostgreSQL, then reads every row of every table as text and
// the workers' debug logs: none may contain a secret.
func TestStoredRowsAndWorkerLogsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	db := postgrestest.NewDB(t)
	log, secrets := analysistest.SecretLog()
	src := newBuild(1, 9<<10)
	exit1 := 1
	src.build.Jobs = append(src.build.Jobs, providers.Job{ID: "leaky", Name: "deploy secrets", State: providers.JobFailed, ExitStatus: &exit1, HasLog: true})
	src.logs["leaky"] = []byte(log)
	var key analysistest.SecretFormat
	for _, f := range analysistest.SecretFormats() {
		if f.Name == "pgp-private-key-block" {
			key = f
		}
	}
	src.reports = []providers.TestReport{{JobID: "leaky", Path: "junit.xml", Failed: []providers.TestCase{
		{Name: "TestSign", Message: "signing failed with " + secrets[0], Details: strings.Join(key.Lines, "\n")},
	}}}
	secrets = append(secrets, testToken)

	var logs backendtest.LogBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	pg := testBackend{"memory+postgres", memoryTransport, func(*testing.T) backend.Store { return postgres.NewStore(db) }}
	r := newRig(t, pg, sourceSet{src.build.URL: src})
	r.ingest.Logger = logger
	r.startIngest()
	analyze := &worker.Analyze{Store: r.store, Logger: logger}
	r.run(r.topics.Chunks, worker.AnalyzeGroup, analyze.Handle)
	req := r.wait(r.submit(src.build.URL, backend.AnalysisOptions{}))
	if req.Status != backend.StatusDone {
		t.Fatalf("request %s: %s", req.Status, req.Error)
	}

	var tables []string
	if err := db.Select(&tables, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`); err != nil {
		t.Fatal(err)
	}
	var dump strings.Builder
	for _, table := range tables {
		var rows []string
		if err := db.SelectContext(context.Background(), &rows, `SELECT t::text FROM "`+table+`" t`); err != nil {
			t.Fatal(err)
		}
		dump.WriteString(strings.Join(rows, "\n"))
	}
	for _, f := range analysistest.SecretFormats() {
		if !strings.Contains(dump.String(), "credentials leaked ("+f.Name+")") {
			t.Errorf("no stored finding for %s", f.Name)
		}
	}
	if !strings.Contains(dump.String(), "TestSign") {
		t.Error("the test report is not stored")
	}
	for _, s := range secrets {
		if strings.Contains(dump.String(), s) {
			t.Errorf("secret %q is in the database", s)
		}
		if strings.Contains(logs.String(), s) {
			t.Errorf("secret %q is in the workers' logs", s)
		}
	}
	if !strings.Contains(logs.String(), "chunk analyzed") {
		t.Error("the workers logged nothing at debug level")
	}
}
