package app

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/providertest"
)

// historyBenchPipeline is HistoryPipeline on GitHub Actions with every
// job's log 1 MB long: build 20 and the 10 builds before it are what a
// history of 10 reads (about 35 logs).
func historyBenchPipeline() providertest.Scenario {
	sc := providertest.HistoryPipeline(providers.KindGitHubActions)
	for bi := range sc.Builds {
		for ji := range sc.Builds[bi].Jobs {
			sc.Builds[bi].Jobs[ji].LogSize = 1 << 20
		}
	}
	return sc
}

// BenchmarkAnalyzeHistoryCached runs "destill analyze --json URL" (Main,
// end to end) on build 20 of a GitHub Actions workflow whose earlier
// builds hold a flaky test, a recurring failure and noise, with the log
// cache warm, alternately without history (--no-history, the baseline)
// and with a history of 10 builds, in pairs, in the same run. It reports
// the median of each and of the pairs' ratios (history/no-history,
// target <= 1.3), and, once per iteration with an empty cache, the cold
// runs: the history's logs are downloaded side by side (--concurrency 8).
// On loopback (the fake in this process, its work on the same two cores)
// and with every API answer held back 30 ms, as across the internet.
func BenchmarkAnalyzeHistoryCached(b *testing.B) {
	b.Run("loopback", func(b *testing.B) { benchmarkHistory(b, 0) })
	b.Run("rtt=30ms", func(b *testing.B) { benchmarkHistory(b, 30*time.Millisecond) })
}

// benchmarkHistory is BenchmarkAnalyzeHistoryCached with every API answer
// held back by rtt (0: loopback).
func benchmarkHistory(b *testing.B, rtt time.Duration) {
	sc := historyBenchPipeline()
	sc.APIDelay = providertest.Duration(rtt)
	fake := providertest.Start(sc)
	defer fake.Close()
	url := fake.WebURL(providertest.HistoryBuilds - 1)
	analyze := func(dir string, args ...string) (time.Duration, analysis.Report) {
		streams, out, errOut := TestStreams("", append(fake.Env(), "DESTILL_CACHE_DIR", dir)...)
		argv := append(append([]string{"destill", "analyze", "--json", "--no-baseline"}, args...), url)
		t0 := time.Now()
		code := Main(context.Background(), argv, streams)
		d := time.Since(t0)
		if code != 0 {
			b.Fatalf("analyze: exit %d: %s", code, errOut)
		}
		var rep analysis.Report
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			b.Fatal(err)
		}
		return d, rep
	}
	var coldPlain, coldHistory time.Duration
	var plain, withHistory []time.Duration
	var ratios []float64
	rounds := 10 // pairs of warm runs per benchmark iteration
	if rtt > 0 {
		rounds = 4
	}
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		dir, err := os.MkdirTemp("", "destill-bench-history-")
		if err != nil {
			b.Fatal(err)
		}
		d, _ := analyze(dir, "--no-history")
		coldPlain += d
		fake.ResetCounts()
		d, rep := analyze(dir, "--history", "10")
		coldHistory += d
		if rep.History == nil || rep.History.Builds != 10 || findingFor(rep, providertest.HistoryRecurring).History == nil {
			b.Fatalf("no history of 10 builds: %+v", rep.History)
		}
		if fake.LogRequests() == 0 {
			b.Fatal("the cold history downloaded no log")
		}
		for i := range rounds { // pairs, alternating which goes first
			var p, h time.Duration
			for k := range 2 {
				if (i+k)%2 == 0 {
					p, _ = analyze(dir, "--no-history")
					continue
				}
				fake.ResetCounts()
				var rep analysis.Report
				h, rep = analyze(dir, "--history", "10")
				if got := fake.LogRequests(); got != 0 {
					b.Fatalf("warm history: %d log requests, want 0", got)
				}
				if rep.History == nil || rep.History.Builds != 10 {
					b.Fatalf("no history: %+v", rep.History)
				}
			}
			plain, withHistory = append(plain, p), append(withHistory, h)
			ratios = append(ratios, float64(h)/float64(p))
		}
		os.RemoveAll(dir)
	}
	// Medians, and the ratio is the median of each pair's (the two runs
	// of a pair one after the other): the machine is shared, and a run
	// slowed by another process's burst should not decide it.
	b.ReportMetric(median(plain).Seconds(), "warm-s")
	b.ReportMetric(median(withHistory).Seconds(), "warm-history-s")
	b.ReportMetric(median(ratios), "history/no-history")
	b.ReportMetric(coldPlain.Seconds()/float64(b.N), "cold-s")
	b.ReportMetric(coldHistory.Seconds()/float64(b.N), "cold-history-s")
}

func median[T time.Duration | float64](vs []T) T {
	s := slices.Clone(vs)
	slices.Sort(s)
	return s[len(s)/2]
}
