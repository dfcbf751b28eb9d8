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
