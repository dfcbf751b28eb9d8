package mcpserver

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/backend"
	"github.com/destill-dev/destill/providers"
)

// Backend is the part of backend.Store (the contract of distributed mode)
// that a SharedRequests uses: it records requests as the workers do. The
// PostgreSQL store that `destill submit`, the workers and `destill view`
// share implements it, as does backend/memory's.
type Backend interface {
	backend.Requests
	backend.JobPlans
	backend.Chunks
	backend.Findings
}

// errNotStored marks an unknown request_id that the shared store does not
// hold either.
var errNotStored = errors.New("not in the shared store")

// SharedRequests is a Requests for a server whose results are shared
// through a Backend. It saves each analysis there, as a done request that
// `destill view` reads like one the workers made, and keeps it in a
// RecentRequests with its logs for this server's tools. A request it does not
// hold in memory (analyzed by `destill submit` and the workers, by another
// MCP server, or by this one before it was evicted) is read from the
// Backend: its report, findings and steps, but no logs.
type SharedRequests struct {
	db    Backend
	local *RecentRequests
}

// NewSharedRequests returns a SharedRequests on db that keeps the requests it
// serves, with their logs, in local. Closing it closes local, not db.
func NewSharedRequests(db Backend, local *RecentRequests) *SharedRequests {
	return &SharedRequests{db: db, local: local}
}

// Put saves req to the Backend and keeps it in memory. When saving fails,
// req is still kept for this server and the error wraps ErrNotShared.
func (s *SharedRequests) Put(ctx context.Context, req *Request) error {
	saveErr := s.save(ctx, req)
	if err := s.local.Put(ctx, req); err != nil {
		return err
	}
	if saveErr != nil {
		return fmt.Errorf("%w: %w", ErrNotShared, saveErr)
	}
	return nil
}

// Get returns the request from memory, else from the Backend. Requests
// read from the Backend that will not change any more (done or failed) are
// kept in memory too.
func (s *SharedRequests) Get(ctx context.Context, id string) (*Request, error) {
	if req, err := s.local.Get(ctx, id); err == nil {
		return req, nil
	} else if !errors.Is(err, ErrUnknownRequest) {
		return nil, err
	}
	req, err := s.load(ctx, id)
	if err != nil {
		return nil, err
	}
	if req.Status.Terminal() {
		if err := s.local.Put(ctx, req); err != nil && !errors.Is(err, ErrClosed) {
			return nil, err
		}
	}
	return req, nil
}

// Close drops the requests kept in memory and deletes their logs.
func (s *SharedRequests) Close() error {
	return s.local.Close()
}

// save records req in the Backend the way the distributed pipeline leaves
// a request: planned with the jobs whose logs were read, each job's result
// as its one chunk, the findings, and status done. A request that could
// not be saved completely is marked failed with the reason.
func (s *SharedRequests) save(ctx context.Context, req *Request) (err error) {
	rep := sharedReport(req.Report, req.Secrets)
	if err := s.db.CreateRequest(ctx, backend.Request{ID: req.ID, Input: req.Input, CreatedAt: time.Now()}); err != nil {
		return fmt.Errorf("record request %s: %w", req.ID, err)
	}
	defer func() {
		if err == nil {
			return
		}
		// Say so where `destill view` looks instead of leaving it queued.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_, _ = s.db.SetStatus(fctx, req.ID, backend.StatusFailed, "the MCP server could not save its analysis: "+err.Error())
	}()
	plan := backend.Plan{BuildURL: rep.Source.URL, Report: rep}
	plan.Report.Findings = nil
	if b := rep.Source.Build; b != nil && b.URL != "" {
		plan.BuildURL = b.URL
	}
	for _, j := range rep.Jobs {
		if j.Analyzed || j.Error != "" {
			plan.Jobs = append(plan.Jobs, j.ID)
		}
	}
	if _, err := s.db.PlanRequest(ctx, req.ID, plan); err != nil {
		return fmt.Errorf("record the jobs of request %s: %w", req.ID, err)
	}
	for _, j := range rep.Jobs {
		if !j.Analyzed && j.Error == "" {
			continue
		}
		chunks := 0
		if res, ok := req.Results[j.ID]; ok && j.Analyzed {
			res.Job = j
			if _, err := s.db.SaveChunkResult(ctx, backend.ChunkResult{RequestID: req.ID, JobID: j.ID, FirstLine: 1, Result: res}); err != nil {
				return fmt.Errorf("save the result of job %q: %w", j.Name, err)
			}
			chunks = 1
		}
		if _, err := s.db.SetJobChunks(ctx, req.ID, j.ID, chunks, j.Error); err != nil {
			return fmt.Errorf("record job %q: %w", j.Name, err)
		}
	}
	if _, err := s.db.FinishRequest(ctx, req.ID, rep); err != nil {
		return fmt.Errorf("save the findings of request %s: %w", req.ID, err)
	}
	return nil
}

