package analysis

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
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

// BenchmarkAnalyze measures analysis throughput on one core and, in the
// same run, grep's throughput on the same file as the reference:
// grep -ciE 'error|fail|exception|fatal|panic|traceback'.
func BenchmarkAnalyze(b *testing.B) {
	path, data := benchLog(b)
	grepMBs := grepThroughput(b, path, len(data))
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		a := NewAnalyzer(Options{})
		for p := data; len(p) > 0; {
			n := min(len(p), 64<<10)
			a.Write(p[:n])
			p = p[n:]
		}
		if len(Rank([]JobResult{withJob(a.Result())})) == 0 {
			b.Fatal("no findings in the benchmark log")
		}
	}
	mbs := float64(len(data)) * float64(b.N) / time.Since(start).Seconds() / 1e6
	b.ReportMetric(grepMBs, "grep-MB/s")
	b.ReportMetric(mbs/grepMBs, "x-grep")
}

func grepThroughput(b *testing.B, path string, size int) float64 {
	b.Helper()
	best := 0.0
	for i := 0; i < 3; i++ {
		cmd := exec.Command("grep", "-ciE", "error|fail|exception|fatal|panic|traceback", path)
		var out bytes.Buffer
		cmd.Stdout = &out
		start := time.Now()
		if err := cmd.Run(); err != nil {
			b.Fatalf("grep: %v", err)
		}
		if mbs := float64(size) / time.Since(start).Seconds() / 1e6; mbs > best {
			best = mbs
		}
	}
	return best
}

// BenchmarkBaseline compares analysis of a generated log alone with the
// same analysis after building a baseline from a passing log of the same
// size, in one run. Throughput counts the failing log's bytes over the whole
// time, baseline building included; target: at least 0.5× the run without.
func BenchmarkBaseline(b *testing.B) {
	_, failing := benchLog(b)
	var buf bytes.Buffer
	if err := analysistest.WriteRealisticLog(&buf, benchLogBytes, 2); err != nil {
		b.Fatal(err)
	}
	passing := buf.Bytes()
	analyze := func(base *Baseline) {
		a := NewAnalyzer(Options{})
		for p := failing; len(p) > 0; {
			n := min(len(p), 64<<10)
			a.Write(p[:n])
			p = p[n:]
		}
		res := withJob(a.Result())
		res.Baseline = base
		if len(Rank([]JobResult{res})) == 0 {
			b.Fatal("no findings")
		}
	}
	b.SetBytes(int64(len(failing)))
	b.ResetTimer()
	var alone, with time.Duration
	for b.Loop() {
		start := time.Now()
		analyze(nil)
		alone += time.Since(start)

		start = time.Now()
		bb := NewBaselineBuilder()
		for p := passing; len(p) > 0; {
			n := min(len(p), 64<<10)
			bb.Write(p[:n])
			p = p[n:]
		}
		analyze(bb.Baseline())
		with += time.Since(start)
	}
	mb := float64(len(failing)) * float64(b.N) / 1e6
	b.ReportMetric(mb/alone.Seconds(), "MB/s-alone")
	b.ReportMetric(mb/with.Seconds(), "MB/s-with-baseline")
	b.ReportMetric(alone.Seconds()/with.Seconds(), "x-alone")
}
