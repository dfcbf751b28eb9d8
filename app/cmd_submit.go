package app

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/destill-dev/destill/app/sources"
	"github.com/destill-dev/destill/app/worker"
	"github.com/destill-dev/destill/backend"
)

// submitOptions are the parsed flags of submit.
type submitOptions struct {
	input    string
	analysis backend.AnalysisOptions
	// wait waits up to timeout for the findings and prints them as output
	// says.
	wait    bool
	timeout time.Duration
	output  outputOptions
	backend backendConfig
}

func newSubmitCommand(streams *Streams, run runFunc[submitOptions]) *cli.Command {
	return &cli.Command{
		Name:      "submit",
		Usage:     "queue a build for the workers and print the request ID (distributed mode)",
		ArgsUsage: "<build URL>",
		Description: "Records the request in PostgreSQL and publishes it to Kafka for the ingest-workers; returns at once\n" +
			"and prints the request ID as the last line of standard output. `destill view ID` shows how it\n" +
			"goes; --wait waits and prints the findings instead.",
		Category: "distributed",
		Flags: slices.Concat([]cli.Flag{backendFlag(), databaseFlag()}, kafkaFlags(), []cli.Flag{
			&cli.BoolFlag{Name: "wait", Aliases: []string{"w"}, Usage: "wait for the findings and print them"},
			&cli.DurationFlag{Name: "timeout", Usage: "with --wait, give up after this long", Value: 30 * time.Minute},
			contextFlag(),
			&cli.BoolFlag{Name: "all-jobs", Usage: "analyze passed jobs too, not only failed ones"},
		}, outputFlags(false)),
		Action: action(streams, parseSubmitOptions, run),
	}
}

func parseSubmitOptions(cmd *cli.Command, streams *Streams) (submitOptions, error) {
	var opts submitOptions
	if cmd.Args().Len() != 1 {
		return opts, usageErrorf("submit takes one build URL, got %d arguments", cmd.Args().Len())
	}
	opts.input = cmd.Args().First()
	if !sources.LooksLikeURL(opts.input) {
		return opts, usageErrorf("submit takes a build URL: the workers fetch the build themselves, so a local file or standard input cannot be sent to them (use `destill analyze %s`)", opts.input)
	}
	if u, err := url.Parse(opts.input); err != nil || u.Host == "" {
		return opts, usageErrorf("not a build URL: %s", opts.input)
	}
	var err error
	if opts.backend, err = parseBackendConfig(cmd, streams); err != nil {
		return opts, err
	}
	if err := opts.backend.needKafka("submit", "with --backend=memory the queue would live and die inside this process, "+
		"so no worker in another process could ever pick the request up; `destill analyze URL` analyzes it here and now"); err != nil {
		return opts, err
	}
	if err := opts.backend.needDatabase("submit"); err != nil {
		return opts, err
	}
	if opts.output, err = parseOutputFlags(cmd, streams, false); err != nil {
		return opts, err
	}
	if opts.output.format == formatTUI {
		if opts.output.formatSet {
			return opts, usageErrorf("submit --wait prints text, json or markdown; open the UI with `destill view ID`")
		}
		opts.output.format = formatText
	}
	opts.analysis.AllJobs = cmd.Bool("all-jobs")
	if cmd.IsSet("context") {
		b, a, err := parseContext(cmd.String("context"))
		if err != nil {
			return opts, err
		}
		opts.analysis.ContextBefore, opts.analysis.ContextAfter = contextOption(b), contextOption(a)
	}
	opts.wait, opts.timeout = cmd.Bool("wait"), cmd.Duration("timeout")
	return opts, nil
}

// waitForRequest waits up to timeout for the workers to finish request id,
// saying on stderr how it goes.
func waitForRequest(ctx context.Context, streams *Streams, store backend.Requests, id string, timeout time.Duration) (backend.Request, error) {
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := worker.Wait(wctx, store, id, 500*time.Millisecond, func(r backend.Request) {
		fmt.Fprintf(streams.ErrOut, "  %s\n", oneLine(r.StatusLine()))
	})
	if err != nil {
		return req, fmt.Errorf("%w; the request goes on: `destill view %s` shows it", err, id)
	}
	return req, nil
}

func runSubmit(ctx context.Context, streams *Streams, opts submitOptions) error {
	cfg := opts.backend
	store, tr, closeBackends, err := cfg.openBackends(ctx, true, nil)
	if err != nil {
		return err
	}
	defer closeBackends()
	id, err := worker.Submit(ctx, tr, store, cfg.topics, opts.input, opts.analysis)
	if err != nil {
		return err
	}
	if !opts.wait {
		fmt.Fprintf(streams.ErrOut, "Submitted %s; follow it with: destill view %s\n", opts.input, id)
		fmt.Fprintln(streams.Out, id)
		return nil
	}
	fmt.Fprintf(streams.ErrOut, "Submitted %s as request %s; waiting for the workers…\n", opts.input, id)
	req, err := waitForRequest(ctx, streams, store, id, opts.timeout)
	if err != nil {
		fmt.Fprintln(streams.Out, id)
		return err
	}
	if err := printRequest(ctx, streams, store, req, opts.output); err != nil {
		return err
	}
	if opts.output.format != formatJSON {
		fmt.Fprintln(streams.Out, id)
	}
	return requestFailed(req, opts.output)
}
