package pipeline

import (
	"context"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/providers"
)

// stallingSource serves job "a"'s log at once and job "b"'s never: its
// read waits until the run is interrupted.
type stallingSource struct{ build providers.Build }

func (s stallingSource) Build(context.Context) (providers.Build, error) { return s.build, nil }

func (s stallingSource) OpenLog(ctx context.Context, job providers.Job) (io.ReadCloser, error) {
	if job.ID == "a" {
		return io.NopCloser(strings.NewReader("--- test\nfatal error: runtime: out of memory\n")), nil
	}
	return io.NopCloser(stalled{ctx}), nil
}

type stalled struct{ ctx context.Context }

func (s stalled) Read([]byte) (int, error) {
	<-s.ctx.Done()
	return 0, s.ctx.Err()
}

// TestRunInterruptedSendsWhatFinishedRanked: when the run is interrupted
// (the user quit the UI), its last update ranks the jobs that finished,
// even where updates had not been ranking (a UI quit right after a job
// came in showed "no failure found").
func TestRunInterruptedSendsWhatFinishedRanked(t *testing.T) {
	t.Parallel()
	src := stallingSource{build: providers.Build{Provider: providers.KindBuildkite, Jobs: []providers.Job{
		{ID: "a", Name: "a", State: providers.JobFailed, HasLog: true},
		{ID: "b", Name: "b", State: providers.JobFailed, HasLog: true},
	}}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var last Update
	_, err := Run(ctx, src, Options{Concurrency: 2}, func(u Update) {
		mu.Lock()
		defer mu.Unlock()
		last = u
		if u.JobsAnalyzed == 1 {
			cancel()
		}
	})
	require.ErrorIs(t, err, context.Canceled)
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, 1, last.JobsAnalyzed)
	require.NotEmpty(t, last.Report.Findings, "the finished job's findings are in the last update")
	require.Contains(t, last.Report.Findings[0].Message, "out of memory")
	require.False(t, last.Done)
}
