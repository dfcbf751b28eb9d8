package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/baselines"
	"github.com/destill-dev/destill/app/pipeline"
	"github.com/destill-dev/destill/app/sources"
	"github.com/destill-dev/destill/render"
)

// analyzeOptions are the parsed flags of analyze.
type analyzeOptions struct {
	arg         string
	output      outputOptions
	before      int
	after       int
	allJobs     bool
	concurrency int
	apiURLs     apiURLFlags
	cache       cacheFlags
	// savedResult is --cache FILE: re-open a saved result instead.
	savedResult string
	baselines   []string
	noBaseline  bool
	// timeout bounds the whole run (0: no bound).
	timeout time.Duration
	// backend is where the analysis runs (--backend=kafka: on the workers)
	// and the configured store, if any: automatic baselines and build
	// history are kept there for other processes.
	backend backendConfig
	// history is how many earlier builds to look back at (0: none).
	history int
}

func newAnalyzeCommand(streams *Streams, run runFunc[analyzeOptions]) *cli.Command {
	return &cli.Command{
		Name:      "analyze",
		Usage:     "explain why a build failed, from its URL or a log file",
		ArgsUsage: "<build URL | log file | ->  (or --cache result.json)",
		Description: "Reads a failed build's job logs (or a log file, plain or gzip, or '-' for standard input)\n" +
			"and prints the lines that most likely explain the failure, best first.",
		Flags: slices.Concat(outputFlags(true), []cli.Flag{
			contextFlag(),
			&cli.BoolFlag{Name: "all-jobs", Usage: "analyze passed jobs too, not only failed ones"},
			&cli.StringSliceFlag{Name: "baseline", Usage: "compare with this passing `LOG` of the same job (repeatable; plain or gzip)"},
			&cli.BoolFlag{Name: "no-baseline", Usage: "do not compare with passing logs"},
			&cli.IntFlag{Name: "concurrency", Usage: "job logs fetched at once", Value: pipeline.DefaultConcurrency},
			&cli.DurationFlag{Name: "timeout", Usage: "give up on the whole run after this long, naming the server it was waiting for (0: no limit)", Value: DefaultRunTimeout},
			&cli.StringFlag{Name: "cache", Usage: "re-open a result saved with --format json from `FILE` (no network, no token)", TakesFile: true},
			backendFlag(),
			databaseFlag(),
		}, historyFlags(), cacheFlagList(), apiURLFlagList()),
		Action: action(streams, parseAnalyzeOptions, run),
	}
}

func parseAnalyzeOptions(cmd *cli.Command, streams *Streams) (analyzeOptions, error) {
	var opts analyzeOptions
	cache, err := readCacheFlags(cmd)
	if err != nil {
		return opts, err
	}
	savedResult, arg := cmd.String("cache"), ""
	switch n := cmd.Args().Len(); {
	case savedResult != "" && n > 0:
		return opts, usageErrorf("--cache FILE re-opens a saved result: give no build URL or log file with it")
	case savedResult != "":
	case n == 0:
		return opts, usageErrorf("analyze needs a build URL, a log file, or - for standard input")
	case n == 1:
		arg = cmd.Args().First()
	default:
		return opts, usageErrorf("analyze takes one build URL or log file, got %d arguments", cmd.Args().Len())
	}
	// The UI on a terminal, unless the log itself is typed into that
	// terminal: both would read it.
	if opts.output, err = parseOutputFlags(cmd, streams, arg == "-" && streams.StdinTTY); err != nil {
		return opts, err
	}
	opts.arg, opts.cache, opts.savedResult = arg, cache, savedResult
	opts.allJobs = cmd.Bool("all-jobs")
	opts.baselines = cmd.StringSlice("baseline")
	opts.noBaseline = cmd.Bool("no-baseline")
	opts.concurrency = int(cmd.Int("concurrency"))
	opts.timeout = cmd.Duration("timeout")
	if opts.timeout < 0 {
		return opts, usageErrorf("--timeout must be 0 (no limit) or more, got %s", opts.timeout)
	}
	opts.apiURLs = readAPIURLFlags(cmd)
	if opts.concurrency < 1 {
		return opts, usageErrorf("--concurrency must be at least 1, got %d", opts.concurrency)
	}
	if opts.noBaseline && len(opts.baselines) > 0 {
		return opts, usageErrorf("--baseline and --no-baseline contradict each other; pick one")
	}
	if opts.before, opts.after, err = parseContext(cmd.String("context")); err != nil {
		return opts, err
	}
	if opts.history, err = parseHistoryFlags(cmd); err != nil {
		return opts, err
	}
	opts.backend, err = parseBackendConfig(cmd, streams)
	return opts, err
}

