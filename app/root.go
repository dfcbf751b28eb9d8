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
			return usageError{err}
		},
		CommandNotFound: func(ctx context.Context, cmd *cli.Command, name string) {},
		Commands: []*cli.Command{
			newAnalyzeCommand(streams),
			newEvalCommand(streams),
			newMCPCommand(streams),
			newViewCommand(streams),
			newCacheCommand(streams),
			newSubmitCommand(streams),
			newIngestWorkerCommand(streams),
			newAnalyzeWorkerCommand(streams),
			newMigrateCommand(streams),
			newHealthcheckCommand(streams),
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.Args().Len() > 0 {
				return usageErrorf("unknown command %q", cmd.Args().First())
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
