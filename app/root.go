package app

import (
	"context"

	"github.com/urfave/cli/v3"
)

// subcommands are destill's commands, in the order help lists them, each
// with the name it is run by.
var subcommands = []struct {
	name string
	make func(*Streams) *cli.Command
}{
	{"analyze", func(s *Streams) *cli.Command { return newAnalyzeCommand(s, runAnalyze) }},
	{"history", func(s *Streams) *cli.Command { return newHistoryCommand(s, runHistory) }},
	{"eval", func(s *Streams) *cli.Command { return newEvalCommand(s, runEval) }},
	{"mcp", func(s *Streams) *cli.Command { return newMCPCommand(s, runMCP) }},
	{"view", func(s *Streams) *cli.Command { return newViewCommand(s, runView) }},
	{"cache", func(s *Streams) *cli.Command { return newCacheCommand(s, runCacheList, runCachePrune) }},
	{"submit", func(s *Streams) *cli.Command { return newSubmitCommand(s, runSubmit) }},
	{"ingest-worker", func(s *Streams) *cli.Command { return newIngestWorkerCommand(s, runWorker) }},
	{"analyze-worker", func(s *Streams) *cli.Command { return newAnalyzeWorkerCommand(s, runWorker) }},
	{"migrate", func(s *Streams) *cli.Command { return newMigrateCommand(s, runMigrate) }},
	{"healthcheck", func(s *Streams) *cli.Command { return newHealthcheckCommand(s, runHealthcheck) }},
}

// newRootCommand returns the root command with every subcommand.
func newRootCommand(streams *Streams) *cli.Command { return newRootCommandFor(streams, "") }

// newRootCommandFor returns the root command with only the subcommand
// named run when there is one, else with all of them: building the
// others' flags, and the command graph the CLI library walks before
// parsing, took 8% of a run that analyzes one log.
func newRootCommandFor(streams *Streams, run string) *cli.Command {
	var commands []*cli.Command
	for _, c := range subcommands {
		if c.name == run {
			commands = []*cli.Command{c.make(streams)}
			break
		}
	}
	if commands == nil {
		for _, c := range subcommands {
			commands = append(commands, c.make(streams))
		}
	}
	root := &cli.Command{
		Name:    "destill",
		Usage:   "find the root cause of a failed CI build",
		Version: Version,
		Description: "Give destill a failed build's URL (Buildkite, GitHub Actions, GitLab, Jenkins) or a log file,\n" +
			"and it shows the few log lines that explain the failure, ranked by confidence.",
		Reader:                streams.In,
		Writer:                streams.Out,
		ErrWriter:             streams.ErrOut,
		EnableShellCompletion: false,
		HideHelpCommand:       true,
		ExitErrHandler:        func(context.Context, *cli.Command, error) {},
		OnUsageError: func(ctx context.Context, cmd *cli.Command, err error, isSubcommand bool) error {
			return usageError{flagUsageError(cmd, err)}
		},
		CommandNotFound: func(ctx context.Context, cmd *cli.Command, name string) {},
		Commands:        commands,
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.Args().Len() > 0 {
				return unknownCommand(cmd, cmd.Args().First())
			}
			return cli.ShowRootCommandHelp(cmd)
		},
	}
	for _, c := range root.Commands {
		if c.OnUsageError == nil {
			c.OnUsageError = root.OnUsageError
		}
	}
	return root
}

// runFunc is what a command does once its flags are parsed into opts. The
// commands' constructors take it, as gh's NewCmdX take runF: tests pass
// one that keeps opts, to check the parsing without running anything.
type runFunc[O any] func(ctx context.Context, streams *Streams, opts O) error

// action parses a command's flags and arguments into its options with
// parse, then runs run with them: nothing reads a flag after parse.
func action[O any](streams *Streams, parse func(*cli.Command, *Streams) (O, error), run runFunc[O]) cli.ActionFunc {
	return func(ctx context.Context, cmd *cli.Command) error {
		opts, err := parse(cmd, streams)
		if err != nil {
			return err
		}
		return run(ctx, streams, opts)
	}
}
