package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/pipeline"
	"github.com/destill-dev/destill/app/sources"
	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/providertest"
)

// BenchmarkAnalyzeBuildURL analyzes a GitHub Actions run of 40 failed jobs
// with 20 MB logs each, served by the fake on loopback (through the blob
// redirect), end to end: the real client, the pipeline, the analyzer. In
// the same process it first times a download-only pass of the same logs
// (same client, same concurrency) and reports the ratio of the two wall
// times, and the peak RSS of the analysis pass (VmHWM, reset before it).
// Targets: analyze/download <= 1.5, peak RSS < 150 MB.
//
// "loopback" serves the logs as fast as loopback goes (GB/s, far faster
// than any CI provider); "32MBps-per-stream" caps each log download at
// about 32 MB/s, a realistic rate for blob storage, to show whether the
// analysis keeps up with the download.
func BenchmarkAnalyzeBuildURL(b *testing.B) {
	b.Run("loopback", func(b *testing.B) { benchAnalyzeBuildURL(b, 0) })
	b.Run("32MBps-per-stream", func(b *testing.B) { benchAnalyzeBuildURL(b, 2*time.Millisecond) })
}

// benchAnalyzeBuildURL runs the benchmark with the fake pausing throttle
// after every 64 KiB of each log.
func benchAnalyzeBuildURL(b *testing.B, throttle time.Duration) {
	const jobs, size = 40, 20 << 20
	fake := providertest.Start(providertest.Scenario{Builds: []providertest.Build{shardedBuild(jobs, size, throttle)}})
	defer fake.Close()
	in, err := sources.Resolve(fake.WebURL(0), sources.Config{Getenv: fake.Getenv})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.SetBytes(jobs * size)
	b.ResetTimer()
	var dlTotal, anTotal time.Duration
	var peak int64
	for n := 0; n < b.N; n++ {
		t0 := time.Now()
		if err := downloadOnly(ctx, in.Source, pipeline.DefaultConcurrency); err != nil {
			b.Fatal(err)
		}
		dl := time.Since(t0)

		resetPeakRSS()
		t1 := time.Now()
		rep, err := pipeline.Run(ctx, in.Source, pipeline.Options{Source: in.Describe, Analysis: analysis.Options{Secrets: in.Secrets}}, nil)
		an := time.Since(t1)
		if err != nil {
			b.Fatal(err)
		}
		if rep.Summary.JobsAnalyzed != jobs || len(rep.Findings) == 0 || !strings.Contains(rep.Findings[0].Message, "TestUploadRetry") {
			b.Fatalf("unexpected report: %+v findings=%d", rep.Summary, len(rep.Findings))
		}
		if rep.Findings[0].Occurrences != jobs {
			b.Fatalf("want the failure once with %d occurrences, got %d", jobs, rep.Findings[0].Occurrences)
		}
		peak = max(peak, peakRSS())
		dlTotal += dl
		anTotal += an
	}
	b.ReportMetric(dlTotal.Seconds()/float64(b.N), "download-s")
	b.ReportMetric(anTotal.Seconds()/float64(b.N), "analyze-s")
	b.ReportMetric(float64(anTotal)/float64(dlTotal), "analyze/download")
	if peak > 0 {
		b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MB")
	}
}

// shardedBuild is a GitHub Actions run of n failed test shards that fail
// the same way, with size bytes of log each; the fake pauses throttle
// after every 64 KiB of each log.
func shardedBuild(n int, size int64, throttle time.Duration) providertest.Build {
	build := providertest.Build{Provider: providers.KindGitHubActions, Org: "acme", Repo: "api", Number: 9876543210}
	for i := 0; i < n; i++ {
		build.Jobs = append(build.Jobs, providertest.Job{
			Name:        fmt.Sprintf("test (shard %d)", i),
			State:       "failed",
			Log:         providertest.GitHubLog(providertest.FailingGoTest...),
			LogSize:     size,
			LogThrottle: providertest.Duration(throttle),
		})
	}
	return build
}

// downloadOnly reads every failed job's log and throws it away, with the
// pipeline's concurrency: the baseline the analysis is compared with.
func downloadOnly(ctx context.Context, src pipeline.Source, conc int) error {
	build, err := src.Build(ctx)
	if err != nil {
		return err
	}
	var jobs []providers.Job
	for _, j := range build.Jobs {
		if j.Failed() && j.HasLog {
			jobs = append(jobs, j)
		}
	}
	var mu sync.Mutex
	var first error
	pipeline.ForEach(ctx, conc, jobs, func(j providers.Job) {
		rc, err := src.OpenLog(ctx, j)
		if err == nil {
			_, err = io.Copy(io.Discard, rc)
			rc.Close()
		}
		if err != nil {
			mu.Lock()
			first = err
			mu.Unlock()
		}
	})
	return first
}

// resetPeakRSS resets the kernel's high-water mark of this process's
// resident set (Linux; a no-op elsewhere).
func resetPeakRSS() {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// peakRSS returns VmHWM in bytes, or 0 when it cannot be read.
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}
