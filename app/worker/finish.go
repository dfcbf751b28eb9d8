package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/history"
	"github.com/destill-dev/destill/app/pipeline"
	"github.com/destill-dev/destill/backend"
)

// Finish merges the chunk results of a complete request, job by job, ranks
// the findings across jobs as the in-process pipeline does, and stores them
// with the request marked done. Finishing twice (two workers completing
// the same request, or a redelivery) stores the same thing once. When no
// selected log could be read at all, the request fails instead.
func Finish(ctx context.Context, store Records, id string, log *slog.Logger) error {
	req, err := store.GetRequest(ctx, id)
	if err != nil {
		return err
	}
	if req.Status.Terminal() {
		return nil
	}
	if !req.Progress.Complete() {
		return fmt.Errorf("finish request %s: not complete (%+v)", id, req.Progress)
	}
	rep, results, firstErr, err := merge(ctx, store, req)
	if errors.Is(err, backend.ErrRecordVersion) {
		return Permanent(err) // the stored results stay as they are
	}
	if err != nil {
		return err
	}
	if rep.Summary.JobsAnalyzed == 0 && firstErr != "" {
		// As the in-process pipeline does: no log could be read.
		plan := backend.Plan{BuildURL: req.BuildURL, Report: rep}
		if _, err := store.PlanRequest(ctx, id, plan); err != nil {
			return err
		}
		_, err := store.SetStatus(ctx, id, backend.StatusFailed, "no job log could be read: "+firstErr)
		return err
	}
	if err := recordHistory(ctx, store, rep, results); err != nil {
		return err
	}
	finished, err := store.FinishRequest(ctx, id, rep)
	if err != nil {
		return err
	}
	if finished && log != nil {
		log.Info("request done", "findings", len(rep.Findings), "jobs_analyzed", rep.Summary.JobsAnalyzed,
			"chunks", req.Progress.ChunksTotal)
	}
	return nil
}

// recordHistory adds the finished build to the store's build history (when
// the store keeps one): its analyzed jobs' fingerprints and the jobs that
// passed, so that later analyses of the pipeline see it. Saving twice
// changes nothing.
func recordHistory(ctx context.Context, store Records, rep analysis.Report, results map[string]analysis.JobResult) error {
	h, ok := store.(backend.History)
	if !ok {
		return nil
	}
	rec, ok := history.ReportRecord(rep, history.SeenInResults(rep, results))
	key := history.KeyOf(rep.Source)
	if !ok || key == "" {
		return nil
	}
	return h.SaveHistory(ctx, key, rec)
}

// merge builds the request's report from its planned header and its chunk
// results, the merged result of each analyzed job (by job ID), and the
// first job error, in job order.
func merge(ctx context.Context, store Records, req backend.Request) (analysis.Report, map[string]analysis.JobResult, string, error) {
	jobs, err := store.Jobs(ctx, req.ID)
	if err != nil {
		return analysis.Report{}, nil, "", err
	}
	chunks, err := store.ChunkResults(ctx, req.ID)
	if err != nil {
		return analysis.Report{}, nil, "", err
	}
	plan := map[string]backend.JobPlan{}
	for _, j := range jobs {
		plan[j.JobID] = j
	}
	type parts struct {
		results []analysis.JobResult
		firsts  []int
	}
	byJob := map[string]*parts{}
	for _, c := range chunks {
		j, ok := plan[c.JobID]
		if !ok || j.Error != "" || c.Seq >= j.Chunks {
			continue
		}
		p := byJob[c.JobID]
		if p == nil {
			p = &parts{}
			byJob[c.JobID] = p
		}
		p.results = append(p.results, c.Result)
		p.firsts = append(p.firsts, c.FirstLine)
	}

	rep := req.Report
	rep.Jobs = append([]analysis.JobSummary(nil), rep.Jobs...)
	rep.Notes = append([]string(nil), rep.Notes...)
	results := make([]*analysis.JobResult, len(rep.Jobs))
	var selected []int
	firstErr := ""
	for i := range rep.Jobs {
		js := &rep.Jobs[i]
		j, ok := plan[js.ID]
		if !ok {
			continue
		}
		selected = append(selected, i)
		if j.Error != "" {
			js.Error = j.Error
			rep.Notes = append(rep.Notes, pipeline.LogNote(js.Name, j.Error))
			if firstErr == "" {
				firstErr = j.Error
			}
			continue
		}
		var res analysis.JobResult
		if p := byJob[js.ID]; p != nil {
			if len(p.results) != j.Chunks {
				return rep, nil, "", errors.New("chunk results missing for job " + js.ID)
			}
			res = analysis.MergeChunks(p.results, p.firsts)
		} else if j.Chunks != 0 {
			return rep, nil, "", errors.New("chunk results missing for job " + js.ID)
		}
		js.Analyzed = true
		js.LogLines = res.Lines
		js.LogBytes = res.Bytes
		res.Job = *js
		results[i] = &res
	}
	// Test reports join the findings as the in-process pipeline adds them;
	// their tokens were redacted by the ingest worker.
	changed := len(req.TestReports) > 0 && pipeline.MergeTestReports(rep.Jobs, selected, results, req.TestReports, nil)
	var analyzed []analysis.JobResult
	byID := map[string]analysis.JobResult{}
	for _, r := range results {
		if r != nil {
			analyzed = append(analyzed, *r)
			byID[r.Job.ID] = *r
		}
	}
	rep.Findings = analysis.Rank(analyzed)
	rep.Notes = append(rep.Notes, analysis.CapNotes(analyzed)...)
	if changed {
		rep.Findings = pipeline.FixReportURLs(rep.Findings, rep.Jobs)
	}
	rep.Summary = pipeline.Summarize(rep.Jobs, rep.Findings)
	return rep, byID, firstErr, nil
}
