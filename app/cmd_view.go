package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/sources"
	"github.com/destill-dev/destill/app/worker"
	"github.com/destill-dev/destill/backend"
	"github.com/destill-dev/destill/render"
)

// viewOptions are the parsed flags of view.
type viewOptions struct {
	arg    string
	output outputOptions
	list   bool
	limit  int
	// wait waits up to timeout for a request in progress to end.
	wait    bool
	timeout time.Duration
	// backend is where submitted requests are read from.
	backend backendConfig
}

func newViewCommand(streams *Streams, run runFunc[viewOptions]) *cli.Command {
	return &cli.Command{
		Name:      "view",
		Usage:     "show a saved result, or a request submitted to the workers",
		ArgsUsage: "<result.json | request ID | build URL>",
		Description: "Re-opens a result saved with 'destill analyze --format json URL > result.json' (plain or gzip)\n" +
			"and shows its findings, without network or token.\n\n" +
			"Distributed mode: given the ID `destill submit` printed, or a build URL (its newest request),\n" +
			"it reads the request from PostgreSQL (DESTILL_DATABASE_URL) and shows its status, progress and\n" +
			"findings; --format json prints the findings document with request_id and status. --list shows\n" +
			"the recent requests with their status and top finding.",
		Flags: append(outputFlags(true),
			&cli.BoolFlag{Name: "list", Aliases: []string{"l"}, Usage: "list the recent requests submitted to the workers"},
			&cli.IntFlag{Name: "limit", Usage: "with --list, how many requests", Value: 20},
			&cli.BoolFlag{Name: "wait", Aliases: []string{"w"}, Usage: "wait for a request the workers are still on to end, then show it"},
			&cli.DurationFlag{Name: "timeout", Usage: "with --wait, give up after this long", Value: 30 * time.Minute},
			databaseFlag(),
		),
		Action: action(streams, parseViewOptions, run),
	}
}

func parseViewOptions(cmd *cli.Command, streams *Streams) (viewOptions, error) {
	opts := viewOptions{list: cmd.Bool("list"), limit: int(cmd.Int("limit")), wait: cmd.Bool("wait"), timeout: cmd.Duration("timeout")}
	switch n := cmd.Args().Len(); {
	case opts.list && n > 0:
		return opts, usageErrorf("view --list takes no argument")
	case opts.list && opts.wait:
		return opts, usageErrorf("--wait waits for one request; give its ID or build URL instead of --list")
	case opts.list:
		if opts.limit < 1 {
			return opts, usageErrorf("--limit must be at least 1, got %d", opts.limit)
		}
	case n == 0:
		return opts, usageErrorf("view needs a saved result (destill view result.json), a request ID or a build URL")
	case n == 1:
		opts.arg = cmd.Args().First()
	default:
		return opts, usageErrorf("view takes one saved result, request ID or build URL, got %d arguments", n)
	}
	var err error
	if opts.output, err = parseOutputFlags(cmd, streams, false); err != nil {
		return opts, err
	}
	opts.backend, err = parseBackendConfig(cmd, streams)
	return opts, err
}

func runView(ctx context.Context, streams *Streams, opts viewOptions) error {
	if !opts.list {
		if _, err := os.Stat(opts.arg); err == nil {
			rep, err := readReportFile(ctx, opts.arg)
			if err != nil {
				return err
			}
			return showReport(ctx, streams, rep, opts.output)
		}
	}
	// Not a file: a request of the distributed mode, read from PostgreSQL.
	cfg := opts.backend
	if cfg.databaseURL == "" && !opts.list && !sources.LooksLikeURL(opts.arg) && !looksLikeRequestID(opts.arg) {
		return usageErrorf("%s does not exist; view takes a result saved with destill analyze --format json URL > result.json, or a request ID from destill submit", opts.arg)
	}
	if err := cfg.needDatabase("viewing a submitted request"); err != nil {
		return err
	}
	store, err := cfg.openStoreReading(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	if opts.list {
		reqs, err := store.ListRequests(ctx, opts.limit)
		if err != nil {
			return err
		}
		if opts.output.format == formatJSON {
			return writeRequestListJSON(streams.Out, reqs, time.Now())
		}
		return writeRequestList(streams.Out, reqs, time.Now())
	}
	var req backend.Request
	if sources.LooksLikeURL(opts.arg) {
		found, err := store.FindRequests(ctx, opts.arg, 1)
		if err != nil {
			return err
		}
		if len(found) == 0 {
			return fmt.Errorf("no request for %s in the database (submit it with `destill submit %s`)", opts.arg, opts.arg)
		}
		req = found[0]
	} else {
		req, err = store.GetRequest(ctx, opts.arg)
		if err != nil {
			return storeError(err, opts.arg)
		}
	}
	if opts.wait && !req.Status.Terminal() {
		if req, err = waitForRequest(ctx, streams, store, req.ID, opts.timeout); err != nil {
			return err
		}
	}
	if opts.output.format == formatTUI {
		rep, err := requestReport(ctx, store, req)
		if err != nil {
			return err
		}
		if err := runReportTUI(ctx, streams, rep, opts.output); err != nil {
			return err
		}
		return requestFailed(req, opts.output)
	}
	if err := printRequest(ctx, streams, store, req, opts.output); err != nil {
		return err
	}
	return requestFailed(req, opts.output)
}

// looksLikeRequestID reports whether s has the shape of a request ID.
func looksLikeRequestID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case !strings.ContainsRune("0123456789abcdef", c):
			return false
		}
	}
	return true
}

