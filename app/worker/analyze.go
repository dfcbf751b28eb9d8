package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/backend"
)

// Analyze is the analyze stage: it analyzes chunks and writes the results
// (and, for the chunk that completes a request, its findings) to the store.
type Analyze struct {
	Store  Records
	Logger *slog.Logger
}

// Handle processes one chunk message.
func (a *Analyze) Handle(ctx context.Context, msg backend.Message) error {
	cm, err := DecodeChunk(msg)
	if err != nil {
		return err
	}
	log := a.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("request_id", cm.RequestID)
	an := analysis.NewAnalyzer(cm.Chunk.Options(analysisOptions(cm.Options)))
	an.Write(cm.Chunk.Data)
	res := an.Result()
	res.Bytes = cm.Chunk.OwnBytes
	prog, err := a.Store.SaveChunkResult(ctx, backend.ChunkResult{
		RequestID: cm.RequestID,
		JobID:     cm.JobID,
		Seq:       cm.Chunk.Seq,
		FirstLine: cm.Chunk.OwnFrom,
		Result:    res,
	})
	if errors.Is(err, backend.ErrNotFound) {
		return Permanent(fmt.Errorf("chunk of request %s, which is not in the database: %w", cm.RequestID, err))
	}
	if err != nil {
		return err
	}
	log.Debug("chunk analyzed", "job_id", cm.JobID, "seq", cm.Chunk.Seq, "candidates", len(res.Candidates),
		"chunks_done", prog.ChunksDone, "chunks_total", prog.ChunksTotal)
	if prog.Complete() {
		return Finish(ctx, a.Store, cm.RequestID, log)
	}
	return nil
}
