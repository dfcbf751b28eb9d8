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

type stringSource struct {
	build providers.Build
	logs  map[string]string
}

func (s stringSource) Build(context.Context) (providers.Build, error) { return s.build, nil }

func (s stringSource) OpenLog(_ context.Context, job providers.Job) (io.ReadCloser, error) {
	return io.NopCloser(strings.NewReader(s.logs[job.ID])), nil
}

func TestRunJobResultFunc(t *testing.T) {
	t.Parallel()
	src := stringSource{
		build: providers.Build{Provider: providers.KindBuildkite, Jobs: []providers.Job{
			{ID: "a", Name: "a", State: providers.JobFailed, HasLog: true},
			{ID: "b", Name: "b", State: providers.JobFailed, HasLog: true},
			{ID: "c", Name: "c", State: providers.JobPassed, HasLog: true},
		}},
		logs: map[string]string{
			"a": "--- build\nok\nError: boom\n",
			"b": "~~~ setup\n--- test\nFAIL: TestX\n",
		},
	}
	var mu sync.Mutex
	got := map[string]analysis.JobResult{}
	_, err := Run(context.Background(), src, Options{JobResultFunc: func(job providers.Job, res analysis.JobResult) {
		mu.Lock()
		defer mu.Unlock()
		got[job.ID] = res
	}}, nil)
	require.NoError(t, err)
	require.Len(t, got, 2, "called once for each job read, not for the passed one")
	require.Equal(t, 3, got["a"].Lines)
	require.NotEmpty(t, got["b"].Sections)
}
