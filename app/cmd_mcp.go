package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/urfave/cli/v3"

	"github.com/destill-dev/destill/app/cache"
	"github.com/destill-dev/destill/app/mcpserver"
	"github.com/destill-dev/destill/app/pipeline"
	"github.com/destill-dev/destill/app/worker"
	"github.com/destill-dev/destill/backend/postgres"
)

// mcpOptions are the parsed flags of mcp.
type mcpOptions struct {
	maxRequests int
	concurrency int
	logLevel    slog.Level
	// allowDirs are the directories --allow-dir names, each one checked to
	// be a directory; none means the defaults runMCP picks.
	allowDirs []string
	// backend names the database the results are shared through, if any.
	backend backendConfig
}

func newMCPCommand(streams *Streams, run runFunc[mcpOptions]) *cli.Command {
	return &cli.Command{
		Name:  "mcp",
		Usage: "serve destill to AI assistants (Model Context Protocol over stdio)",
		Description: "Runs an MCP server on standard input and output, for Claude Desktop, Claude Code and other\n" +
			"MCP clients. Its tools: analyze_build (a build URL or a log file), then get_finding, search_log,\n" +
			"read_log and list_jobs on the result. Provider tokens come from the environment, as for analyze.\n" +
			"Logs go to standard error; standard output carries the protocol only.\n\n" +
			"analyze_build reads log files only inside the directories --allow-dir names (by default the\n" +
			"working directory, unless it is /, and destill's cache folder), and only regular files: no device, pipe or\n" +
			"standard input, and no symbolic link that leads outside them.\n\n" +
			"With a database (DESTILL_DATABASE_URL, as for the distributed commands) its results are saved\n" +
			"there, for destill view, and its tools also read requests submitted with destill submit.\n\n" +
			"  claude mcp add destill -e GITHUB_TOKEN=... -- destill mcp",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "max-requests", Usage: "analyses kept for follow-up tools (least recently used dropped first)", Value: mcpserver.DefaultMaxRequests},
			&cli.IntFlag{Name: "concurrency", Usage: "job logs fetched at once", Value: pipeline.DefaultConcurrency},
			&cli.StringFlag{Name: "log-level", Usage: "what to log on standard error: debug, info, warn or error", Value: "info"},
			&cli.StringSliceFlag{Name: "allow-dir", Usage: "let analyze_build read log files in `DIR` and below (repeatable; default: the working directory, unless it is /, and the cache folder)", TakesFile: true},
			databaseFlag(),
		},
		Action: action(streams, parseMCPOptions, run),
	}
}

func parseMCPOptions(cmd *cli.Command, streams *Streams) (mcpOptions, error) {
	var opts mcpOptions
	if cmd.Args().Len() > 0 {
		return opts, usageErrorf("mcp takes no arguments; the assistant names builds through the analyze_build tool")
	}
	if err := opts.logLevel.UnmarshalText([]byte(cmd.String("log-level"))); err != nil {
		return opts, usageErrorf("unknown --log-level %q: use debug, info, warn or error", cmd.String("log-level"))
	}
	opts.maxRequests, opts.concurrency = int(cmd.Int("max-requests")), int(cmd.Int("concurrency"))
	if opts.maxRequests < 1 {
		return opts, usageErrorf("--max-requests must be at least 1, got %d", opts.maxRequests)
	}
	if opts.concurrency < 1 {
		return opts, usageErrorf("--concurrency must be at least 1, got %d", opts.concurrency)
	}
	opts.allowDirs = cmd.StringSlice("allow-dir")
	for _, d := range opts.allowDirs {
		info, err := os.Stat(d)
		if err != nil || !info.IsDir() {
			return opts, usageErrorf("--allow-dir %s: not a directory; name a directory that exists", d)
		}
	}
	var err error
	if opts.backend, err = parseBackendConfig(cmd, streams); err != nil {
		return opts, err
	}
	if opts.backend.databaseURL != "" {
		if err := opts.backend.needDatabase("destill mcp"); err != nil {
			return opts, err
		}
	}
	return opts, nil
}

// runMCP sets the server up: the directories analyze_build may read, its
// results kept in memory and, with a database, shared through it.
func runMCP(ctx context.Context, streams *Streams, opts mcpOptions) error {
	allowed, err := mcpAllowedDirs(streams, opts.allowDirs)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(streams.ErrOut, &slog.HandlerOptions{Level: opts.logLevel}))
	local := mcpserver.NewRecentRequests(opts.maxRequests, 0)
	sopts := mcpserver.Options{
		Getenv:      streams.Getenv,
		HTTPClient:  streams.HTTPClient,
		Secrets:     environmentSecrets(os.Environ()),
		Requests:    local,
		Concurrency: opts.concurrency,
		Logger:      logger,
		AllowedDirs: allowed,
	}
	if opts.backend.databaseURL != "" {
		db, err := shareMCPResults(ctx, opts.backend, local, &sopts)
		if err != nil {
			return err
		}
		defer db.Close()
	}
	return serveMCP(ctx, streams, logger, sopts)
}

