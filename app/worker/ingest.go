package worker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/pipeline"
	"github.com/destill-dev/destill/app/sources"
	"github.com/destill-dev/destill/backend"
	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/httpapi"
)

// Ingest is the ingest stage: it turns a request into chunk messages.
type Ingest struct {
	Transport backend.Transport
	Store     Records
	Topics    Topics
	// Resolve turns a submitted input into a source, with this worker's
	// provider tokens and API URLs.
	Resolve func(input string) (sources.Input, error)
	// Concurrency caps the logs read at once per request
	// (0: pipeline.DefaultConcurrency).
	Concurrency int
	// ChunkSize is the owned bytes per chunk (0: analysis.DefaultChunkBytes).
	ChunkSize int
	Tool      analysis.Tool
	Logger    *slog.Logger
}

// errPublish marks a failure to publish chunks, which retrying the request
// may fix, as opposed to a log that cannot be read.
type errPublish struct{ err error }

func (e errPublish) Error() string { return e.err.Error() }
func (e errPublish) Unwrap() error { return e.err }

func (in *Ingest) logger() *slog.Logger {
	if in.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return in.Logger
}

// Handle processes one request message. The message only names the
// request: what to analyze, and how, is read from the store, so a message
// forged or altered on the topic cannot make a worker read anything but
// the build URL that was submitted. A request already done or failed is
// acknowledged as is; jobs whose chunk count is already recorded (by an
// earlier delivery) are not read again.
func (in *Ingest) Handle(ctx context.Context, msg backend.Message) error {
	req, err := decode[RequestMessage](msg)
	if err != nil {
		return err
	}
	log := in.logger().With("request_id", req.RequestID)
	r, err := in.Store.GetRequest(ctx, req.RequestID)
	if errors.Is(err, backend.ErrNotFound) {
		return Permanent(fmt.Errorf("request %s is not in the database (submitted to another one?)", req.RequestID))
	}
	if err != nil {
		return err
	}
	if req.Input != r.Input || !bytes.Equal(encode(req.Options), encode(r.Options)) {
		log.Warn("the request message differs from the stored request: using the stored one (a forged or altered message?)",
			"message_input", clip(req.Input, 200), "input", r.Input, "partition", msg.Partition, "offset", msg.Offset)
	}
	req.Input, req.Options = r.Input, r.Options
	if r.Status.Terminal() {
		log.Info("request already finished", "status", r.Status)
		return nil
	}
	if !sources.LooksLikeURL(req.Input) {
		return in.fail(ctx, log, req.RequestID, fmt.Errorf("%q is not a build URL: workers fetch build URLs only, never local files", clip(req.Input, 200)))
	}
	if _, err := in.Store.SetStatus(ctx, req.RequestID, backend.StatusFetching, ""); err != nil {
		return err
	}
	input, err := in.Resolve(req.Input)
	if err != nil {
		var ie *sources.InputError
		if errors.As(err, &ie) {
			return in.fail(ctx, log, req.RequestID, err)
		}
		return err
	}
	build, err := input.Source.Build(ctx)
	if err != nil {
		if permanentProviderError(err) {
			return in.fail(ctx, log, req.RequestID, err)
		}
		return fmt.Errorf("fetch build %s: %w", req.Input, err)
	}
	sel := pipeline.SelectJobs(build, req.Options.AllJobs, req.Options.JobIDs)
	if err := sel.Err(build); err != nil {
		return in.fail(ctx, log, req.RequestID, err)
	}
	jobs := make([]analysis.JobSummary, len(build.Jobs))
	for i, j := range build.Jobs {
		jobs[i] = pipeline.JobSummary(j)
	}
	notes := sel.Notes
	reports, err := in.testReports(ctx, input, build, sel)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		notes = append(notes, pipeline.TestReportsNote(err))
	}
	plan := backend.Plan{
		BuildURL:    build.URL,
		Report:      pipeline.NewReport(build, in.Tool, input.Describe, jobs, nil, notes),
		TestReports: reports,
	}
	for _, i := range sel.Jobs {
		plan.Jobs = append(plan.Jobs, build.Jobs[i].ID)
	}
	if _, err := in.Store.PlanRequest(ctx, req.RequestID, plan); err != nil {
		return err
	}
	known, err := in.Store.Jobs(ctx, req.RequestID)
	if err != nil {
		return err
	}
	done := map[string]bool{}
	for _, j := range known {
		if j.Chunks >= 0 {
			done[j.JobID] = true
		}
	}
	log.Info("build fetched", "build", build.URL, "jobs", len(build.Jobs), "selected", len(sel.Jobs), "already_read", len(done))

	var todo []providers.Job
	for _, i := range sel.Jobs {
		if !done[build.Jobs[i].ID] {
			todo = append(todo, build.Jobs[i])
		}
	}
	var mu sync.Mutex
	var firstErr error
	pipeline.ForEach(ctx, in.Concurrency, todo, func(job providers.Job) {
		if err := in.ingestJob(ctx, log, req, input, job); err != nil {
			mu.Lock()
			if firstErr == nil {
				firstErr = err
			}
			mu.Unlock()
		}
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	if firstErr != nil {
		return firstErr
	}
	if _, err := in.Store.SetStatus(ctx, req.RequestID, backend.StatusAnalyzing, ""); err != nil {
		return err
	}
	r, err = in.Store.GetRequest(ctx, req.RequestID)
	if err != nil {
		return err
	}
	if r.Progress.Complete() {
		return Finish(ctx, in.Store, req.RequestID, log)
	}
	return nil
}

// ingestJob streams one job's log into chunk messages and records how
// many there were. A log that cannot be read is recorded as the job's
// error, as the in-process pipeline notes it; only a failure to publish or
// to record fails the request message.
func (in *Ingest) ingestJob(ctx context.Context, log *slog.Logger, req RequestMessage, input sources.Input, job providers.Job) error {
	n, err := in.chunkLog(ctx, req, input, job)
	var pe errPublish
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.As(err, &pe):
		return err
	}
	jobErr := ""
	if err != nil {
		jobErr = pipeline.LogError(err)
		log.Warn("job log not read", "job", job.Name, "error", jobErr, "chunks", n)
	}
	prog, serr := in.Store.SetJobChunks(ctx, req.RequestID, job.ID, n, jobErr)
	if serr != nil {
		return serr
	}
	log.Debug("job log chunked", "job", job.Name, "chunks", n)
	if prog.Complete() {
		return Finish(ctx, in.Store, req.RequestID, log)
	}
	return nil
}

