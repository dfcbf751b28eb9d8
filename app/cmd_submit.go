package app

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/destill-dev/destill/app/sources"
	"github.com/destill-dev/destill/app/worker"
	"github.com/destill-dev/destill/backend"
)

func newSubmitCommand(streams *Streams) *cli.Command {
	flags := []cli.Flag{backendFlag(), databaseFlag()}
	flags = append(flags, kafkaFlags()...)
	flags = append(flags,
		&cli.BoolFlag{Name: "wait", Aliases: []string{"w"}, Usage: "wait for the findings and print them"},
		&cli.DurationFlag{Name: "timeout", Usage: "with --wait, give up after this long", Value: 30 * time.Minute},
		&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Usage: "with --wait: text, json or markdown (default: text)"},
		&cli.BoolFlag{Name: "json", Usage: "short for --format json"},
		&cli.IntFlag{Name: "top", Aliases: []string{"n"}, Usage: "with --wait, show at most `N` findings (default 10; JSON: all)"},
		&cli.StringFlag{Name: "context", Aliases: []string{"C"}, Usage: "lines of context `B,A` before and after each finding (or one number for both)"},
		&cli.BoolFlag{Name: "all-jobs", Usage: "analyze passed jobs too, not only failed ones"},
		&cli.BoolFlag{Name: "no-color", Usage: "never colour the output (NO_COLOR works too)"},
	)
	return &cli.Command{
		Name:      "submit",
		Usage:     "queue a build for the workers and print the request ID (distributed mode)",
		ArgsUsage: "<build URL>",
		Description: "Records the request in PostgreSQL and publishes it to Kafka for the ingest-workers; returns at once\n" +
			"and prints the request ID as the last line of standard output. `destill view ID` shows how it\n" +
			"goes; --wait waits and prints the findings instead.",
		Category: "distributed",
		Flags:    flags,
		Action: func(ctx context.Context, cmd *cli.Command) error {
			return runSubmit(ctx, cmd, streams)
		},
	}
}

func runSubmit(ctx context.Context, cmd *cli.Command, streams *Streams) error {
	if cmd.Args().Len() != 1 {
		return usageErrorf("submit takes one build URL, got %d arguments", cmd.Args().Len())
	}
	input := cmd.Args().First()
	if !sources.LooksLikeURL(input) {
		return usageErrorf("submit takes a build URL: the workers fetch the build themselves, so a local file or standard input cannot be sent to them (use `destill analyze %s`)", input)
	}
	if u, err := url.Parse(input); err != nil || u.Host == "" {
		return usageErrorf("not a build URL: %s", input)
	}
	cfg, err := parseBackendConfig(cmd, streams)
	if err != nil {
		return err
	}
	if err := cfg.needKafka("submit", "with --backend=memory the queue would live and die inside this process, "+
		"so no worker in another process could ever pick the request up; `destill analyze URL` analyzes it here and now"); err != nil {
		return err
	}
	if err := cfg.needDatabase("submit"); err != nil {
		return err
	}
	out, err := parseRenderFlags(cmd, streams, false)
	if err != nil {
		return err
	}
	if out.format == formatTUI {
		if out.formatSet {
			return usageErrorf("submit --wait prints text, json or markdown; open the UI with `destill view ID`")
		}
		out.format = formatText
	}
	opts := backend.AnalysisOptions{AllJobs: cmd.Bool("all-jobs")}
	if cmd.IsSet("context") {
		b, a, err := parseContext(cmd.String("context"))
		if err != nil {
			return err
		}
		opts.ContextBefore, opts.ContextAfter = contextOption(b), contextOption(a)
	}
	store, tr, closeBackends, err := cfg.openBackends(ctx, true, nil)
	if err != nil {
		return err
	}
	defer closeBackends()
	id, err := worker.Submit(ctx, tr, store, cfg.topics, input, opts)
	if err != nil {
		return err
	}
	if !cmd.Bool("wait") {
		fmt.Fprintf(streams.ErrOut, "Submitted %s; follow it with: destill view %s\n", input, id)
		fmt.Fprintln(streams.Out, id)
		return nil
	}
	fmt.Fprintf(streams.ErrOut, "Submitted %s as request %s; waiting for the workers…\n", input, id)
	wctx, cancel := context.WithTimeout(ctx, cmd.Duration("timeout"))
	defer cancel()
	req, err := worker.Wait(wctx, store, id, 500*time.Millisecond, func(r backend.Request) {
		fmt.Fprintf(streams.ErrOut, "  %s\n", oneLine(describeProgress(r)))
	})
	if err != nil {
		fmt.Fprintln(streams.Out, id)
		return fmt.Errorf("%w; the request goes on: `destill view %s` shows it", err, id)
	}
	if err := printRequest(ctx, streams, store, req, out); err != nil {
		return err
	}
	if out.format != formatJSON {
		fmt.Fprintln(streams.Out, id)
	}
	return requestFailed(req, out)
}
