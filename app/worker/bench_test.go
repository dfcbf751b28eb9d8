package worker_test

import (
	"context"
	"testing"
	"time"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/pipeline"
	"github.com/destill-dev/destill/app/worker"
	"github.com/destill-dev/destill/backend"
	"github.com/destill-dev/destill/backend/memory"
)

// BenchmarkBuild analyzes one build of four failed jobs with 16 MB logs:
// in process (pipeline.Run, as analyze does) and through the distributed
// stages on the memory backend (chunking, one ingest and two analyze
// workers, per-chunk results, merge). The ratio is what chunking and the
// stage plumbing cost on the same cores.
func BenchmarkBuild(b *testing.B) {
	src := newBuild(1, 16<<20, 16<<20, 16<<20, 16<<20)
	var size int64
	for _, i := range pipeline.SelectJobs(src.build, false, nil).Jobs {
		size += int64(len(src.logs[src.build.Jobs[i].ID]))
	}
	b.Run("in-process", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			if _, err := pipeline.Run(context.Background(), src, pipeline.Options{Tool: analysis.Tool{Name: "destill"}}, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("distributed-memory", func(b *testing.B) {
		b.SetBytes(size)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		tr := memory.NewTransport(memory.TransportOptions{})
		store := memory.NewStore()
		topics := worker.NewTopics("")
		in := &worker.Ingest{Transport: tr, Store: store, Topics: topics, Resolve: sourceSet{src.build.URL: src}.resolve}
		go func() { _ = tr.Subscribe(ctx, topics.Requests, worker.IngestGroup, in.Handle) }()
		for range 2 {
			a := &worker.Analyze{Store: store}
			go func() { _ = tr.Subscribe(ctx, topics.Chunks, worker.AnalyzeGroup, a.Handle) }()
		}
		for b.Loop() {
			id, err := worker.Submit(ctx, tr, store, topics, src.build.URL, backend.AnalysisOptions{})
			if err != nil {
				b.Fatal(err)
			}
			req, err := worker.Wait(ctx, store, id, time.Millisecond, nil)
			if err != nil || req.Status != backend.StatusDone {
				b.Fatalf("%v %s %s", err, req.Status, req.Error)
			}
		}
	})
}