// sharedReport is rep as the Backend keeps it: without request_id and
// status (the Backend's own), and with secrets redacted from everything
// destill wrote or copied from a log.
func sharedReport(rep analysis.Report, secrets []string) analysis.Report {
	red := analysis.NewRedactor(secrets...)
	rep.RequestID, rep.Status = "", ""
	rep.Notes = slices.Clone(rep.Notes)
	for i, n := range rep.Notes {
		rep.Notes[i] = red.RedactLiterals(n)
	}
	rep.Jobs = slices.Clone(rep.Jobs)
	for i := range rep.Jobs {
		rep.Jobs[i].Error = red.RedactLiterals(rep.Jobs[i].Error)
	}
	lines := func(l []string) []string {
		if l == nil {
			return nil // stays null in JSON, as analyze prints it
		}
		return red.RedactLines(l)
	}
	rep.Findings = slices.Clone(rep.Findings)
	for i := range rep.Findings {
		f := &rep.Findings[i]
		f.Message = red.Redact(f.Message)
		f.Text = lines(f.Text)
		f.ContextBefore = lines(f.ContextBefore)
		f.ContextAfter = lines(f.ContextAfter)
	}
	return rep
}

// load reads a request from the Backend: the findings document as
// `destill view` shows it and, for a done request, the steps found in each
// log.
func (s *SharedRequests) load(ctx context.Context, id string) (*Request, error) {
	r, err := s.db.GetRequest(ctx, id)
	if errors.Is(err, backend.ErrNotFound) {
		return nil, fmt.Errorf("%w %q: %w", ErrUnknownRequest, id, errNotStored)
	}
	if err != nil {
		return nil, fmt.Errorf("read request %s from the database: %w", id, err)
	}
	req := &Request{
		ID: r.ID, Input: r.Input, Status: r.Status, Error: r.Error, Progress: r.Progress, Stored: true,
		Report: r.Report, Logs: map[string]JobLog{}, Steps: map[string][]analysis.Section{},
	}
	rep := &req.Report
	if rep.Schema == "" {
		// Not fetched yet: say what was submitted, as view does.
		rep.Schema = analysis.Schema
		rep.Source = analysis.Origin{Kind: "build", URL: r.Input}
	}
	rep.RequestID = r.ID
	rep.Findings = []analysis.Finding{}
	req.Build = retriedJobs(rep.Jobs)
	if r.Status != backend.StatusDone {
		rep.Status = string(r.Status)
		return req, nil
	}
	findings, err := s.db.ListFindings(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("read the findings of request %s from the database: %w", id, err)
	}
	if findings != nil {
		rep.Findings = findings
	}
	rep.Summary.Findings = len(rep.Findings)
	state := ""
	if rep.Source.Build != nil {
		state = rep.Source.Build.State
	}
	rep.Status = statusOf(*rep, providers.Build{State: state})

	chunks, err := s.db.ChunkResults(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("read the steps of request %s from the database: %w", id, err)
	}
	byJob := map[string][]backend.ChunkResult{}
	for _, c := range chunks {
		byJob[c.JobID] = append(byJob[c.JobID], c)
	}
	for job, cs := range byJob {
		parts, firsts := make([]analysis.JobResult, len(cs)), make([]int, len(cs))
		for i, c := range cs {
			parts[i], firsts[i] = c.Result, c.FirstLine
		}
		if sections := analysis.MergeChunks(parts, firsts).Sections; len(sections) > 0 {
			req.Steps[job] = sections
		}
	}
	return req, nil
}

// retriedJobs tells which jobs a later attempt replaced: the report says
// so (jobs[].retried) since destill records it; for reports stored before,
// a failed job whose log was not read although it had no error, when a job
// of the same name and step ran again later. The rest of the build is
// unknown.
func retriedJobs(jobs []analysis.JobSummary) providers.Build {
	var b providers.Build
	for _, j := range jobs {
		pj := providers.Job{ID: j.ID, Retried: j.Retried}
		if !pj.Retried && j.Failed && !j.Analyzed && j.Error == "" {
			for _, k := range jobs {
				if k.ID != j.ID && k.Name == j.Name && k.Step == j.Step &&
					(k.Attempt > j.Attempt || (k.Attempt == j.Attempt && k.StartedAt > j.StartedAt)) {
					pj.Retried = true
					break
				}
			}
		}
		b.Jobs = append(b.Jobs, pj)
	}
	return b
}