// analyzeMemoryLimit is the soft memory limit analyze runs under, unless
// GOMEMLIMIT sets one: the garbage collector then works harder as the heap
// nears it, instead of letting the heap grow to twice what is live (Go's
// default). What is live stays bounded (analysis.ShownBudget, the per-job
// caps), so a build of any size stays near this.
const analyzeMemoryLimit = 100 << 20

// singleLogMemoryLimit replaces analyzeMemoryLimit when analyze reads one
// log (a file or standard input): that log is analyzed on every core
// (analysis.ParallelAnalyzer), whose segments in flight about double what
// is live, and under the build limit the heap would grow to match. This
// keeps a 1 GB log under 100 MB of resident memory for about 5% more CPU
// time (make bench).
const singleLogMemoryLimit = 72 << 20

// analyzeQuietMemory is how much memory analyze takes before its first
// garbage collection (see limitMemory), unless GOGC or GOMEMLIMIT tune
// the collector: analyzing one log of a few MB allocates less, and exits
// without collecting.
const analyzeQuietMemory = 32 << 20

// limitAnalyzeMemory sets the memory limit for analyzing in (see
// analyzeMemoryLimit), unless GOMEMLIMIT sets one; a run known to be
// large at its start (largeInput) first gets its heap in huge pages.
func limitAnalyzeMemory(streams *Streams, in sources.Input, large bool) {
	if streams.LargeRun != nil && large {
		streams.LargeRun() // first: its collection would end the quiet start
	}
	if streams.LimitMemory == nil || streams.Getenv("GOMEMLIMIT") != "" {
		return
	}
	limit := int64(analyzeMemoryLimit)
	if in.CacheScope == "" { // a file or standard input
		limit = singleLogMemoryLimit
	}
	quiet := int64(analyzeQuietMemory)
	if streams.Getenv("GOGC") != "" {
		quiet = limit // the collector as GOGC says from the start
	}
	streams.LimitMemory(quiet, limit)
}

// runAnalyze analyzes here, or on the workers with --backend=kafka.

