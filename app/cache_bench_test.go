package app

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/providertest"
)

// BenchmarkAnalyzeBuildURLCached runs "destill analyze --json URL" (Main,
// end to end) on a GitHub Actions run of 40 failed jobs with 20 MB logs,
// served by the fake on loopback, four ways in the same process:
//
//   - nocache: the log cache turned off (DESTILL_CACHE_SIZE=0), the
//     baseline;
//   - first: an empty cache, every log downloaded, analyzed and kept;
//   - second: the same build again: the build's metadata is read from the
//     fake, and every job's analysis comes from the cache (no log is read);
//   - logs-only: the cached analyses removed, so every log is read from
//     the cache and analyzed again (what a cache of logs alone would give).
//
// It reports first/second (target >= 10), first/logs-only, and
// first/nocache (what keeping the logs costs a first run). A real second
// run is a new process that hashes its executable to key the analyses;
// this process hashed its own once, so that time is measured and added to
// the second and logs-only runs.
func BenchmarkAnalyzeBuildURLCached(b *testing.B) {
	const jobs, size = 40, 20 << 20
	fake := providertest.Start(providertest.Scenario{Builds: []providertest.Build{shardedBuild(jobs, size, 0)}})
	defer fake.Close()
	url := fake.WebURL(0)

	analyze := func(env ...string) time.Duration {
		streams, out, errOut := TestStreams("", append(fake.Env(), env...)...)
		t0 := time.Now()
		code := Main(context.Background(), []string{"destill", "analyze", "--json", url}, streams)
		d := time.Since(t0)
		if code != 0 {
			b.Fatalf("analyze: exit %d: %s", code, errOut)
		}
		var rep analysis.Report
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			b.Fatal(err)
		}
		if rep.Summary.JobsAnalyzed != jobs || len(rep.Findings) == 0 || rep.Findings[0].Occurrences != jobs {
			b.Fatalf("unexpected report: %+v", rep.Summary)
		}
		return d
	}

	var nocache, first, second, logsOnly time.Duration
	exeHash := hashExecutableTime(b)
	b.SetBytes(jobs * size)
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		dir, err := os.MkdirTemp("", "destill-bench-cache-")
		if err != nil {
			b.Fatal(err)
		}
		nocache += analyze("DESTILL_CACHE_DIR", dir, "DESTILL_CACHE_SIZE", "0")
		fake.ResetCounts()
		first += analyze("DESTILL_CACHE_DIR", dir)
		if got := fake.LogRequests(); got != jobs {
			b.Fatalf("first run: %d log requests, want %d", got, jobs)
		}
		fake.ResetCounts()
		second += analyze("DESTILL_CACHE_DIR", dir) + exeHash
		if got := fake.LogRequests(); got != 0 {
			b.Fatalf("second run: %d log requests, want 0", got)
		}
		if err := os.RemoveAll(filepath.Join(dir, "results")); err != nil {
			b.Fatal(err)
		}
		logsOnly += analyze("DESTILL_CACHE_DIR", dir) + exeHash
		if got := fake.LogRequests(); got != 0 {
			b.Fatalf("logs-only run: %d log requests, want 0", got)
		}
		os.RemoveAll(dir)
	}
	perOp := func(d time.Duration) float64 { return d.Seconds() / float64(b.N) }
	b.ReportMetric(perOp(nocache), "nocache-s")
	b.ReportMetric(perOp(first), "first-s")
	b.ReportMetric(perOp(second), "second-s")
	b.ReportMetric(perOp(logsOnly), "logs-only-s")
	b.ReportMetric(float64(first)/float64(second), "first/second")
	b.ReportMetric(float64(first)/float64(logsOnly), "first/logs-only")
	b.ReportMetric(float64(first)/float64(nocache), "first/nocache")
}

// hashExecutableTime times what every new destill process does once to
// key its cached analyses: hashing its own executable.
func hashExecutableTime(b *testing.B) time.Duration {
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	f, err := os.Open(exe)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		b.Fatal(err)
	}
	return time.Since(t0)
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
