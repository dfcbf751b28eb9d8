package app

import (
	"context"
	"os"

	"github.com/urfave/cli/v3"

	"github.com/destill-dev/destill/analysis"
)

// viewOptions are the parsed flags of view.
type viewOptions struct {
	arg    string
	render analyzeOptions // format, top, color
}

func newViewCommand(streams *Streams) *cli.Command {
	return &cli.Command{
		Name:      "view",
		Usage:     "show a saved result again, offline",
		ArgsUsage: "<result.json>",
		Description: "Re-opens a result saved with 'destill analyze --format json URL > result.json' (plain or gzip)\n" +
			"and shows its findings, without network or token.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Usage: "output format: tui, text, json or markdown (default: tui on a terminal, else text)"},
			&cli.BoolFlag{Name: "no-summary", Usage: "print nothing when the interactive UI closes"},
			&cli.BoolFlag{Name: "json", Usage: "short for --format json"},
			&cli.IntFlag{Name: "top", Aliases: []string{"n"}, Usage: "show at most `N` findings (default 10; JSON: all)"},
			&cli.BoolFlag{Name: "no-color", Usage: "never colour the output (NO_COLOR works too)"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			opts, err := parseViewFlags(cmd, streams)
			if err != nil {
				return err
			}
			return runView(ctx, streams, opts)
		},
	}
}

func parseViewFlags(cmd *cli.Command, streams *Streams) (viewOptions, error) {
	var opts viewOptions
	switch cmd.Args().Len() {
	case 0:
		return opts, usageErrorf("view needs a saved result: destill view result.json")
	case 1:
		opts.arg = cmd.Args().First()
	default:
		return opts, usageErrorf("view takes one saved result, got %d arguments", cmd.Args().Len())
	}
	r, err := parseRenderFlags(cmd, streams)
	if err != nil {
		return opts, err
	}
	opts.render = r
	return opts, nil
}

// parseRenderFlags reads --format, --json, --top and --no-color.
func parseRenderFlags(cmd *cli.Command, streams *Streams) (analyzeOptions, error) {
	o := analyzeOptions{
		format: cmd.String("format"),
		top:    int(cmd.Int("top")),
		topSet: cmd.IsSet("top"),
		color:  streams.ColorEnabled() && !cmd.Bool("no-color"),
	}
	if cmd.Bool("json") {
		if o.format != "" && o.format != formatJSON {
			return o, usageErrorf("--json and --format %s contradict each other; pick one", o.format)
		}
		o.format = formatJSON
	}
	o.formatSet = o.format != ""
	o.noSummary = cmd.Bool("no-summary")
	switch o.format {
	case "":
		o.format = formatText
		if streams.StdoutTTY {
			o.format = formatTUI
		}
	case formatText, formatJSON, formatMarkdown, formatTUI:
	case "md":
		o.format = formatMarkdown
	default:
		return o, usageErrorf("unknown --format %q: use tui, text, json or markdown", o.format)
	}
	if o.topSet && o.top < 0 {
		return o, usageErrorf("--top must be 0 (all) or more, got %d", o.top)
	}
	return o, nil
}

func runView(ctx context.Context, streams *Streams, opts viewOptions) error {
	rep, err := loadView(ctx, opts.arg)
	if err != nil {
		return err
	}
	if opts.render.format == formatTUI {
		return runReportTUI(ctx, streams, rep, opts.render)
	}
	return writeReport(streams, rep, opts.render)
}

// loadView loads what view names: a saved result file. A stored request
// (its ID, for the distributed mode) is looked up here once the store
// exists: an argument that is not an existing file goes that way.
func loadView(ctx context.Context, arg string) (analysis.Report, error) {
	if _, err := os.Stat(arg); err == nil {
		return readReportFile(arg)
	}
	return analysis.Report{}, usageErrorf("%s does not exist; view takes a result saved with destill analyze --format json URL > result.json", arg)
}