func runAnalyze(ctx context.Context, streams *Streams, opts analyzeOptions) error {
	if opts.backend.backend == backendKafka {
		return runAnalyzeDistributed(ctx, streams, opts)
	}
	if opts.savedResult != "" {
		rep, err := readReportFile(ctx, opts.savedResult)
		if err != nil {
			return err
		}
		return showReport(ctx, streams, rep, opts.output)
	}
	prog := newProgress(streams)
	notify := prog.message
	waiting := newWaits(prog.wait)
	var feed *uiFeed
	if opts.output.format == formatTUI {
		feed = newUIFeed() // provider messages go to the UI, not over it
		notify = feed.notify
		waiting = feed.waits
	}
	in, err := sources.Resolve(opts.arg, sources.Config{
		Getenv: streams.Getenv, Stdin: streams.In, Notify: notify, Waiting: waiting.hear, HTTPClient: streams.HTTPClient,
		BuildkiteAPIURL: opts.apiURLs.buildkite, GitHubAPIURL: opts.apiURLs.github, GitLabAPIURL: opts.apiURLs.gitlab,
		JenkinsURL: opts.apiURLs.jenkins,
		Offline:    opts.cache.offline,
	})
	if err != nil {
		var ie *sources.InputError
		if errors.As(err, &ie) {
			return usageError{err}
		}
		return err
	}
	knownLarge := largeInput(in)
	limitAnalyzeMemory(streams, in, knownLarge)
	popts := pipeline.Options{
		Analysis: analysis.Options{
			ContextBefore: contextOption(opts.before),
			ContextAfter:  contextOption(opts.after),
			Secrets:       in.Secrets,
		},
		Concurrency: opts.concurrency,
		AllJobs:     opts.allJobs,
		JobIDs:      in.JobIDs,
		Tool:        analysis.Tool{Name: "destill", Version: Version},
		Source:      in.Describe,
	}
	db := &analysisDB{streams: streams, cfg: opts.backend}
	defer db.close()
	hist := newAnalyzeHistory(ctx, opts, in, &popts, db, notify)
	defer hist.stop()
	switch {
	case opts.noBaseline:
	case len(opts.baselines) > 0:
		fb, err := loadBaselineFiles(ctx, opts.baselines)
		if err != nil {
			return err
		}
		popts.Baselines = fb
	default:
		// A build URL: find passing logs of the same jobs automatically,
		// unless the provider must not be called.
		if f, ok := in.Source.(baselines.Finder); ok {
			if opts.cache.offline {
				popts.Baselines = noBaseline{note: "--offline: passing builds are not searched for; give --baseline FILE to compare with a passing log"}
			} else {
				popts.Baselines = baselines.New(f, baselines.Options{Cache: baselineCache(ctx, db), Secrets: in.Secrets})
			}
		}
	}
	src, folder, err := openCache(streams, in, opts.cache, notify)
	if err != nil {
		return err
	}
	hist.useFolder(folder)
	in.Source = src
	if !knownLarge { // a local log (builds are large): found large as it is read
		in.Source = largeLogsOf(streams, in.Source)
	}
	if opts.output.format == formatTUI {
		return runAnalyzeTUI(ctx, streams, opts, in, popts, feed, hist)
	}
	runCtx, cancel := withRunTimeout(ctx, opts.timeout)
	defer cancel()
	hist.startEarly(runCtx)
	rep, err := pipeline.Run(runCtx, in.Source, popts, hist.watch(runCtx, prog.update))
	if err == nil && hist != nil {
		rep = hist.apply(runCtx, rep, prog.history)
	}
	prog.clear()
	return writeResult(ctx, streams, rep, waiting.timedOut(runCtx, err), opts.output)
}

// showReport shows a finished report in the format opts chose: in the
// interactive UI, or written to stdout.
func showReport(ctx context.Context, streams *Streams, rep analysis.Report, out outputOptions) error {
	if out.format == formatTUI {
		return runReportTUI(ctx, streams, rep, out)
	}
	return writeReport(streams, rep, out)
}

func writeReport(streams *Streams, rep analysis.Report, out outputOptions) error {
	top := out.top
	if !out.topSet && out.format != formatJSON {
		top = 10
	}
	var err error
	switch out.format {
	case formatJSON:
		err = render.JSON(streams.Out, rep, top)
	case formatMarkdown:
		err = render.Markdown(streams.Out, rep, render.MarkdownOptions{Top: top})
	default:
		err = render.Text(streams.Out, rep, render.TextOptions{Top: top, Color: out.color, Width: streams.textWidth()})
	}
	if err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

// baselineCache returns the cache for automatic baselines: kept in the
// configured database when there is one (so other runs and workers reuse
// the models), in this process otherwise. A database that cannot be
// reached is reported on stderr and the analysis goes on without it.
func baselineCache(ctx context.Context, db *analysisDB) *baselines.Cache {
	if st := db.get(ctx); st != nil {
		return baselines.NewCache(databaseBaselines{st})
	}
	return baselines.NewCache(nil)
}