// chunkLog publishes the chunks of a job's log and returns how many it
// published, with the error that stopped it early.
func (in *Ingest) chunkLog(ctx context.Context, req RequestMessage, input sources.Input, job providers.Job) (int, error) {
	rc, err := input.Source.OpenLog(ctx, job)
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	// The worker's own credentials are replaced before a chunk leaves it,
	// so tokens never reach the broker or the database.
	red := analysis.NewRedactor(input.Secrets...)
	n := 0
	ch := &analysis.Chunker{Size: in.ChunkSize, Emit: func(c analysis.Chunk) error {
		c.Data = red.RedactLiteralBytes(c.Data)
		m := EncodeChunk(in.Topics.Chunks, ChunkMessage{RequestID: req.RequestID, JobID: job.ID, Options: req.Options, Chunk: c})
		if err := in.Transport.Publish(ctx, m); err != nil {
			return errPublish{fmt.Errorf("publish chunk %d of job %q: %w", c.Seq, job.Name, err)}
		}
		n++
		return nil
	}}
	if _, err := io.Copy(ch, rc); err != nil {
		var pe errPublish
		if errors.As(err, &pe) {
			return n, err
		}
		// Chunks of what was read are published; say what was lost.
		return n, fmt.Errorf("its log broke off: %w", err)
	}
	if err := ch.Close(); err != nil {
		return n, err
	}
	return n, nil
}

// testReports fetches the test reports (JUnit artifacts) of the selected
// failed jobs, as the in-process pipeline does, redacted (this worker's
// tokens and the token formats) before they reach the database.
func (in *Ingest) testReports(ctx context.Context, input sources.Input, build providers.Build, sel pipeline.Selection) ([]providers.TestReport, error) {
	tr, ok := input.Source.(pipeline.TestReporter)
	if !ok {
		return nil, nil
	}
	var failed []providers.Job
	for _, i := range sel.Jobs {
		if build.Jobs[i].Failed() {
			failed = append(failed, build.Jobs[i])
		}
	}
	if len(failed) == 0 {
		return nil, nil
	}
	reports, err := tr.TestReports(ctx, failed)
	return pipeline.RedactTestReports(reports, input.Secrets), err
}

// clip cuts s to at most n bytes, for quoting outside input.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

// permanentProviderError reports whether the provider's answer will not
// change by asking again (401, 403, 404, 410...): the request fails at once
// instead of going through the retries.
func permanentProviderError(err error) bool {
	var se *httpapi.StatusError
	return errors.As(err, &se) && !se.Temporary() && !se.RateLimited && se.Status != http.StatusTooManyRequests
}

// fail marks a request failed for a reason retrying cannot fix.
func (in *Ingest) fail(ctx context.Context, log *slog.Logger, id string, err error) error {
	log.Warn("request failed", "error", err.Error())
	if _, serr := in.Store.SetStatus(ctx, id, backend.StatusFailed, err.Error()); serr != nil {
		return serr
	}
	return nil
}
