package bench

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// throughputRounds is how many times grep and destill each read a large
// file, alternating; the best of each counts.
const throughputRounds = 5

// benchRealLogsFile: one file of every real log, concatenated; destill's
// throughput against grep's, best of the rounds, in wall time (what a user
// waits for: destill reads one log on every core) and in CPU time (user +
// system). Target: at least 0.5× grep in wall time.
func benchRealLogsFile(b *testing.B) {
	c := realLogs(b)
	env := benchEnv(b)
	for b.Loop() {
		grep, ours := alternate(b, throughputRounds, env, c.all, "analyze", "--format", "json")
		mb := float64(c.bytes) / 1e6
		wall := grep.wall.Seconds() / ours.wall.Seconds()
		cpu := grep.cpu.Seconds() / ours.cpu.Seconds()
		b.ReportMetric(mb/ours.wall.Seconds(), "MB/s")
		b.ReportMetric(mb/grep.wall.Seconds(), "grep-MB/s")
		b.ReportMetric(wall, "x-grep-wall")
		b.ReportMetric(cpu, "x-grep-cpu")
		report(fmt.Sprintf("real logs in one file (%d logs, %.0f MB): throughput ÷ grep's", len(c.logs), mb),
			fmt.Sprintf("wall %.2f× (%.0f vs %.0f MB/s); CPU time %.2f× (%.0f vs %.0f MB/s)", wall, mb/ours.wall.Seconds(), mb/grep.wall.Seconds(), cpu, mb/ours.cpu.Seconds(), mb/grep.cpu.Seconds()),
			"≥ 0.5× (wall)", wall >= 0.5)
	}
}

// perLogRounds is how many times each log is read by grep and by destill.
const perLogRounds = 3

// benchRealLogsPerProcess: one destill process per real log, as people
// run it, against one grep per log; the sum of the best wall time of each
// log. Target: at most 4× grep's.
func benchRealLogsPerProcess(b *testing.B) {
	c := realLogs(b)
	env := benchEnv(b)
	for b.Loop() {
		var grepWall, oursWall time.Duration
		for _, log := range c.logs {
			grep, ours := alternate(b, perLogRounds, env, log, "analyze", "--format", "json")
			grepWall += grep.wall
			oursWall += ours.wall
		}
		ratio := oursWall.Seconds() / grepWall.Seconds()
		b.ReportMetric(ratio, "x-grep-wall")
		report(fmt.Sprintf("one process per real log (%d logs, %.0f KB on average): wall ÷ grep's", len(c.logs), float64(c.bytes)/1e3/float64(len(c.logs))),
			fmt.Sprintf("%.1f× (%.1f ms vs %.1f ms per log)", ratio, ms(oursWall)/float64(len(c.logs)), ms(grepWall)/float64(len(c.logs))),
			"≤ 4×", ratio <= 4)
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// floodLines is how many distinct error lines the flood log has.
const floodLines = 5_000_000

// benchFlood: 5 M distinct error lines ("error: unique message" and three
// words of letters only, so no two share a shape or a fingerprint);
// throughput against grep's in wall and CPU time, and the report's notes
// must state how many were left out. Target: at least 0.1× grep (wall).
func benchFlood(b *testing.B) {
	path := filepath.Join(b.TempDir(), "flood.log")
	size, err := writeFlood(path, floodLines)
	if err != nil {
		b.Fatal(err)
	}
	env := benchEnv(b)
	for b.Loop() {
		grep, ours := alternate(b, 3, env, path, "analyze", "--format", "json")
		var rep struct {
			Notes []string `json:"notes"`
		}
		if err := json.Unmarshal(ours.stdout, &rep); err != nil {
			b.Fatalf("flood report: %v", err)
		}
		stated := false
		for _, n := range rep.Notes {
			if strings.Contains(n, "not kept as findings") {
				stated = true
			}
		}
		mb := float64(size) / 1e6
		wall := grep.wall.Seconds() / ours.wall.Seconds()
		cpu := grep.cpu.Seconds() / ours.cpu.Seconds()
		b.ReportMetric(wall, "x-grep-wall")
		b.ReportMetric(cpu, "x-grep-cpu")
		drop := "the drop is NOT in the notes"
		if stated {
			drop = "the drop is stated in the notes"
		}
		report(fmt.Sprintf("%s distinct error lines (%.0f MB): throughput ÷ grep's", humanCount(floodLines), mb),
			fmt.Sprintf("wall %.3f× (%.0f vs %.0f MB/s); CPU time %.3f×; %s", wall, mb/ours.wall.Seconds(), mb/grep.wall.Seconds(), cpu, drop),
			"≥ 0.1× (wall); drop in notes", wall >= 0.1 && stated)
	}
}

// writeFlood writes n lines "error: unique message w1 w2 w3" whose words
// (letters only) differ on every line, and returns the file's size.
func writeFlood(path string, n int) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var size int64
	for i := range n {
		k, _ := fmt.Fprintf(w, "error: unique message %s %s %s\n", letters(i, 3), letters(i/7+11, 4), letters(i*31+5, 5))
		size += int64(k)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return 0, err
	}
	return size, f.Close()
}

// letters spells n in base 26 with at least width letters.
func letters(n, width int) string {
	var out []byte
	for n > 0 || len(out) < width {
		out = append(out, byte('a'+n%26))
		n /= 26
	}
	return string(out)
}

func humanCount(n int) string {
	if n%1_000_000 == 0 {
		return fmt.Sprintf("%d M", n/1_000_000)
	}
	return fmt.Sprint(n)
}

// bigLogBytes is the size of the one large log benchBigLog analyzes.
const bigLogBytes = 1 << 30

// benchBigLog: one 1 GB log (the real logs, repeated) through the binary;
// its peak resident memory must not grow with the log. Target: under
// 100 MB.
func benchBigLog(b *testing.B) {
	c := realLogs(b)
	path := filepath.Join(b.TempDir(), "big.log")
	if err := repeatFile(c.all, path, bigLogBytes); err != nil {
		b.Fatal(err)
	}
	env := benchEnv(b)
	bin := destillBinary(b)
	for b.Loop() {
		u := runWatched(b, env, bin, "analyze", "--format", "json", path)
		b.ReportMetric(float64(u.peakRSS)/(1<<20), "peak-RSS-MB")
		report(fmt.Sprintf("one %d MB log (the real logs, repeated): peak RSS", bigLogBytes>>20),
			fmt.Sprintf("%.0f MB (%.0f MB/s wall)", float64(u.peakRSS)/(1<<20), float64(bigLogBytes)/1e6/u.wall.Seconds()),
			"< 100 MB", u.peakRSS < 100<<20)
	}
}

// repeatFile writes src to dst over and over, up to size bytes.
func repeatFile(src, dst string, size int64) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	f, err := os.Create(dst)
	if err != nil {
		return err
	}
	for written := int64(0); written < size; {
		n := min(int64(len(data)), size-written)
		if _, err := f.Write(data[:n]); err != nil {
			f.Close()
			return err
		}
		written += n
	}
	return f.Close()
}
