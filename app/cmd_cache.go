package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/urfave/cli/v3"

	"github.com/destill-dev/destill/app/cache"
	"github.com/destill-dev/destill/render"
)

// cacheListOptions are the parsed flags of cache ls.
type cacheListOptions struct {
	json bool
}

// cachePruneOptions are the parsed flags of cache prune.
type cachePruneOptions struct {
	// size is --cache-size as given ("": DESTILL_CACHE_SIZE or the default).
	size  string
	prune cache.PruneOptions
}

func newCacheCommand(streams *Streams, runList runFunc[cacheListOptions], runPrune runFunc[cachePruneOptions]) *cli.Command {
	c := &cli.Command{
		Name:  "cache",
		Usage: "list or prune the log cache",
		Description: "destill keeps the logs of finished jobs (and what analyzing them found) under\n" +
			"$" + cache.EnvDir + ", or destill in the user cache folder, so a second look at a\n" +
			"finished build downloads nothing.",
		Commands: []*cli.Command{
			{
				Name:  "ls",
				Usage: "list the cached entries: kind, size, age, what they belong to",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Usage: "output format: text or json (default: text)"},
					&cli.BoolFlag{Name: "json", Usage: "short for --format json"},
				},
				Action: action(streams, parseCacheListOptions, runList),
			},
			{
				Name:  "prune",
				Usage: "remove old entries, or all of them, and keep the cache under its cap",
				Description: "With no flag, removes the least recently used entries past the cap (--cache-size,\n" +
					"$" + cache.EnvSize + ", default 2GiB) and files left by interrupted runs.",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "older-than", Usage: "also remove entries not used for `AGE` (7d, 2w, 12h, 30m)"},
					&cli.BoolFlag{Name: "all", Usage: "remove every entry"},
					cacheSizeFlag(),
				},
				Action: action(streams, parseCachePruneOptions, runPrune),
			},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.Args().Len() > 0 {
				return unknownCommand(cmd, cmd.Args().First())
			}
			return cli.ShowSubcommandHelp(cmd)
		},
	}
	for _, sub := range c.Commands {
		sub.OnUsageError = func(ctx context.Context, cmd *cli.Command, err error, isSubcommand bool) error {
			return usageError{err}
		}
	}
	return c
}

func parseCacheListOptions(cmd *cli.Command, _ *Streams) (cacheListOptions, error) {
	if cmd.Args().Len() > 0 {
		return cacheListOptions{}, usageErrorf("cache ls takes no arguments, got %q", cmd.Args().First())
	}
	format := cmd.String("format")
	if cmd.Bool("json") {
		if format != "" && format != formatJSON {
			return cacheListOptions{}, usageErrorf("--json and --format %s contradict each other; pick one", format)
		}
		format = formatJSON
	}
	switch format {
	case "", formatText, formatJSON:
	default:
		return cacheListOptions{}, usageErrorf("unknown --format %q: use text or json", format)
	}
	return cacheListOptions{json: format == formatJSON}, nil
}

func parseCachePruneOptions(cmd *cli.Command, _ *Streams) (cachePruneOptions, error) {
	var opts cachePruneOptions
	if cmd.Args().Len() > 0 {
		return opts, usageErrorf("cache prune takes no arguments, got %q (did you mean --older-than %s?)", cmd.Args().First(), cmd.Args().First())
	}
	opts.prune.All = cmd.Bool("all")
	if s := cmd.String("older-than"); s != "" {
		if opts.prune.All {
			return opts, usageErrorf("--all and --older-than contradict each other; pick one")
		}
		d, err := parseAge(s)
		if err != nil {
			return opts, usageErrorf("--older-than: %v", err)
		}
		opts.prune.OlderThan = d
	}
	opts.size = cmd.String("cache-size")
	if opts.size != "" {
		if _, err := parseSize(opts.size); err != nil {
			return opts, usageErrorf("--cache-size: %v", err)
		}
	}
	return opts, nil
}

