package cache

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/pipeline"
	"github.com/destill-dev/destill/providers"
)

// heldSource is a finished build whose job logs are held back until every
// one of n readers has asked for one, so that they all fetch it.
type heldSource struct {
	build   providers.Build
	log     string
	arrived sync.WaitGroup
}

func newHeldSource(n int) *heldSource {
	h := &heldSource{log: strings.Repeat("ok\n", 1000) + "--- FAIL: TestX\n"}
	h.build = providers.Build{Provider: providers.KindGitHubActions, ID: "77", URL: "https://github.com/o/r/actions/runs/77",
		Jobs: []providers.Job{{ID: "1", Name: "test", State: providers.JobFailed, HasLog: true}}}
	h.arrived.Add(n)
	return h
}

func (h *heldSource) Build(context.Context) (providers.Build, error) { return h.build, nil }

func (h *heldSource) OpenLog(context.Context, providers.Job) (io.ReadCloser, error) {
	h.arrived.Done()
	h.arrived.Wait()
	return io.NopCloser(strings.NewReader(h.log)), nil
}

// fill analyzes the build's job through src as the pipeline does: the
// cached result, or else the log, then the result saved.
func fill(t *testing.T, src pipeline.Source) (cached bool) {
	ctx := context.Background()
	b, err := src.Build(ctx)
	require.NoError(t, err)
	job := b.Jobs[0]
	opts := analysis.Options{ContextBefore: 3}
	rc := src.(pipeline.ResultCache)
	if _, ok := rc.CachedResult(ctx, job, opts); ok {
		return true
	}
	r, err := src.OpenLog(ctx, job)
	require.NoError(t, err)
	_, err = io.ReadAll(r)
	require.NoError(t, err)
	require.NoError(t, r.Close())
	rc.SaveResult(job, opts, analysis.JobResult{Job: analysis.JobSummary{ID: job.ID, Name: job.Name}})
	return false
}

// TestConcurrentFillsLeaveOneEntryEach runs two analyses of one build at
// once, both fetching its log: the store ends with one log, one result
// and one build entry, no temporary file, and the next analysis is served
// from them.
func TestConcurrentFillsLeaveOneEntryEach(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "cache")
	st, err := Open(dir, Options{})
	require.NoError(t, err)
	inner := newHeldSource(2)
	cfg := Config{Folder: st, Scope: "github-actions https://api.github.com", BuildKey: inner.build.URL, AnalyzerVersion: "v1"}
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			// Another process: its own store on the same folder.
			own, err := Open(dir, Options{})
			require.NoError(t, err)
			c := cfg
			c.Folder = own
			require.False(t, fill(t, Wrap(inner, c)), "both fetch the log")
		})
	}
	wg.Wait()

	entries, err := st.List()
	require.NoError(t, err)
	kinds := map[string]int{}
	for _, e := range entries {
		require.False(t, e.Damaged)
		kinds[e.Kind]++
	}
	require.Equal(t, map[string]int{KindBuild: 1, KindLog: 1, KindResult: 1}, kinds, "no orphaned entry")
	tmp, _ := os.ReadDir(filepath.Join(dir, "tmp"))
	require.Empty(t, tmp, "no temporary file left")

	require.True(t, fill(t, Wrap(newHeldSource(1), cfg)), "the next analysis uses what they kept")
}

// TestRefreshReplacesTheResultToo fetches a kept build again (--no-cache):
// the new log replaces the old, and its result the old result.
func TestRefreshReplacesTheResultToo(t *testing.T) {
	t.Parallel()
	st, err := Open(filepath.Join(t.TempDir(), "cache"), Options{})
	require.NoError(t, err)
	cfg := Config{Folder: st, Scope: "github-actions https://api.github.com", BuildKey: "b", AnalyzerVersion: "v1"}
	require.False(t, fill(t, Wrap(newHeldSource(1), cfg)))
	refresh := cfg
	refresh.Refresh = true
	require.False(t, fill(t, Wrap(newHeldSource(1), refresh)))

	entries, err := st.List()
	require.NoError(t, err)
	kinds := map[string]int{}
	for _, e := range entries {
		kinds[e.Kind]++
	}
	require.Equal(t, map[string]int{KindBuild: 1, KindLog: 1, KindResult: 1}, kinds, "no orphaned result")
	require.True(t, fill(t, Wrap(newHeldSource(1), cfg)), "the new result serves")
}