// mcpAllowedDirs returns the directories analyze_build may read: those
// --allow-dir names (parseMCPOptions checked each is a directory), or by
// default the working directory (unless it is /) and the cache folder
// (when there is one).
func mcpAllowedDirs(streams *Streams, flags []string) ([]string, error) {
	dirs := flags
	if len(dirs) == 0 {
		wd, err := os.Getwd()
		if err != nil {
			return nil, fmt.Errorf("working directory: %w; name the directories analyze_build may read with --allow-dir", err)
		}
		dirs = nil
		if filepath.Dir(wd) != wd {
			// Not the filesystem's root, where some clients start
			// servers: that would allow every file.
			dirs = append(dirs, wd)
		}
		if c, err := cache.Dir(streams.Getenv, streams.UserCacheDir); err == nil {
			dirs = append(dirs, c)
		}
	}
	return mcpserver.AllowedDirs(dirs)
}

// shareMCPResults opens the database of distributed mode (migrating it, as
// submit does) and makes the server save its results there and read the
// requests stored there, keeping those it serves in local. The caller
// closes the store.
func shareMCPResults(ctx context.Context, cfg backendConfig, local *mcpserver.RecentRequests, opts *mcpserver.Options) (*postgres.Store, error) {
	db, err := cfg.openStore(ctx, true, opts.Logger)
	if err != nil {
		return nil, err
	}
	opts.Requests = mcpserver.NewSharedRequests(db, local)
	opts.BaselineBacking = databaseBaselines{db}
	opts.History = db
	opts.NewID = worker.NewRequestID
	opts.Secrets = append(opts.Secrets, databaseSecrets(cfg.databaseURL)...)
	where, _ := postgres.Describe(cfg.databaseURL)
	opts.Logger.Info("results shared through PostgreSQL", "database", where)
	return db, nil
}

// databaseSecrets returns the database URL and its password, never to be
// shown in a result.
func databaseSecrets(dsn string) []string {
	out := []string{dsn}
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok {
			out = append(out, pw)
		}
	}
	for _, f := range strings.Fields(dsn) {
		if pw, ok := strings.CutPrefix(f, "password="); ok {
			out = append(out, strings.Trim(pw, "'"))
		}
	}
	return out
}

// serveMCP serves MCP on the streams until the client disconnects or ctx
// is done, then deletes every job log it kept.
func serveMCP(ctx context.Context, streams *Streams, logger *slog.Logger, opts mcpserver.Options) error {
	out := streams.Out
	if out == os.Stdout {
		// Standard output is the protocol's: anything else printed there
		// by mistake would break the client, so send it to stderr.
		os.Stdout = os.Stderr
		defer func() { os.Stdout = out.(*os.File) }()
	}
	srv := mcpserver.New(&mcp.Implementation{Name: "destill", Title: "Destill", Version: Version}, opts)
	defer func() {
		if err := srv.Close(); err != nil {
			logger.Warn("could not delete kept job logs", "err", err)
		}
	}()
	logger.Info("destill MCP server ready on stdio", "version", Version, "log_dirs", strings.Join(opts.AllowedDirs, string(os.PathListSeparator)))
	// Run returns when the client disconnects, or as soon as ctx is done:
	// the transport stops waiting for standard input, which no signal
	// interrupts.
	err := srv.Run(ctx, &mcpserver.LineTransport{Reader: streams.In, Writer: out, Logger: logger})
	switch {
	case ctx.Err() != nil:
		logger.Info("destill MCP server stopped")
		return nil
	case err == nil, errors.Is(err, io.EOF), errors.Is(err, mcp.ErrConnectionClosed):
		logger.Info("client disconnected; destill MCP server stopped")
		return nil
	}
	return fmt.Errorf("mcp server: %w", err)
}

// environmentSecrets returns the values of the environment variables that
// hold credentials (names with TOKEN, SECRET, PASSWORD, KEY, ...), to keep
// them out of every result and error.
func environmentSecrets(env []string) []string {
	var out []string
	for _, kv := range env {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || len(value) < 6 {
			continue
		}
		upper := strings.ToUpper(name)
		for _, w := range []string{"TOKEN", "SECRET", "PASSWORD", "PASSWD", "API_KEY", "APIKEY", "ACCESS_KEY", "PRIVATE_KEY", "CREDENTIAL", "AUTH"} {
			if strings.Contains(upper, w) {
				out = append(out, value)
				break
			}
		}
	}
	return out
}
