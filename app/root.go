package app

import (
	"context"

	"github.com/urfave/cli/v3"
)

func newRootCommand(streams *Streams) *cli.Command {
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
		Commands: []*cli.Command{
			newAnalyzeCommand(streams, runAnalyze),
			newEvalCommand(streams, runEval),
			newMCPCommand(streams, runMCP),
			newViewCommand(streams, runView),
			newCacheCommand(streams, runCacheList, runCachePrune),
			newSubmitCommand(streams, runSubmit),
			newIngestWorkerCommand(streams, runWorker),
			newAnalyzeWorkerCommand(streams, runWorker),
			newMigrateCommand(streams, runMigrate),
			newHealthcheckCommand(streams, runHealthcheck),
		},
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