// cacheEntryJSON is one entry in "cache ls --format json".
type cacheEntryJSON struct {
	Kind     string    `json:"kind"`
	Provider string    `json:"provider,omitempty"`
	Build    string    `json:"build,omitempty"`
	JobID    string    `json:"job_id,omitempty"`
	JobName  string    `json:"job_name,omitempty"`
	Size     int64     `json:"size"`
	RawSize  int64     `json:"raw_size"`
	Created  time.Time `json:"created,omitzero"`
	LastUsed time.Time `json:"last_used"`
	Damaged  bool      `json:"damaged,omitempty"`
	Path     string    `json:"path"`
}

// cacheListJSON is the document "cache ls --format json" prints.
type cacheListJSON struct {
	Dir        string           `json:"dir"`
	MaxBytes   int64            `json:"max_bytes"`
	TotalBytes int64            `json:"total_bytes"`
	Entries    []cacheEntryJSON `json:"entries"`
}

func runCacheList(_ context.Context, streams *Streams, opts cacheListOptions) error {
	st, dir, err := openFolderForCommand(streams, "", false)
	if err != nil {
		return fmt.Errorf("open the cache: %w", err)
	}
	var entries []cache.Entry
	max, _ := cacheMaxBytes(streams, "")
	if st != nil {
		if entries, err = st.List(); err != nil {
			return fmt.Errorf("list the cache: %w", err)
		}
	}
	doc := cacheListJSON{Dir: dir, MaxBytes: max, Entries: []cacheEntryJSON{}}
	for _, e := range entries {
		kind := e.Kind
		if e.Damaged {
			kind = "damaged"
		}
		doc.TotalBytes += e.Size
		doc.Entries = append(doc.Entries, cacheEntryJSON{
			Kind: kind, Provider: e.Provider, Build: e.Build, JobID: e.Job, JobName: e.JobName,
			Size: e.Size, RawSize: e.RawSize, Created: e.Created, LastUsed: e.LastUsed, Damaged: e.Damaged, Path: e.Path,
		})
	}
	if opts.json {
		enc := json.NewEncoder(streams.Out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(doc)
	}
	if len(doc.Entries) == 0 {
		_, err := fmt.Fprintf(streams.Out, "the cache is empty (%s)\n", dir)
		return err
	}
	now := time.Now()
	tw := tabwriter.NewWriter(streams.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tSIZE\tCONTENT\tAGE\tUSED\tWHAT")
	for _, e := range doc.Entries {
		age := "-"
		if !e.Created.IsZero() {
			age = render.Age(now.Sub(e.Created))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s ago\t%s\n", e.Kind, humanize.IBytes(uint64(e.Size)), humanize.IBytes(uint64(e.RawSize)),
			age, render.Age(now.Sub(e.LastUsed)), render.Sanitize(describeEntry(e)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	capText := "no cap"
	if max > 0 {
		capText = "cap " + humanize.IBytes(uint64(max))
	}
	_, err = fmt.Fprintf(streams.Out, "%d entries, %s (%s) in %s\n", len(doc.Entries), humanize.IBytes(uint64(doc.TotalBytes)), capText, dir)
	return err
}

// describeEntry says what an entry belongs to, in one line.
func describeEntry(e cacheEntryJSON) string {
	var parts []string
	if e.Build != "" {
		parts = append(parts, e.Build)
	} else if e.Provider != "" {
		parts = append(parts, e.Provider)
	}
	switch {
	case e.JobName != "":
		parts = append(parts, fmt.Sprintf("job %q", e.JobName))
	case e.JobID != "":
		parts = append(parts, "job "+e.JobID)
	}
	if e.Damaged {
		parts = append(parts, e.Path+" (damaged: removed when next read or pruned)")
	}
	return strings.Join(parts, " ")
}

func runCachePrune(_ context.Context, streams *Streams, opts cachePruneOptions) error {
	st, dir, err := openFolderForCommand(streams, opts.size, false)
	if err != nil {
		return fmt.Errorf("open the cache: %w", err)
	}
	if st == nil {
		_, err := fmt.Fprintf(streams.Out, "the cache is empty (%s)\n", dir)
		return err
	}
	res, err := st.Prune(opts.prune)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(streams.Out, "removed %d entries (%s); %d entries (%s) kept in %s\n",
		res.Removed, humanize.IBytes(uint64(res.Freed)), res.Kept, humanize.IBytes(uint64(res.KeptBytes)), dir)
	return err
}
