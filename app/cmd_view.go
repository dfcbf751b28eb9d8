package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/render"
	"github.com/destill-dev/destill/app/sources"
	"github.com/destill-dev/destill/backend"
)

// outputOptions are the parsed output flags of view and submit --wait.
type outputOptions struct {
	format    string
	formatSet bool
	top       int
	topSet    bool
	color     bool
}

func parseOutputFlags(cmd *cli.Command, streams *Streams) (outputOptions, error) {
	o := outputOptions{
		format:    cmd.String("format"),
		top:       int(cmd.Int("top")),
		topSet:    cmd.IsSet("top"),
		color:     streams.ColorEnabled() && !cmd.Bool("no-color"),
		formatSet: cmd.IsSet("format") || cmd.Bool("json"),
	}
	if cmd.Bool("json") {
		if o.format != "" && o.format != formatJSON {
			return o, usageErrorf("--json and --format %s contradict each other; pick one", o.format)
		}
		o.format = formatJSON
	}
	switch o.format {
	case "":
		o.format = formatText
	case formatText, formatJSON:
	default:
		return o, usageErrorf("unknown --format %q: use text or json", o.format)
	}
	if o.topSet && o.top < 0 {
		return o, usageErrorf("--top must be 0 (all) or more, got %d", o.top)
	}
	return o, nil
}

// openTUI shows a request in the terminal UI. It is nil until the ui
// package is wired in; view then prints text.
var openTUI func(ctx context.Context, streams *Streams, store backend.Store, req backend.Request) error

func newViewCommand(streams *Streams) *cli.Command {
	return &cli.Command{
		Name:      "view",
		Usage:     "show a submitted request: its status, progress and findings (distributed mode)",
		ArgsUsage: "<request ID | build URL>",
		Description: "Reads a request from PostgreSQL, by the ID submit printed or by the build's URL (the newest\n" +
			"request for it). --format json prints the findings document with request_id and status;\n" +
			"--list shows the recent requests with their status and top finding.",
		Category: "distributed",
		Flags: []cli.Flag{
			databaseFlag(),
			&cli.BoolFlag{Name: "list", Aliases: []string{"l"}, Usage: "list the recent requests"},
			&cli.IntFlag{Name: "limit", Usage: "with --list, how many requests", Value: 20},
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Usage: "text or json (default: text)"},
			&cli.BoolFlag{Name: "json", Usage: "short for --format json"},
			&cli.IntFlag{Name: "top", Aliases: []string{"n"}, Usage: "show at most `N` findings (default 10; JSON: all)"},
			&cli.BoolFlag{Name: "no-color", Usage: "never colour the output (NO_COLOR works too)"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			return runView(ctx, cmd, streams)
		},
	}
}

func runView(ctx context.Context, cmd *cli.Command, streams *Streams) error {
	list := cmd.Bool("list")
	switch {
	case list && cmd.Args().Len() > 0:
		return usageErrorf("view --list takes no argument")
	case !list && cmd.Args().Len() != 1:
		return usageErrorf("view takes one request ID or build URL (or --list)")
	}
	out, err := parseOutputFlags(cmd, streams)
	if err != nil {
		return err
	}
	cfg, err := parseBackendConfig(cmd, streams)
	if err != nil {
		return err
	}
	if err := cfg.needDatabase("view"); err != nil {
		return err
	}
	store, err := cfg.openStore(ctx, false, nil)
	if err != nil {
		return err
	}
	defer store.Close()
	if list {
		limit := int(cmd.Int("limit"))
		if limit < 1 {
			return usageErrorf("--limit must be at least 1, got %d", limit)
		}
		reqs, err := store.ListRequests(ctx, limit)
		if err != nil {
			return err
		}
		if out.format == formatJSON {
			return writeRequestListJSON(streams.Out, reqs)
		}
		return writeRequestList(streams.Out, reqs, time.Now())
	}
	arg := cmd.Args().First()
	var req backend.Request
	if sources.LooksLikeURL(arg) {
		found, err := store.FindRequests(ctx, arg, 1)
		if err != nil {
			return err
		}
		if len(found) == 0 {
			return fmt.Errorf("no request for %s in the database (submit it with `destill submit %s`)", arg, arg)
		}
		req = found[0]
	} else {
		req, err = store.GetRequest(ctx, arg)
		if err != nil {
			return storeError(err, arg)
		}
	}
	if openTUI != nil && streams.StdoutTTY && !out.formatSet {
		return openTUI(ctx, streams, store, req)
	}
	if err := printRequest(ctx, streams, store, req, out); err != nil {
		return err
	}
	return requestFailed(req, out)
}

// requestFailed fails the command for a failed request: silently when the
// text output already said why, with the reason next to JSON output.
func requestFailed(req backend.Request, out outputOptions) error {
	if req.Status != backend.StatusFailed {
		return nil
	}
	if out.format == formatJSON {
		return fmt.Errorf("request %s failed: %s", req.ID, req.Error)
	}
	return errSilent
}

