package app

import (
	"context"
	"io"
	"time"

	"github.com/destill-dev/destill/analysis"
)

// previewEvery is the least time between two previews; a preview that
// took long spaces the next ones out more, so previews never cost more
// than a fifth of the time.
const previewEvery = 500 * time.Millisecond

// previewSpool shows in the UI, while standard input still flows, the
// findings of what it has brought so far: it analyzes the spool again
// whenever it grew, until the pipeline has analyzed the input (its result
// then replaces the preview) or done is closed. The final findings are the
// pipeline's own, never a preview's.
func previewSpool(ctx context.Context, sp *spool, opts analysis.Options, feed *uiFeed, done <-chan struct{}) {
	wait, seen := previewEvery, int64(0)
	for {
		select {
		case <-ctx.Done():
			return
		case <-done:
			return
		case <-time.After(wait):
		}
		n := sp.size()
		job, ok := feed.previewJob()
		if n == seen || !ok {
			continue
		}
		start := time.Now()
		a := analysis.NewAnalyzer(opts)
		if _, err := io.Copy(a, sp.section(n)); err != nil {
			return
		}
		res := a.Result()
		job.Analyzed, job.LogLines, job.LogBytes = true, res.Lines, res.Bytes
		res.Job = job
		if !feed.showPreview(analysis.Rank([]analysis.JobResult{res})) {
			return
		}
		seen, wait = n, max(previewEvery, 4*time.Since(start))
	}
}
