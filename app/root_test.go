package app

import (
	"context"
	"errors"
	"testing"

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

// TestRootForOneCommand: a run builds only the command it names, under
// the name it is run by; any other first argument gets every command.
func TestRootForOneCommand(t *testing.T) {
	streams := &Streams{Getenv: func(string) string { return "" }}
	for _, c := range subcommands {
		root := newRootCommandFor(streams, c.name)
		if len(root.Commands) != 1 || root.Commands[0].Name != c.name {
			t.Errorf("root for %q has commands %v, want only %q", c.name, commandNames(root), c.name)
		}
	}
	for _, run := range []string{"", "--version", "analyse", "help"} {
		if got := newRootCommandFor(streams, run).Commands; len(got) != len(subcommands) {
			t.Errorf("root for %q has %d commands, want all %d", run, len(got), len(subcommands))
		}
	}
}

// TestInterruptContextStop: stop cancels the context and returns once the
// signals are no longer caught, however often it is called. (What the
// signals do is TestE2ESignalStopsLocalInput's, on the real binary.)
func TestInterruptContextStop(t *testing.T) {
	ctx, stop := interruptContext(context.Background())
	if err := ctx.Err(); err != nil {
		t.Fatalf("before stop: %v", err)
	}
	stop()
	if err := ctx.Err(); !errors.Is(err, context.Canceled) {
		t.Fatalf("after stop: %v, want context.Canceled", err)
	}
	stop()
}
