package app

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"syscall"
	"testing"
	"time"

	"github.com/destill-dev/destill/analysis/analysistest"
)

// rssLogBytes is the size of the log BenchmarkPeakRSS analyzes.
const rssLogBytes = 1 << 30

// BenchmarkPeakRSS runs the real binary on a generated 1 GB log and reports
// its peak resident memory (target: under 100 MB) and its throughput.
func BenchmarkPeakRSS(b *testing.B) {
	dir := b.TempDir()
	bin := goBuild(b, "..", filepath.Join(dir, "destill"))
	log := filepath.Join(dir, "big.log")
	f, err := os.Create(log)
	if err != nil {
		b.Fatal(err)
	}
	if err := analysistest.WriteRealisticLog(f, rssLogBytes, 7); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	info, _ := os.Stat(log)
	b.ResetTimer()
	var peak int64
	var elapsed time.Duration
	var floor int64
	for b.Loop() {
		cmd := exec.Command(bin, "analyze", "--format", "json", log)
		cmd.Stdout, cmd.Stderr = nil, nil
		// Go starts children with vfork semantics, and Linux counts the
		// parent's high-water mark at exec in the child's maxrss: shrink
		// this process and reset its mark first, or a benchmark that ran
		// before in the same process inflates the figure.
		runtime.GC()
		debug.FreeOSMemory()
		resetPeakRSS()
		floor = max(floor, peakRSS())
		start := time.Now()
		if err := cmd.Run(); err != nil {
			b.Fatalf("destill analyze: %v", err)
		}
		elapsed += time.Since(start)
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss > peak {
			peak = ru.Maxrss // KiB on Linux
		}
	}
	b.ReportMetric(float64(peak)/1024, "peak-RSS-MB")
	b.ReportMetric(float64(floor)/(1<<20), "bench-RSS-at-exec-MB")
	b.ReportMetric(float64(info.Size())*float64(b.N)/elapsed.Seconds()/1e6, "MB/s")
}
