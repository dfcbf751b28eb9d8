package app

import (
	"context"
	"fmt"
	"io"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/pipeline"
	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/local"
)

// fileBaselines compares every job with the same passing log files
// (--baseline FILE).
type fileBaselines struct {
	model *analysis.Baseline
	info  *analysis.BaselineInfo
}

func (f fileBaselines) Baseline(context.Context, providers.Build, providers.Job) (*analysis.Baseline, *analysis.BaselineInfo, error) {
	return f.model, f.info, nil
}

var _ pipeline.Baselines = fileBaselines{}

// noBaseline compares no job with a passing log, and says why.
type noBaseline struct{ note string }

func (n noBaseline) Baseline(context.Context, providers.Build, providers.Job) (*analysis.Baseline, *analysis.BaselineInfo, error) {
	return nil, &analysis.BaselineInfo{Kind: "none", Note: n.note}, nil
}

// loadBaselineFiles reads passing logs (plain or gzip) into one model.
func loadBaselineFiles(ctx context.Context, paths []string) (fileBaselines, error) {
	bb := analysis.NewBaselineBuilder()
	for _, p := range paths {
		f := local.File{Path: p}
		if _, err := f.Build(ctx); err != nil {
			return fileBaselines{}, fmt.Errorf("--baseline: %w", err)
		}
		rc, err := f.OpenLog(ctx, providers.Job{})
		if err != nil {
			return fileBaselines{}, fmt.Errorf("--baseline: %w", err)
		}
		_, err = io.Copy(bb, rc)
		rc.Close()
		if err != nil {
			return fileBaselines{}, fmt.Errorf("--baseline: read %s: %w", p, err)
		}
		bb.Flush()
	}
	model := bb.Baseline()
	return fileBaselines{model: model, info: &analysis.BaselineInfo{Kind: "files", Paths: paths}}, nil
}
