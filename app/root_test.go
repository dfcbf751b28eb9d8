package app

import (
	"context"

	"github.com/urfave/cli/v3"
)

// parseCommand runs the command newCmd builds on args (its name first)
// with a run function that only keeps the options, as gh's TestNewCmdX
// do, and returns them with the parsing error.
func parseCommand[O any](newCmd func(*Streams, runFunc[O]) *cli.Command, streams *Streams, args ...string) (O, error) {
	var got O
	cmd := newCmd(streams, func(_ context.Context, _ *Streams, opts O) error {
		got = opts
		return nil
	})
	err := cmd.Run(context.Background(), args)
	return got, err
}
