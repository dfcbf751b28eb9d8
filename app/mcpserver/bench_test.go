package mcpserver

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/destill-dev/destill/app/pipeline"
	"github.com/destill-dev/destill/providers"
)

// benchLog is a CI-like log of about n bytes: timestamps, colours, and an
// error now and then.
func benchLog(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		switch {
		case i%5000 == 4999:
			fmt.Fprintf(&b, "2026-03-01T10:00:00.0000000Z \x1b[31mERROR\x1b[0m: module%d failed: connection refused\n", i)
		default:
			fmt.Fprintf(&b, "2026-03-01T10:00:00.0000000Z \x1b[32m[%6d]\x1b[0m compiling src/pkg%d/file_%d.go ok\n", i, i%97, i)
		}
	}
	return b.String()
}

func benchSource(log string) *fakeSource {
	return &fakeSource{
		build: providers.Build{Provider: providers.KindBuildkite, State: "failed", Jobs: []providers.Job{{ID: "j", Name: "job", State: providers.JobFailed, HasLog: true}}},
		logs:  map[string]string{"j": log},
	}
}

// BenchmarkAnalyzeKeepingLogs compares the pipeline on a 32 MB log as
// `destill analyze` runs it (plain) with the same run keeping the log for
// the follow-up tools (kept): the cost of the tee and the line index.
func BenchmarkAnalyzeKeepingLogs(b *testing.B) {
	log := benchLog(32 << 20)
	for _, keep := range []bool{false, true} {
		name := "plain"
		if keep {
			name = "kept"
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(log)))
			for b.Loop() {
				var src pipeline.Source = benchSource(log)
				if keep {
					src = newLogKeeper(src, b.TempDir(), DefaultMaxLogBytes, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
				}
				if _, err := pipeline.Run(context.Background(), src, pipeline.Options{}, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReadLogWindow reads 100 lines at the start and at the end of
// a kept 32 MB log: the index makes both cost the same.
func BenchmarkReadLogWindow(b *testing.B) {
	log := benchLog(32 << 20)
	dir := b.TempDir()
	k := newLogKeeper(benchSource(log), dir, DefaultMaxLogBytes, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	rc, err := k.OpenLog(context.Background(), providers.Job{ID: "j"})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, rc); err != nil {
		b.Fatal(err)
	}
	rc.Close()
	logs, _ := k.kept()
	l := logs["j"]
	for _, at := range []struct {
		name string
		from int
	}{{"start", 1}, {"end", l.Lines() - 100}} {
		b.Run(at.name, func(b *testing.B) {
			for b.Loop() {
				n := 0
				if err := l.Scan(context.Background(), at.from, at.from+99, func(int, string) bool { n++; return true }); err != nil || n != 100 {
					b.Fatal(n, err)
				}
			}
		})
	}
}

// BenchmarkKeepLog is the tee and line index alone on a 32 MB log: what
// keeping a log adds to each byte the analysis reads.
func BenchmarkKeepLog(b *testing.B) {
	log := benchLog(32 << 20)
	b.SetBytes(int64(len(log)))
	for b.Loop() {
		k := newLogKeeper(benchSource(log), b.TempDir(), DefaultMaxLogBytes, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
		rc, err := k.OpenLog(context.Background(), providers.Job{ID: "j"})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, rc); err != nil {
			b.Fatal(err)
		}
		rc.Close()
	}
}
