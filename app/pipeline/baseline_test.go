package pipeline

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/providers"
)

// gatedSource serves a log only once the job's baseline search started.
type gatedSource struct {
	stringSource
	started chan struct{}
}

func (s gatedSource) OpenLog(ctx context.Context, job providers.Job) (io.ReadCloser, error) {
	select {
	case <-s.started:
	case <-time.After(5 * time.Second):
		return nil, context.DeadlineExceeded
	}
	return s.stringSource.OpenLog(ctx, job)
}

type startedBaselines struct{ started chan struct{} }

func (b startedBaselines) Baseline(context.Context, providers.Build, providers.Job) (*analysis.Baseline, *analysis.BaselineInfo, error) {
	close(b.started)
	return nil, &analysis.BaselineInfo{Kind: "none", Note: "no passing build on main"}, nil
}

func TestBaselineSearchedWhileTheLogStreams(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	src := gatedSource{stringSource: stringSource{
		build: providers.Build{Provider: providers.KindGitLab, Jobs: []providers.Job{{ID: "a", Name: "a", State: providers.JobFailed, HasLog: true}}},
		logs:  map[string]string{"a": "Error: boom\n"},
	}, started: started}
	rep, err := Run(context.Background(), src, Options{Baselines: startedBaselines{started: started}}, nil)
	require.NoError(t, err, "the log was opened while the baseline was looked for")
	require.Equal(t, &analysis.BaselineInfo{Kind: "none", Note: "no passing build on main"}, rep.Baseline)
}

func TestSummarizeBaselines(t *testing.T) {
	sib := func(note string) *analysis.BaselineInfo {
		return &analysis.BaselineInfo{Kind: "sibling-jobs", Build: "7", URL: "https://ci/b/7", Note: note}
	}
	none := func(note string) *analysis.BaselineInfo { return &analysis.BaselineInfo{Kind: "none", Note: note} }
	failed := func(b *analysis.BaselineInfo) analysis.JobSummary {
		return analysis.JobSummary{Analyzed: true, Failed: true, Baseline: b}
	}
	passed := analysis.JobSummary{Analyzed: true}
	tests := []struct {
		name string
		jobs []analysis.JobSummary
		want *analysis.BaselineInfo
	}{
		{"nothing analyzed", []analysis.JobSummary{{Failed: true}}, nil},
		{"one shared", []analysis.JobSummary{failed(sib("a")), failed(sib("a")), passed}, sib("a")},
		{"same build, other jobs", []analysis.JobSummary{failed(sib("a")), failed(sib("b"))},
			sib("2 jobs, each compared with a passing job of that build; see each job's baseline")},
		{"none, one reason", []analysis.JobSummary{failed(none("no passing run on main")), failed(none("no passing run on main"))},
			none("no passing run on main")},
		{"none, several reasons", []analysis.JobSummary{failed(none("x")), failed(none("y"))},
			none("no passing log of the same job was found; see each job's baseline")},
		{"some", []analysis.JobSummary{failed(sib("a")), failed(none("x"))},
			&analysis.BaselineInfo{Kind: "per-job", Note: "1 of 2 analyzed jobs compared with a passing log; see each job's baseline"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, summarizeBaselines(tt.jobs))
		})
	}
}