// requestReport is the findings document of a stored request, with its
// request_id and status.
func requestReport(ctx context.Context, store backend.Store, req backend.Request) (analysis.Report, error) {
	rep := req.Report
	if rep.Schema == "" {
		// Not fetched yet: say what was submitted.
		rep.Schema = analysis.Schema
		rep.Tool = analysis.Tool{Name: "destill", Version: Version}
		rep.Source = analysis.Source{Kind: "build", URL: req.Input}
	}
	rep.RequestID = req.ID
	rep.Status = string(req.Status)
	findings, err := store.ListFindings(ctx, req.ID)
	if err != nil {
		return rep, storeError(err, req.ID)
	}
	rep.Findings = findings
	rep.Summary.Findings = len(findings)
	if req.Status == backend.StatusFailed && req.Error != "" {
		rep.Notes = append(append([]string(nil), rep.Notes...), "request failed: "+req.Error)
	}
	return rep, nil
}

func printRequest(ctx context.Context, streams *Streams, store backend.Store, req backend.Request, out outputOptions) error {
	rep, err := requestReport(ctx, store, req)
	if err != nil {
		return err
	}
	top := out.top
	if !out.topSet && out.format != formatJSON {
		top = 10
	}
	if out.format == formatJSON {
		if err := render.JSON(streams.Out, rep, top); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
		return nil
	}
	fmt.Fprintf(streams.Out, "Request %s: %s\n", req.ID, render.Sanitize(describeProgress(req)))
	switch req.Status {
	case backend.StatusDone:
	case backend.StatusFailed:
		for _, n := range req.Report.Notes {
			fmt.Fprintf(streams.Out, "note: %s\n", render.Sanitize(n))
		}
		return nil
	default:
		fmt.Fprintf(streams.Out, "Submitted %s; findings appear when every chunk is analyzed.\n", render.Sanitize(req.Input))
		return nil
	}
	if err := render.Text(streams.Out, rep, render.TextOptions{Top: top, Color: out.color}); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

// describeProgress says where a request stands in one line.
func describeProgress(r backend.Request) string {
	p := r.Progress
	switch r.Status {
	case backend.StatusQueued:
		return "queued, waiting for an ingest-worker"
	case backend.StatusFetching:
		if !p.Planned {
			return "fetching the build"
		}
		return fmt.Sprintf("fetching logs: %d of %d read, %d chunk(s) analyzed", p.JobsFetched, p.JobsSelected, p.ChunksDone)
	case backend.StatusAnalyzing:
		return fmt.Sprintf("analyzing: %d of %d chunk(s) done", p.ChunksDone, p.ChunksTotal)
	case backend.StatusDone:
		return fmt.Sprintf("done: %d log(s), %d chunk(s)", p.JobsSelected, p.ChunksTotal)
	case backend.StatusFailed:
		return "failed: " + r.Error
	}
	return string(r.Status)
}

func writeRequestList(w io.Writer, reqs []backend.RequestSummary, now time.Time) error {
	if len(reqs) == 0 {
		_, err := fmt.Fprintln(w, "No requests yet: `destill submit <build URL>` queues one.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REQUEST\tSTATUS\tAGE\tFINDINGS\tBUILD\tTOP FINDING")
	for _, r := range reqs {
		top := ""
		switch {
		case r.Top != nil:
			top = fmt.Sprintf("[%s] %s", r.Top.Category, r.Top.Message)
		case r.Status == backend.StatusFailed:
			top = "error: " + r.Error
		case !r.Status.Terminal():
			top = describeProgress(r.Request)
		}
		findings := "-"
		if r.Status == backend.StatusDone {
			findings = fmt.Sprint(r.Findings)
		}
		build := r.BuildURL
		if build == "" {
			build = r.Input
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Status, age(now.Sub(r.CreatedAt)), findings,
			render.Sanitize(build), render.Truncate(render.Sanitize(strings.Join(strings.Fields(top), " ")), 80))
	}
	return tw.Flush()
}

func age(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

// requestListItem is one request in view --list --format json.
type requestListItem struct {
	RequestID  string            `json:"request_id"`
	Status     string            `json:"status"`
	Input      string            `json:"input"`
	BuildURL   string            `json:"build_url,omitempty"`
	Error      string            `json:"error,omitempty"`
	Progress   backend.Progress  `json:"progress"`
	Findings   int               `json:"findings"`
	TopFinding *analysis.Finding `json:"top_finding,omitempty"`
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`
}

func writeRequestListJSON(w io.Writer, reqs []backend.RequestSummary) error {
	items := make([]requestListItem, 0, len(reqs))
	for _, r := range reqs {
		items = append(items, requestListItem{
			RequestID: r.ID, Status: string(r.Status), Input: r.Input, BuildURL: r.BuildURL, Error: r.Error,
			Progress: r.Progress, Findings: r.Findings, TopFinding: r.Top, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(items)
}