// requestFailed fails the command for a failed request: silently when the
// text output already said why, with the reason next to JSON output.
func requestFailed(req backend.Request, out outputOptions) error {
	if req.Status != backend.StatusFailed {
		return nil
	}
	if out.format == formatText || out.format == formatTUI {
		return errSilent
	}
	return fmt.Errorf("request %s failed: %s", req.ID, req.Error)
}

// requestReport is the findings document of a stored request, with its
// request_id and status.
func requestReport(ctx context.Context, store backend.Findings, req backend.Request) (analysis.Report, error) {
	rep := req.Report
	if rep.Schema == "" {
		// Not fetched yet: say what was submitted.
		rep.Schema = analysis.Schema
		rep.Tool = analysis.Tool{Name: "destill", Version: Version}
		rep.Source = analysis.Origin{Kind: "build", URL: req.Input}
	}
	rep.RequestID = req.ID
	now := time.Now()
	rep.Status = string(worker.ShownStatus(req, now))
	findings, err := store.ListFindings(ctx, req.ID)
	if err != nil {
		return rep, storeError(err, req.ID)
	}
	rep.Findings = findings
	rep.Summary.Findings = len(findings)
	if req.Status == backend.StatusFailed && req.Error != "" {
		rep.Notes = append(append([]string(nil), rep.Notes...), "request failed: "+req.Error)
	}
	if rep.Status == string(worker.StatusStale) {
		rep.Notes = append(append([]string(nil), rep.Notes...), shownStatusLine(req, now))
	}
	return rep, nil
}

// printRequest writes a stored request: the findings document for json and
// markdown; for text a status line, then the findings once it is done.
func printRequest(ctx context.Context, streams *Streams, store backend.Findings, req backend.Request, out outputOptions) error {
	rep, err := requestReport(ctx, store, req)
	if err != nil {
		return err
	}
	if out.format != formatText {
		return writeReport(streams, rep, out)
	}
	fmt.Fprintf(streams.Out, "Request %s: %s\n", req.ID, render.Sanitize(shownStatusLine(req, time.Now())))
	switch req.Status {
	case backend.StatusDone:
		return writeReport(streams, rep, out)
	case backend.StatusFailed:
		for _, n := range req.Report.Notes {
			fmt.Fprintf(streams.Out, "note: %s\n", render.Sanitize(n))
		}
	default:
		fmt.Fprintf(streams.Out, "Submitted %s; findings appear when every chunk is analyzed.\n", render.Sanitize(req.Input))
	}
	return nil
}

// shownStatusLine says in one line where a request stands at now, as view
// shows it: Request.StatusLine, except that a stale request (see
// worker.ShownStatus) says so and what to do.
func shownStatusLine(r backend.Request, now time.Time) string {
	if worker.ShownStatus(r, now) == worker.StatusStale {
		return fmt.Sprintf("stale: queued %s ago and no ingest-worker has taken it up (none running, far behind, "+
			"or its message was lost): check the ingest-workers, or resubmit with `destill submit %s`", render.Age(now.Sub(r.UpdatedAt)), r.Input)
	}
	return r.StatusLine()
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
			top = shownStatusLine(r.Request, now)
		}
		findings := "-"
		if r.Status == backend.StatusDone {
			findings = fmt.Sprint(r.Findings)
		}
		build := r.BuildURL
		if build == "" {
			build = r.Input
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, worker.ShownStatus(r.Request, now), render.Age(now.Sub(r.CreatedAt)), findings,
			render.Sanitize(build), render.Truncate(render.Sanitize(strings.Join(strings.Fields(top), " ")), 80))
	}
	return tw.Flush()
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

func writeRequestListJSON(w io.Writer, reqs []backend.RequestSummary, now time.Time) error {
	items := make([]requestListItem, 0, len(reqs))
	for _, r := range reqs {
		items = append(items, requestListItem{
			RequestID: r.ID, Status: string(worker.ShownStatus(r.Request, now)), Input: r.Input, BuildURL: r.BuildURL, Error: r.Error,
			Progress: r.Progress, Findings: r.Findings, TopFinding: r.Top, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(items)
}
