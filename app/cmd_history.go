package app

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/urfave/cli/v3"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/cache"
	"github.com/destill-dev/destill/app/history"
	"github.com/destill-dev/destill/app/pipeline"
	"github.com/destill-dev/destill/app/sources"
	"github.com/destill-dev/destill/render"
)

// historyOptions are the parsed flags of history.
type historyOptions struct {
	arg         string
	output      outputOptions
	builds      int
	branch      string
	concurrency int
	apiURLs     apiURLFlags
	cache       cacheFlags
	backend     backendConfig
}

// defaultHistoryTop is how many failures history lists unless --top says.
const defaultHistoryTop = 20

func newHistoryCommand(streams *Streams, run runFunc[historyOptions]) *cli.Command {
	return &cli.Command{
		Name:      "history",
		Usage:     "list what keeps failing a pipeline: its recurring failures over the last builds",
		ArgsUsage: "<pipeline, workflow or build URL>",
		Description: "Reads the last finished builds of a pipeline on one branch (a build URL: its pipeline and branch,\n" +
			"up to that build) and lists the failures that occurred in them, the most builds first, with their\n" +
			"verdict (new, recurring, flaky, noise), counts, first and last seen and jobs.",
		Flags: slices.Concat(outputFlags(false), []cli.Flag{
			&cli.IntFlag{Name: "builds", Usage: fmt.Sprintf("how many finished builds to read (1-%d)", maxHistoryBuilds), Value: history.DefaultBuilds},
			&cli.StringFlag{Name: "branch", Usage: "the `BRANCH` whose builds to read; without it, the build's branch, or the pipeline's default branch"},
			&cli.IntFlag{Name: "concurrency", Usage: "requests and job logs read at once", Value: pipeline.DefaultConcurrency},
			databaseFlag(),
		}, cacheFlagList(), apiURLFlagList()),
		Action: action(streams, parseHistoryOptions, run),
	}
}

func parseHistoryOptions(cmd *cli.Command, streams *Streams) (historyOptions, error) {
	var opts historyOptions
	var err error
	if opts.cache, err = readCacheFlags(cmd); err != nil {
		return opts, err
	}
	switch n := cmd.Args().Len(); n {
	case 0:
		return opts, usageErrorf("history needs a pipeline, workflow or build URL")
	case 1:
		opts.arg = cmd.Args().First()
	default:
		return opts, usageErrorf("history takes one URL, got %d arguments", n)
	}
	if opts.output, err = parseOutputFlags(cmd, streams, false); err != nil {
		return opts, err
	}
	if opts.output.format == formatTUI {
		if opts.output.formatSet {
			return opts, usageErrorf("history prints text, json or markdown, not the interactive UI")
		}
		opts.output.format = formatText
	}
	opts.builds = int(cmd.Int("builds"))
	if opts.builds < 1 || opts.builds > maxHistoryBuilds {
		return opts, usageErrorf("--builds takes 1 to %d, got %d", maxHistoryBuilds, opts.builds)
	}
	opts.concurrency = int(cmd.Int("concurrency"))
	if opts.concurrency < 1 {
		return opts, usageErrorf("--concurrency must be at least 1, got %d", opts.concurrency)
	}
	opts.branch = cmd.String("branch")
	opts.apiURLs = readAPIURLFlags(cmd)
	opts.backend, err = parseBackendConfig(cmd, streams)
	return opts, err
}

// runHistory reads the pipeline's last builds and prints what failed them.
func runHistory(ctx context.Context, streams *Streams, opts historyOptions) error {
	prog := newProgress(streams)
	in, ref, branch, err := sources.ResolvePipeline(opts.arg, sources.Config{
		Getenv: streams.Getenv, Notify: prog.message, HTTPClient: streams.HTTPClient,
		BuildkiteAPIURL: opts.apiURLs.buildkite, GitHubAPIURL: opts.apiURLs.github, GitLabAPIURL: opts.apiURLs.gitlab,
		JenkinsURL: opts.apiURLs.jenkins, Offline: opts.cache.offline,
	})
	if err != nil {
		var ie *sources.InputError
		if errors.As(err, &ie) {
			return usageError{err}
		}
		return err
	}
	l, ok := in.Source.(history.Lister)
	if !ok {
		return fmt.Errorf("%s builds have no history to read", ref.Provider)
	}
	if opts.branch != "" {
		branch = opts.branch
	}
	hopts := history.Options{Builds: opts.builds, Concurrency: opts.concurrency, Scope: in.CacheScope,
		// analyze's default options: the results of either serve both.
		Analysis: analysis.Options{ContextBefore: contextOption(analysis.DefaultContextBefore),
			ContextAfter: contextOption(analysis.DefaultContextAfter), Secrets: in.Secrets}, AnalyzerVersion: cache.ExecutableVersion(Version),
		Refresh: opts.cache.noCache, KeepWindow: true, Progress: prog.history, Warn: prog.message}
	source := "api"
	// --offline reads the records kept, in the database or the cache.
	folder, err := openCacheFolder(streams, cacheFlags{size: opts.cache.size}, prog.message)
	if err != nil {
		return err
	}
	if folder != nil {
		hopts.Folder = folder
		hopts.Records = history.NewFolderRecords(folder)
	}
	db := &analysisDB{streams: streams, cfg: opts.backend}
	defer db.close()
	if st := db.get(ctx); st != nil {
		hopts.Records = history.StoreRecords{Store: st}
		source = "database"
	}
	q, err := history.Target(ctx, in.Source, ref, branch, opts.cache.offline)
	if err != nil {
		if opts.cache.offline {
			return usageError{err}
		}
		return analyzeError(ctx, err)
	}
	rep, err := history.Failures(ctx, l, q, hopts, opts.cache.offline, source, opts.arg)
	prog.clear()
	if err != nil {
		return analyzeError(ctx, err)
	}
	rep.Tool = analysis.Tool{Name: "destill", Version: Version}
	return writeHistory(streams, rep, opts.output)
}

func writeHistory(streams *Streams, rep analysis.HistoryReport, out outputOptions) error {
	top := out.top
	if !out.topSet {
		top = defaultHistoryTop
		if out.format == formatJSON {
			top = 0
		}
	}
	var err error
	switch out.format {
	case formatJSON:
		err = render.HistoryJSON(streams.Out, rep, top)
	case formatMarkdown:
		err = render.HistoryMarkdown(streams.Out, rep, top)
	default:
		err = render.HistoryText(streams.Out, rep, top, out.color)
	}
	if err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}
