package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/destill-dev/destill/app/pipeline"
	"github.com/destill-dev/destill/app/sources"
	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/providertest"
)

// Build benchmark shape: 40 failed jobs with 20 MB of real logs each,
// served at 25 MB/s per connection, read 8 at a time (the default
// concurrency).
const (
	buildJobs     = 40
	buildLogBytes = 20 << 20
	buildRate     = 25e6 // bytes per second per connection
	buildRounds   = 3
)

// buildOtherJobs are the other numbers of jobs whose peak memory the row
// measures: it must not grow with them. 640 jobs are 12.8 GB of logs,
// 2,560 jobs 51.2 GB (about 280 s). The last two tell whether memory
// still grows with the jobs, and by how much a job (see README, "A
// build's memory"): up to 1,280 jobs the peak is set while the logs
// stream, and only beyond does the report made at the end, whose
// findings list every job they occurred in, set it.
var buildOtherJobs = []int{10, 160, 640, 1280, 2560}

// buildFlat is how much more the last of buildOtherJobs may peak at than
// the one before for memory not to grow with the jobs: the spread of
// repeated runs of one build on this machine.
const buildFlat = 8 << 20

// benchBuild: the destill binary analyzes a GitHub Actions run of 40
// failed jobs, each 20 MB of real logs (windows of the corpus at other
// offsets), served by the fake CI at 25 MB/s per connection. The
// reference is a download-only pass of the same logs, in this process,
// with the same client and concurrency. Targets: wall ÷ download-only
// wall at most 1.1×; peak RSS under 150 MB, for 10, 160, 640, 1,280 and
// 2,560 jobs as for 40, and no more at 2,560 jobs than at 1,280 (within
// buildFlat): memory must not grow with the number of jobs. With
// DESTILL_BENCH_REPORTS=dir, the reports are kept there.
func benchBuild(b *testing.B) {
	c := realLogs(b)
	data, err := os.ReadFile(c.all)
	if err != nil {
		b.Fatal(err)
	}
	logs := string(data)
	bin := destillBinary(b)
	for b.Loop() {
		var others []string
		var peaks []int64
		bounded := true
		for _, n := range buildOtherJobs {
			fake := serveBuild(b, logs, n)
			u := analyzeBuild(b, bin, fake, n)
			fake.Close()
			others = append(others, fmt.Sprintf("%d jobs: %.0f MB", n, float64(u.peakRSS)/(1<<20)))
			peaks = append(peaks, u.peakRSS)
			bounded = bounded && u.peakRSS < 150<<20
		}
		growth := growthPerJob(buildOtherJobs, peaks)

		fake := serveBuild(b, logs, buildJobs)
		var dl, an, cpu time.Duration
		var peak int64
		for i := range buildRounds {
			d := downloadOnly(b, fake)
			u := analyzeBuild(b, bin, fake, buildJobs)
			if i == 0 || d < dl {
				dl = d
			}
			if i == 0 || u.wall < an {
				an, cpu = u.wall, u.cpu
			}
			peak = max(peak, u.peakRSS)
		}
		fake.Close()
		ratio := an.Seconds() / dl.Seconds()
		b.ReportMetric(ratio, "x-download")
		b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MB")
		what := fmt.Sprintf("build URL, %d jobs × %d MB of real logs at %.0f MB/s per connection × %d", buildJobs, buildLogBytes>>20, buildRate/1e6, pipeline.DefaultConcurrency)
		report(what+": peak RSS",
			fmt.Sprintf("%.0f MB (%s; %s)", float64(peak)/(1<<20), strings.Join(others, "; "), growth.String()),
			"< 150 MB for any number of jobs", peak < 150<<20 && bounded && growth.flat())
		report(what+": wall ÷ download-only wall",
			fmt.Sprintf("%.2f× (%.1f s vs %.1f s; destill used %.1f s of CPU)", ratio, an.Seconds(), dl.Seconds(), cpu.Seconds()),
			"≤ 1.1×", ratio <= 1.1)
	}
}

// growth is how a build's peak memory grew between the last two numbers
// of jobs measured.
type growth struct {
	from, to   int   // jobs
	peak, more int64 // the peak at to, and how much more than at from
}

// growthPerJob is the growth between the last two of jobs, whose peaks
// are peaks.
func growthPerJob(jobs []int, peaks []int64) growth {
	n := len(jobs)
	return growth{from: jobs[n-2], to: jobs[n-1], peak: peaks[n-1], more: peaks[n-1] - peaks[n-2]}
}

