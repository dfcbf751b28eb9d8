package app

import "github.com/urfave/cli/v3"

// Output formats of --format.
const (
	formatText     = "text"
	formatJSON     = "json"
	formatMarkdown = "markdown"
	formatTUI      = "tui"
)

// outputOptions say how findings are shown: the parsed outputFlags.
type outputOptions struct {
	format string
	// formatSet is true when --format or --json chose the format.
	formatSet bool
	top       int
	topSet    bool
	color     bool
	// noSummary skips the findings printed when the interactive UI closes.
	noSummary bool
}

// outputFlags are the flags that choose how findings are shown, one set for
// every command that shows them. withUI offers the interactive UI (the tui
// format and --no-summary); without it the findings are printed.
func outputFlags(withUI bool) []cli.Flag {
	formats := "output format: text, json or markdown (default: text)"
	if withUI {
		formats = "output format: tui, text, json or markdown (default: tui when stdout is a terminal, else text)"
	}
	flags := []cli.Flag{
		&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Usage: formats},
		&cli.BoolFlag{Name: "json", Usage: "short for --format json"},
		&cli.IntFlag{Name: "top", Aliases: []string{"n"}, Usage: "show at most `N` findings (default 10; JSON: all)", HideDefault: true},
		&cli.BoolFlag{Name: "no-color", Usage: "never colour the output (NO_COLOR works too)"},
	}
	if withUI {
		flags = append(flags, &cli.BoolFlag{Name: "no-summary", Usage: "print nothing when the interactive UI closes (by default the top findings stay on the screen)"})
	}
	return flags
}

// parseOutputFlags reads outputFlags. Without a format it picks the
// interactive UI when stdout is a terminal, unless inputOnTerminal: the
// command reads what is typed into that terminal, which the UI would read
// too.
func parseOutputFlags(cmd *cli.Command, streams *Streams, inputOnTerminal bool) (outputOptions, error) {
	o := outputOptions{
		format:    cmd.String("format"),
		top:       int(cmd.Int("top")),
		topSet:    cmd.IsSet("top"),
		color:     streams.ColorEnabled() && !cmd.Bool("no-color"),
		noSummary: cmd.Bool("no-summary"),
	}
	if cmd.Bool("json") {
		if o.format != "" && o.format != formatJSON {
			return o, usageErrorf("--json and --format %s contradict each other; pick one", o.format)
		}
		o.format = formatJSON
	}
	o.formatSet = o.format != ""
	switch o.format {
	case "":
		o.format = formatText
		if streams.StdoutTTY && !inputOnTerminal {
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
