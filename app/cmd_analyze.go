package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/baselines"
	"github.com/destill-dev/destill/app/pipeline"
	"github.com/destill-dev/destill/app/render"
	"github.com/destill-dev/destill/app/sources"
)

// analyzeOptions are the parsed flags of analyze.
type analyzeOptions struct {
	arg         string
	format      string
	top         int
	topSet      bool
	before      int
	after       int
	allJobs     bool
	concurrency int
	color       bool
	apiURLs     apiURLFlags
	cache       cacheFlags
	// savedResult is --cache FILE: re-open a saved result instead.
	savedResult string
	baselines   []string
	noBaseline  bool
	// backendCfg is the configured store, if any: automatic baselines are
	// kept there for other processes.
	backendCfg backendConfig
	// formatSet is true when --format or --json chose the format; noSummary
	// skips the findings printed when the interactive UI closes.
	formatSet bool
	noSummary bool
}

const (
	formatText     = "text"
	formatJSON     = "json"
	formatMarkdown = "markdown"
	formatTUI      = "tui"
)

func newAnalyzeCommand(streams *Streams) *cli.Command {
	return &cli.Command{
		Name:      "analyze",
		Usage:     "explain why a build failed, from its URL or a log file",
		ArgsUsage: "<build URL | log file | ->  (or --cache result.json)",
		Description: "Reads a failed build's job logs (or a log file, plain or gzip, or '-' for standard input)\n" +
			"and prints the lines that most likely explain the failure, best first.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Usage: "output format: tui, text, json or markdown (default: tui when stdout is a terminal, else text)"},
			&cli.BoolFlag{Name: "json", Usage: "short for --format json"},
			&cli.IntFlag{Name: "top", Aliases: []string{"n"}, Usage: "show at most `N` findings (default 10; JSON: all)", HideDefault: true},
			&cli.StringFlag{Name: "context", Aliases: []string{"C"}, Usage: "lines of context `B,A` before and after each finding (or one number for both)", Value: fmt.Sprintf("%d,%d", analysis.DefaultContextBefore, analysis.DefaultContextAfter)},
			&cli.BoolFlag{Name: "all-jobs", Usage: "analyze passed jobs too, not only failed ones"},
			&cli.StringSliceFlag{Name: "baseline", Usage: "compare with this passing `LOG` of the same job (repeatable; plain or gzip)"},
			&cli.BoolFlag{Name: "no-baseline", Usage: "do not compare with passing logs"},
			&cli.IntFlag{Name: "concurrency", Usage: "job logs fetched at once", Value: pipeline.DefaultConcurrency},
			&cli.BoolFlag{Name: "no-color", Usage: "never colour the output (NO_COLOR works too)"},
			&cli.StringFlag{Name: "cache", Usage: "re-open a result saved with --format json from `FILE` (no network, no token)", TakesFile: true},
			&cli.BoolFlag{Name: "no-summary", Usage: "print nothing when the interactive UI closes (by default the top findings stay on the screen)"},
			backendFlag(),
			databaseFlag(),
		}, append(cacheFlagList(), apiURLFlagList()...)...),
		Action: func(ctx context.Context, cmd *cli.Command) error {
			opts, err := parseAnalyzeFlags(cmd, streams)
			if err != nil {
				return err
			}
			cfg, err := parseBackendConfig(cmd, streams)
			if err != nil {
				return err
			}
			opts.backendCfg = cfg
			if cfg.backend == backendKafka {
				return runAnalyzeDistributed(ctx, streams, opts)
			}
			return runAnalyze(ctx, streams, opts)
		},
	}
}

func parseAnalyzeFlags(cmd *cli.Command, streams *Streams) (analyzeOptions, error) {
	cache, err := readCacheFlags(cmd)
	if err != nil {
		return analyzeOptions{}, err
	}
	savedResult, arg := cmd.String("cache"), ""
	switch n := cmd.Args().Len(); {
	case savedResult != "" && n > 0:
		return analyzeOptions{}, usageErrorf("--cache FILE re-opens a saved result: give no build URL or log file with it")
	case savedResult != "":
	case n == 0:
		return analyzeOptions{}, usageErrorf("analyze needs a build URL, a log file, or - for standard input")
	case n == 1:
		arg = cmd.Args().First()
	default:
		return analyzeOptions{}, usageErrorf("analyze takes one build URL or log file, got %d arguments", cmd.Args().Len())
	}
	// The UI on a terminal, unless the log itself is typed into that
	// terminal: both would read it.
	opts, err := parseRenderFlags(cmd, streams, arg == "-" && streams.StdinTTY)
	if err != nil {
		return opts, err
	}
	opts.arg, opts.cache, opts.savedResult = arg, cache, savedResult
	opts.allJobs = cmd.Bool("all-jobs")
	opts.baselines = cmd.StringSlice("baseline")
	opts.noBaseline = cmd.Bool("no-baseline")
	opts.concurrency = int(cmd.Int("concurrency"))
	opts.apiURLs = readAPIURLFlags(cmd)
	if opts.concurrency < 1 {
		return opts, usageErrorf("--concurrency must be at least 1, got %d", opts.concurrency)
	}
	if opts.noBaseline && len(opts.baselines) > 0 {
		return opts, usageErrorf("--baseline and --no-baseline contradict each other; pick one")
	}
	b, a, err := parseContext(cmd.String("context"))
	if err != nil {
		return opts, err
	}
	opts.before, opts.after = b, a
	return opts, nil
}