// flat reports whether memory did not grow with the jobs (within
// buildFlat).
func (g growth) flat() bool { return g.more <= buildFlat }

// String says by how much a job memory grew and, when it did, at about
// how many jobs it would reach 150 MB.
func (g growth) String() string {
	if g.flat() {
		return fmt.Sprintf("flat from %d to %d jobs (%+.0f MB)", g.from, g.to, float64(g.more)/(1<<20))
	}
	perJob := float64(g.more) / float64(g.to-g.from)
	s := fmt.Sprintf("grows %.0f KB a job from %d to %d jobs", perJob/(1<<10), g.from, g.to)
	if g.peak < 150<<20 {
		s += fmt.Sprintf(", so 150 MB at about %d jobs", g.to+int(float64(150<<20-g.peak)/perJob))
	}
	return s
}

// serveBuild starts the fake CI with one GitHub Actions run of jobs failed
// jobs; job i's log is buildLogBytes of logs starting at the i-th of jobs
// evenly spaced offsets (wrapping around), cut at line ends.
func serveBuild(b *testing.B, logs string, jobs int) *providertest.Fake {
	ring := logs + logs[:min(len(logs), buildLogBytes)]
	for len(ring) < 2*buildLogBytes {
		ring += logs
	}
	throttle := time.Duration(float64(64<<10) / buildRate * float64(time.Second))
	build := providertest.Build{Provider: providers.KindGitHubActions, Org: "acme", Repo: "api", Number: 9876543210}
	for i := range jobs {
		from := lineStart(ring, i*len(logs)/jobs)
		to := lineStart(ring, from+buildLogBytes)
		build.Jobs = append(build.Jobs, providertest.Job{
			Name:        fmt.Sprintf("test (shard %d)", i),
			State:       "failed",
			Log:         ring[from:to], // shares ring's memory
			LogThrottle: providertest.Duration(throttle),
		})
	}
	return providertest.Start(providertest.Scenario{Builds: []providertest.Build{build}})
}

// lineStart returns the start of the first line at or after i.
func lineStart(s string, i int) int {
	if i <= 0 {
		return 0
	}
	if i >= len(s) {
		return len(s)
	}
	j := bytes.IndexByte([]byte(s[i-1:min(len(s), i+1<<16)]), '\n')
	if j < 0 {
		return i
	}
	return i + j
}

// analyzeBuild runs destill analyze on the fake's build, watching its
// peak memory, and checks the report covers every job.
func analyzeBuild(b *testing.B, bin string, fake *providertest.Fake, jobs int) usage {
	b.Helper()
	env := benchEnv(b, fake.Environ()...)
	u := runWatched(b, env, bin, "analyze", "--format", "json", "--cache-size", "0", fake.WebURL(0))
	if dir := os.Getenv("DESTILL_BENCH_REPORTS"); dir != "" {
		// Kept to compare the findings of two versions on the same build.
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("build-%d-jobs.json", jobs)), u.stdout, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	var rep struct {
		Summary struct {
			JobsAnalyzed int `json:"jobs_analyzed"`
		} `json:"summary"`
		Findings []json.RawMessage `json:"findings"`
	}
	if err := json.Unmarshal(u.stdout, &rep); err != nil {
		b.Fatalf("build report: %v", err)
	}
	if rep.Summary.JobsAnalyzed != jobs || len(rep.Findings) == 0 {
		b.Fatalf("build report: %d of %d jobs analyzed, %d findings", rep.Summary.JobsAnalyzed, jobs, len(rep.Findings))
	}
	return u
}

// downloadOnly reads every failed job's log of the fake's build and
// throws it away, with the pipeline's concurrency and client, and
// returns the wall time it took.
func downloadOnly(b *testing.B, fake *providertest.Fake) time.Duration {
	b.Helper()
	start := time.Now()
	in, err := sources.Resolve(fake.WebURL(0), sources.Config{Getenv: fake.Getenv})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	build, err := in.Source.Build(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var mu sync.Mutex
	var first error
	pipeline.ForEach(ctx, pipeline.DefaultConcurrency, build.Jobs, func(j providers.Job) {
		if !j.Failed() || !j.HasLog {
			return
		}
		rc, err := in.Source.OpenLog(ctx, j)
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
	if first != nil {
		b.Fatal(first)
	}
	return time.Since(start)
}
