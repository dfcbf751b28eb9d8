package app

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/urfave/cli/v3"

	"github.com/destill-dev/destill/backend/postgres"
)

// migrateOptions are the parsed flags of migrate.
type migrateOptions struct {
	backend backendConfig
	// status lists the migrations instead of applying them.
	status bool
}

func newMigrateCommand(streams *Streams, run runFunc[migrateOptions]) *cli.Command {
	return &cli.Command{
		Name:  "migrate",
		Usage: "bring the PostgreSQL schema up to date (workers also do it when they start)",
		Description: "Applies the migrations embedded in this binary that the database lacks, in order, each in a\n" +
			"transaction, under an advisory lock (safe while workers start). --status lists them instead.",
		Category: "distributed",
		Flags: []cli.Flag{
			databaseFlag(),
			&cli.BoolFlag{Name: "status", Usage: "list the migrations and whether each is applied; change nothing"},
		},
		Action: action(streams, parseMigrateOptions, run),
	}
}

func parseMigrateOptions(cmd *cli.Command, streams *Streams) (migrateOptions, error) {
	opts := migrateOptions{status: cmd.Bool("status")}
	if cmd.Args().Len() > 0 {
		return opts, usageErrorf("migrate takes no argument")
	}
	var err error
	if opts.backend, err = parseBackendConfig(cmd, streams); err != nil {
		return opts, err
	}
	return opts, opts.backend.needDatabase("migrate")
}

func runMigrate(ctx context.Context, streams *Streams, opts migrateOptions) error {
	db, err := opts.backend.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if opts.status {
		st, err := postgres.Status(ctx, db.DB)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(streams.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "VERSION\tMIGRATION\tAPPLIED")
		for _, s := range st {
			applied := "pending"
			if s.Applied {
				applied = s.AppliedAt.UTC().Format("2006-01-02 15:04:05 UTC")
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\n", s.Version, s.Name, applied)
		}
		return tw.Flush()
	}
	applied, err := postgres.Migrate(ctx, db.DB, nil)
	for _, a := range applied {
		fmt.Fprintf(streams.Out, "applied %d %s (%s)\n", a.Version, a.Name, a.Duration.Round(100_000))
	}
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(streams.Out, "the database schema is up to date")
	}
	return nil
}
