package app

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/baselines"
	"github.com/destill-dev/destill/app/pipeline"
	"github.com/destill-dev/destill/app/sources"
	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/providertest"
)

// BenchmarkAutomaticBaseline analyzes a GitHub Actions run of 4 matrix
// steps, each with 3 failed cells and 1 passing one, 20 MB logs each, in
// the same process with and without automatic baselines (a fresh cache
// each time: every passing sibling's log is downloaded and modelled). It
// reports the ratio of the wall times and the extra API requests of the
// run with baselines. The passing logs are fetched while the failed ones
// stream, so at blob-storage speed ("32MBps-per-stream") the ratio should
// stay near 1; on loopback it shows the CPU cost of the models.
func BenchmarkAutomaticBaseline(b *testing.B) {
	b.Run("loopback", func(b *testing.B) { benchAutomaticBaseline(b, 0) })
	b.Run("32MBps-per-stream", func(b *testing.B) { benchAutomaticBaseline(b, 2*time.Millisecond) })
}

func benchAutomaticBaseline(b *testing.B, throttle time.Duration) {
	const groups, failedPerGroup, size = 4, 3, 20 << 20
	build := providertest.Build{Provider: providers.KindGitHubActions, Org: "acme", Repo: "billing", Number: 9876543300}
	for g := 0; g < groups; g++ {
		for c := 0; c <= failedPerGroup; c++ {
			state, lines := "failed", append(append([]string{}, providertest.WaitForServicesLines...), providertest.MissingMigrationLines...)
			if c == 0 {
				state, lines = "passed", append(append([]string{}, providertest.WaitForServicesLines...), providertest.PassingTestLines...)
			}
			build.Jobs = append(build.Jobs, providertest.Job{
				Name: fmt.Sprintf("test%d (ubuntu-latest, 3.%d)", g, 10+c), State: state,
				Log: providertest.GitHubLog(lines...), LogSize: size, LogThrottle: providertest.Duration(throttle),
			})
		}
	}
	fake := providertest.Start(providertest.Scenario{Builds: []providertest.Build{build}})
	defer fake.Close()
	in, err := sources.Resolve(fake.WebURL(0), sources.Config{Getenv: fake.Getenv})
	if err != nil {
		b.Fatal(err)
	}
	finder := in.Source.(baselines.Finder)
	ctx := context.Background()
	run := func(base pipeline.Baselines) (analysis.Report, time.Duration, int) {
		fake.ResetCounts()
		t0 := time.Now()
		rep, err := pipeline.Run(ctx, in.Source, pipeline.Options{Source: in.Describe, Analysis: analysis.Options{Secrets: in.Secrets}, Baselines: base}, nil)
		if err != nil {
			b.Fatal(err)
		}
		return rep, time.Since(t0), fake.Requests("/github/")
	}
	b.SetBytes(groups * failedPerGroup * size)
	b.ResetTimer()
	var without, with time.Duration
	extra := 0
	for n := 0; n < b.N; n++ {
		_, d0, r0 := run(nil)
		rep, d1, r1 := run(baselines.New(finder, baselines.Options{Secrets: in.Secrets}))
		if rep.Baseline == nil || rep.Baseline.Kind != baselines.KindSiblingJobs && rep.Baseline.Kind != "per-job" {
			b.Fatalf("want sibling baselines, got %+v", rep.Baseline)
		}
		if top := rep.Findings[0]; !slices.Contains(top.Reasons, "new-vs-baseline") {
			b.Fatalf("top finding %q: %v", top.Message, top.Reasons)
		}
		without += d0
		with += d1
		extra = r1 - r0
	}
	b.ReportMetric(without.Seconds()/float64(b.N), "without-s")
	b.ReportMetric(with.Seconds()/float64(b.N), "with-s")
	b.ReportMetric(float64(with)/float64(without), "with/without")
	b.ReportMetric(float64(extra), "extra-requests")
}
