package analysis

import (
	"bytes"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

// analyzeRounds is how many alternating runs of grep and of the analysis
// each benchmark iteration times: the best of each is kept, so one
// iteration (make bench runs one) already filters out the other tenants of
// a shared machine.
const analyzeRounds = 11

// BenchmarkAnalyze measures analysis throughput on one core and, in the
// same run, grep's throughput on the same file as the reference:
// grep -ciE 'error|fail|exception|fatal|panic|traceback'. Both are measured
// in CPU time (this machine's cores are shared, so wall time is noisy),
// alternating, best of the rounds; x-grep is the ratio of the two.
func BenchmarkAnalyze(b *testing.B) {
	path, data := benchLog(b)
	compareWithGrep(b, path, data)
}

// BenchmarkAnalyzeCorpus is BenchmarkAnalyze on real logs: the failing
// logs (logs/*.log without .pass) of the labeled corpus in
// $DESTILL_CORPUS, concatenated and read in one pass (make bench
// CORPUS=dir sets it).
func BenchmarkAnalyzeCorpus(b *testing.B) {
	dir := os.Getenv("DESTILL_CORPUS")
	paths, err := filepath.Glob(filepath.Join(dir, "logs", "*.log"))
	if dir == "" || err != nil || len(paths) == 0 {
		if os.Getenv("CI") != "" {
			b.Fatalf("no corpus logs in %q/logs: CI must pass one (make bench CORPUS=dir)", dir)
		}
		b.Skipf("no corpus logs in %q/logs (make bench CORPUS=dir)", dir)
	}
	var data []byte
	for _, p := range paths {
		if strings.HasSuffix(p, ".pass.log") {
			continue
		}
		d, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		data = append(data, d...)
	}
	path := filepath.Join(b.TempDir(), "corpus.log")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		b.Fatal(err)
	}
	compareWithGrep(b, path, data)
}

// compareWithGrep times the analysis of data (the contents of path) and
// grep over path, alternating, best of analyzeRounds each, in CPU time.
func compareWithGrep(b *testing.B, path string, data []byte) {
	b.ResetTimer()
	bestGrep, bestOurs := time.Duration(math.MaxInt64), time.Duration(math.MaxInt64)
	for b.Loop() {
		for range analyzeRounds {
			if d := grepCPU(b, path); d < bestGrep {
				bestGrep = d
			}
			start := cpuTime()
			a := NewAnalyzer(Options{})
			writeChunks(a, data, 64<<10)
			if len(Rank([]JobResult{withJob(a.Result())})) == 0 {
				b.Fatal("no findings in the benchmark log")
			}
			if d := cpuTime() - start; d < bestOurs {
				bestOurs = d
			}
		}
	}
	mb := float64(len(data)) / 1e6
	b.ReportMetric(mb, "MB")
	b.ReportMetric(mb/bestOurs.Seconds(), "cpu-MB/s")
	b.ReportMetric(mb/bestGrep.Seconds(), "grep-cpu-MB/s")
	b.ReportMetric(bestGrep.Seconds()/bestOurs.Seconds(), "x-grep")
}

// cpuTime is the CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// grepCPU runs the reference grep on path and returns its CPU time.
func grepCPU(b *testing.B, path string) time.Duration {
	b.Helper()
	cmd := exec.Command("grep", "-ciE", "error|fail|exception|fatal|panic|traceback", path)
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		b.Fatalf("grep: %v", err)
	}
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

// baselineRounds is how many alternating runs with and without a baseline
// each BenchmarkBaseline iteration times, keeping the best of each.
const baselineRounds = 5

// BenchmarkBaseline compares analysis of a generated log alone with the
// same analysis after building a baseline from a passing log of the same
// size, in one run, alternating, best of the rounds, in CPU time as
// BenchmarkAnalyze (make bench runs both on one core). Throughput counts the
// failing log's bytes over the whole time, baseline building included;
// target: at least 0.5× the run without.
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
