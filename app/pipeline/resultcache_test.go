package pipeline

import (
	"context"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/providers"
)

// memoSource serves two failed jobs' logs and remembers results, as a
// cache would.
type memoSource struct {
	mu      sync.Mutex
	opened  map[string]int
	closed  map[string]bool
	saved   map[string]analysis.JobResult
	savedOK map[string]bool // whether the log was closed when saved
}

func newMemoSource() *memoSource {
	return &memoSource{opened: map[string]int{}, closed: map[string]bool{}, saved: map[string]analysis.JobResult{}, savedOK: map[string]bool{}}
}

func (m *memoSource) Build(ctx context.Context) (providers.Build, error) {
	return providers.Build{Provider: providers.KindBuildkite, ID: "b1", Jobs: []providers.Job{
		{ID: "j1", Name: "one", State: providers.JobFailed, HasLog: true},
		{ID: "j2", Name: "two", State: providers.JobFailed, HasLog: true},
	}}, nil
}

type closeRecorder struct {
	io.Reader
	close func()
}

func (c closeRecorder) Close() error { c.close(); return nil }

func (m *memoSource) OpenLog(ctx context.Context, job providers.Job) (io.ReadCloser, error) {
	m.mu.Lock()
	m.opened[job.ID]++
	m.closed[job.ID] = false
	m.mu.Unlock()
	log := "--- FAIL: Test" + strings.ToUpper(job.ID) + " (0.01s)\nFAIL\n"
	return closeRecorder{Reader: strings.NewReader(log), close: func() {
		m.mu.Lock()
		m.closed[job.ID] = true
		m.mu.Unlock()
	}}, nil
}

func (m *memoSource) CachedResult(ctx context.Context, job providers.Job, opts analysis.Options) (analysis.JobResult, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	res, ok := m.saved[job.ID]
	return res, ok
}

func (m *memoSource) SaveResult(job providers.Job, opts analysis.Options, res analysis.JobResult) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.saved[job.ID] = res
	m.savedOK[job.ID] = m.closed[job.ID]
}

func TestResultCacheSkipsReadingLogs(t *testing.T) {
	t.Parallel()
	src := newMemoSource()
	first, err := Run(context.Background(), src, Options{}, nil)
	require.NoError(t, err)
	require.Equal(t, map[string]int{"j1": 1, "j2": 1}, src.opened)
	require.Len(t, src.saved, 2)
	require.True(t, src.savedOK["j1"] && src.savedOK["j2"], "results are saved after the log is closed (committed)")

	second, err := Run(context.Background(), src, Options{}, nil)
	require.NoError(t, err)
	require.Equal(t, map[string]int{"j1": 1, "j2": 1}, src.opened, "no log opened the second time")
	require.Equal(t, first.Findings, second.Findings)
	require.Equal(t, first.Jobs, second.Jobs)
	require.Equal(t, 2, second.Summary.JobsAnalyzed)
}
