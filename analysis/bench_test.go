package analysis

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/destill-dev/destill/analysis/analysistest"
)

// benchLogBytes is the size of the generated benchmark log.
const benchLogBytes = 128 << 20

func benchLog(b *testing.B) (string, []byte) {
	b.Helper()
	path := filepath.Join(b.TempDir(), "bench.log")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := analysistest.WriteRealisticLog(f, benchLogBytes, 1); err != nil {
		b.Fatal(err)
	}
	f.Close()
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	return path, data
}

// cpuTime is the CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// baselineRounds is how many alternating runs with and without a baseline
// each BenchmarkBaseline iteration times, keeping the best of each.
const baselineRounds = 5

// BenchmarkBaseline compares analysis of a generated log alone with the
// same analysis after building a baseline from a passing log of the same
// size, in one run, alternating, best of the rounds, in CPU time (make
// bench runs it on one core). Throughput counts the failing log's bytes
// over the whole time, baseline building included; target: at least 0.5×
// the run without.
func BenchmarkBaseline(b *testing.B) {
	_, failing := benchLog(b)
	var buf bytes.Buffer
	if err := analysistest.WriteRealisticLog(&buf, benchLogBytes, 2); err != nil {
		b.Fatal(err)
	}
	passing := buf.Bytes()
	analyze := func(base *Baseline) {
		a := NewAnalyzer(Options{})
		writeChunks(a, failing, 64<<10)
		res := withJob(a.Result())
		res.Baseline = base
		if len(Rank([]JobResult{res})) == 0 {
			b.Fatal("no findings")
		}
	}
	b.ResetTimer()
	bestAlone, bestWith := time.Duration(math.MaxInt64), time.Duration(math.MaxInt64)
	for b.Loop() {
		for range baselineRounds {
			start := cpuTime()
			analyze(nil)
			bestAlone = min(bestAlone, cpuTime()-start)

			start = cpuTime()
			bb := NewBaselineBuilder()
			writeChunks(bb, passing, 64<<10)
			analyze(bb.Baseline())
			bestWith = min(bestWith, cpuTime()-start)
		}
	}
	mb := float64(len(failing)) / 1e6
	b.ReportMetric(mb/bestAlone.Seconds(), "MB/s-alone")
	b.ReportMetric(mb/bestWith.Seconds(), "MB/s-with-baseline")
	b.ReportMetric(bestAlone.Seconds()/bestWith.Seconds(), "x-alone")
}