// parseContext reads "B,A" or "N" into lines before and after.
func parseContext(s string) (int, int, error) {
	parts := strings.Split(s, ",")
	if len(parts) > 2 {
		return 0, 0, usageErrorf("--context takes B,A or one number, got %q", s)
	}
	var n [2]int
	for i, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || v < 0 || v > analysis.MaxContext {
			return 0, 0, usageErrorf("--context takes numbers from 0 to %d (B,A or one for both), got %q", analysis.MaxContext, s)
		}
		n[i] = v
	}
	if len(parts) == 1 {
		n[1] = n[0]
	}
	return n[0], n[1], nil
}

// contextOption maps a flag value to analysis.Options, where 0 means default.
func contextOption(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

func runAnalyze(ctx context.Context, streams *Streams, opts analyzeOptions) error {
	if opts.savedResult != "" {
		rep, err := readReportFile(ctx, opts.savedResult)
		if err != nil {
			return err
		}
		return showReport(ctx, streams, rep, opts)
	}
	prog := newProgress(streams)
	notify := prog.message
	var feed *uiFeed
	if opts.format == formatTUI {
		feed = newUIFeed() // provider messages go to the UI, not over it
		notify = feed.notify
	}
	in, err := sources.Resolve(opts.arg, sources.Config{
		Getenv: streams.Getenv, Stdin: streams.In, Notify: notify,
		BuildkiteAPIURL: opts.apiURLs.buildkite, GitHubAPIURL: opts.apiURLs.github, GitLabAPIURL: opts.apiURLs.gitlab,
		Offline: opts.cache.offline,
	})
	if err != nil {
		var ie *sources.InputError
		if errors.As(err, &ie) {
			return usageError{err}
		}
		return err
	}
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
				cache, closeCache := baselineCache(ctx, streams, opts.backendCfg)
				defer closeCache()
				popts.Baselines = baselines.New(f, baselines.Options{Cache: cache, Secrets: in.Secrets})
			}
		}
	}
	src, err := openCache(streams, in, opts.cache, notify)
	if err != nil {
		return err
	}
	in.Source = src
	if opts.format == formatTUI {
		return runAnalyzeTUI(ctx, streams, opts, in, popts, feed)
	}
	rep, err := pipeline.Run(ctx, in.Source, popts, prog.update)
	prog.clear()
	if err != nil && len(rep.Jobs) == 0 {
		return analyzeError(ctx, err)
	}
	if werr := writeReport(streams, rep, opts); werr != nil {
		return werr
	}
	return err
}

// showReport shows a finished report in the format opts chose: in the
// interactive UI, or written to stdout.
func showReport(ctx context.Context, streams *Streams, rep analysis.Report, opts analyzeOptions) error {
	if opts.format == formatTUI {
		return runReportTUI(ctx, streams, rep, opts)
	}
	return writeReport(streams, rep, opts)
}

func writeReport(streams *Streams, rep analysis.Report, opts analyzeOptions) error {
	top := opts.top
	if !opts.topSet && opts.format != formatJSON {
		top = 10
	}
	var err error
	switch opts.format {
	case formatJSON:
		err = render.JSON(streams.Out, rep, top)
	case formatMarkdown:
		err = render.Markdown(streams.Out, rep, render.MarkdownOptions{Top: top})
	default:
		err = render.Text(streams.Out, rep, render.TextOptions{Top: top, Color: opts.color})
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
func baselineCache(ctx context.Context, streams *Streams, cfg backendConfig) (*baselines.Cache, func()) {
	if cfg.databaseURL == "" {
		return baselines.NewCache(nil), func() {}
	}
	if err := cfg.needDatabase("keeping baselines"); err != nil {
		fmt.Fprintf(streams.ErrOut, "destill: baselines are not kept in the database: %s\n", oneLine(err.Error()))
		return baselines.NewCache(nil), func() {}
	}
	db, err := cfg.openStore(ctx, true, nil)
	if err != nil {
		fmt.Fprintf(streams.ErrOut, "destill: baselines are not kept in the database: %s\n", oneLine(err.Error()))
		return baselines.NewCache(nil), func() {}
	}
	return baselines.NewCache(storeBaselines{db}), func() { _ = db.Close() }
}
