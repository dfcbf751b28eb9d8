package bench

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// startupRuns is how many times each short process runs.
const startupRuns = 40

// benchStartup: destill analyze of a 1 KB log, and destill --version,
// against grep on the same 1 KB file and a Go program that only prints a
// word (what any Go program pays to start on this machine), alternating;
// the median wall time of each. Targets: analyze of 1 KB at most 8 ms;
// --version does no analysis set-up (the analysis package's
// initialization allocates next to nothing, per GODEBUG=inittrace=1).
func benchStartup(b *testing.B) {
	bin := destillBinary(b)
	minimal := minimalBinary(b)
	path := filepath.Join(b.TempDir(), "1k.log")
	if err := os.WriteFile(path, oneKB(b), 0o600); err != nil {
		b.Fatal(err)
	}
	env := benchEnv(b)
	for b.Loop() {
		var grep, analyze, version, floor []time.Duration
		for range startupRuns {
			grep = append(grep, run(b, env, "grep", grepArgs(path)...).wall)
			analyze = append(analyze, run(b, env, bin, "analyze", "--format", "json", path).wall)
			version = append(version, run(b, env, bin, "--version").wall)
			floor = append(floor, run(b, env, minimal).wall)
		}
		g, a, v, f := median(grep), median(analyze), median(version), median(floor)
		initMS, initKB, analysisKB := initCost(b, env, bin)
		b.ReportMetric(ms(a), "analyze-1KB-ms")
		b.ReportMetric(ms(v), "version-ms")
		b.ReportMetric(ms(f), "minimal-go-ms")
		b.ReportMetric(initKB, "version-init-KB")
		report("start-up: analyze of a 1 KB log (median wall)",
			fmt.Sprintf("%.1f ms (grep %.1f ms; a Go program that prints a word %.1f ms; fastest %.1f ms)", ms(a), ms(g), ms(f), ms(slices.Min(analyze))),
			"≤ 8 ms", a <= 8*time.Millisecond)
		report("start-up: --version (median wall; package init per GODEBUG=inittrace=1)",
			fmt.Sprintf("%.1f ms; init %.1f ms, %.0f KB (analysis %.0f KB)", ms(v), initMS, initKB, analysisKB),
			"no analysis set-up (analysis init < 16 KB)", analysisKB < 16)
	}
}

// oneKB is the first KB (whole lines) of a shipped example log.
func oneKB(b *testing.B) []byte {
	data, err := os.ReadFile("../examples/logs/github-actions-go-test.log")
	if err != nil {
		b.Fatal(err)
	}
	data = data[:min(len(data), 1024)]
	if i := bytes.LastIndexByte(data, '\n'); i > 0 {
		data = data[:i+1]
	}
	return data
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// initCost runs --version with GODEBUG=inittrace=1 and sums what package
// initialization took: clock ms and KB allocated, in all and in package
// analysis.
func initCost(b *testing.B, env []string, bin string) (ms, kb, analysisKB float64) {
	u, err := runProcessStderr(append(env, "GODEBUG=inittrace=1"), bin, "--version")
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(u, "\n") {
		// init github.com/x/y @0.5 ms, 0.12 ms clock, 1234 bytes, 5 allocs
		f := strings.Fields(line)
		if len(f) < 10 || f[0] != "init" {
			continue
		}
		clock, _ := strconv.ParseFloat(f[4], 64)
		bytes, _ := strconv.ParseFloat(f[7], 64)
		ms += clock
		kb += bytes / 1024
		if f[1] == "github.com/destill-dev/destill/analysis" {
			analysisKB += bytes / 1024
		}
	}
	return ms, kb, analysisKB
}
