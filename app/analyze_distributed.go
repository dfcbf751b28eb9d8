package app

import (
	"context"
	"fmt"
	"time"

	"github.com/destill-dev/destill/app/sources"
	"github.com/destill-dev/destill/app/worker"
	"github.com/destill-dev/destill/backend"
)

// runAnalyzeDistributed is analyze --backend=kafka: the build goes to the
// workers (as submit --wait sends it) and their findings are shown as
// analyze shows its own. The brokers come from the environment (analyze
// has no Kafka flags), the database from --database-url or the environment.
func runAnalyzeDistributed(ctx context.Context, streams *Streams, opts analyzeOptions) error {
	switch {
	case opts.savedResult != "":
		return usageErrorf("--cache FILE re-opens a saved result here; drop --backend=kafka")
	case !sources.LooksLikeURL(opts.arg):
		return usageErrorf("analyze --backend=kafka sends a build URL to the workers; a local log is analyzed in this process: drop --backend=kafka")
	case len(opts.baselines) > 0:
		return usageErrorf("--baseline works in this process only; drop --backend=kafka")
	}
	cfg := opts.backend
	if len(cfg.brokers) == 0 {
		return usageErrorf("analyze --backend=kafka needs brokers: set %s (or %s) to host:port[,host:port...]", envBrokers, envBrokersFallback)
	}
	if cfg.databaseURL == "" {
		return usageErrorf("analyze --backend=kafka reads the findings from PostgreSQL: set %s (or %s, or --database-url)", envDatabase, envDatabaseFallbk)
	}
	store, tr, closeBackends, err := cfg.openBackends(ctx, true, nil)
	if err != nil {
		return err
	}
	defer closeBackends()
	id, err := worker.Submit(ctx, tr, store, cfg.topics, opts.arg, backend.AnalysisOptions{
		AllJobs: opts.allJobs, ContextBefore: contextOption(opts.before), ContextAfter: contextOption(opts.after),
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(streams.ErrOut, "Submitted as request %s; waiting for the workers…\n", id)
	req, err := worker.Wait(ctx, store, id, 500*time.Millisecond, func(r backend.Request) {
		if streams.StderrTTY {
			fmt.Fprintf(streams.ErrOut, "  %s\n", oneLine(r.StatusLine()))
		}
	})
	if err != nil {
		return fmt.Errorf("%w; the request goes on: `destill view %s` shows it", err, id)
	}
	rep, err := requestReport(ctx, store, req)
	if err != nil {
		return err
	}
	if req.Status == backend.StatusFailed {
		return fmt.Errorf("request %s failed: %s", id, req.Error)
	}
	return showReport(ctx, streams, rep, opts.output)
}
