package analysis

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// withBlankRuns returns log with runs of empty lines ("\n" and "\r\n", up
// to 300 of them) inserted after random lines.
func withBlankRuns(log []byte, seed int64) []byte {
	rng := rand.New(rand.NewSource(seed))
	var b bytes.Buffer
	for _, line := range bytes.SplitAfter(log, []byte("\n")) {
		b.Write(line)
		if len(line) > 0 && line[len(line)-1] == '\n' && rng.Intn(3) == 0 {
			end := "\n"
			if rng.Intn(2) == 0 {
				end = "\r\n"
			}
			b.WriteString(strings.Repeat(end, 1+rng.Intn(300)))
		}
	}
	return b.Bytes()
}

// lineByLine analyzes data one line at a time, as the analyzer did before
// it took runs of blank lines at once.
func lineByLine(data []byte) JobResult {
	a := NewAnalyzer(Options{ContextBefore: 5, ContextAfter: 4})
	lines := bytes.Split(data, []byte("\n"))
	if len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	for _, l := range lines {
		a.processLine(l, false)
	}
	a.bytes = int64(len(data))
	a.finished = true // Result must not flush the splitter, which saw nothing
	if a.block.open != nil {
		a.closeBlock()
	}
	return a.Result()
}

// TestBlankRunsAnalyzeAsLineByLine: runs of blank lines, taken at once,
// give exactly what processing them one by one gives, in logs with blocks
// that absorb blank lines, context after findings, Go test output and key
// blocks, whatever the pieces the log comes in.
func TestBlankRunsAnalyzeAsLineByLine(t *testing.T) {
	paths, err := filepath.Glob("testdata/logs/*.log")
	if err != nil || len(paths) == 0 {
		t.Fatal("no test logs")
	}
	logs := map[string][]byte{
		// A script echo ends 200 lines after "##[group]Run": an error
		// inside it is noise, after it is not.
		"echo": []byte("##[group]Run make test\n" + strings.Repeat("\n", 150) + "error: inside the echo\n" +
			strings.Repeat("\n", 30) + "##[endgroup]\n##[group]Run make lint\n" + strings.Repeat("\n", 250) + "error: after the echo\n"),
		// Blank lines inside a key block are redacted lines of context.
		"key": []byte("-----BEGIN PGP PRIVATE KEY BLOCK-----\n" + strings.Repeat("\n", 3) + "-----END PGP PRIVATE KEY BLOCK-----\nerror: signing failed\n"),
	}
	for i, p := range paths {
		log, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		logs[filepath.Base(p)] = withBlankRuns(log, int64(i))
	}
	for name, data := range logs {
		want, _ := json.Marshal(lineByLine(data))
		for _, piece := range []int{1, 3, 4096, len(data)} {
			a := NewAnalyzer(Options{ContextBefore: 5, ContextAfter: 4})
			writeChunks(a, data, piece)
			got, _ := json.Marshal(a.Result())
			if !bytes.Equal(got, want) {
				t.Fatalf("%s with blank runs, in pieces of %d: the result differs from line-by-line analysis", name, piece)
			}
		}
	}
}

// TestBlankRunsTakeNoSteps: a log made mostly of blank lines used to cost
// a full line's processing per blank line (23 times slower than an
// ordinary log per byte). Only the lines near content are now processed
// one by one.
func TestBlankRunsTakeNoSteps(t *testing.T) {
	var b strings.Builder
	content := 0
	for i := range 2000 {
		switch i % 4 {
		case 0:
			b.WriteString("error: cannot connect to database\n")
		case 1:
			b.WriteString("=== RUN   TestStore\n    store_test.go:12: retrying\n")
		default:
			b.WriteString("compiling package\n")
		}
		content++
		b.WriteString(strings.Repeat("\n", 500))
		b.WriteString(strings.Repeat("\r\n", 500))
	}
	a := NewAnalyzer(Options{})
	writeChunks(a, []byte(b.String()), 64<<10)
	res := a.Result()
	if res.Lines < 2_000_000 || len(res.Candidates) == 0 {
		t.Fatalf("read %d lines, %d findings", res.Lines, len(res.Candidates))
	}
	// Each line of content, the context after an error, and the blank line
	// that ends a Go test's output, plus a few more where a run spans two
	// writes.
	if limit := 10 * content; a.stepped > limit {
		t.Errorf("%d of %d lines processed one by one, want at most %d", a.stepped, res.Lines, limit)
	}
}

// BenchmarkAnalyzeBlankLines measures a log made mostly of blank lines.
func BenchmarkAnalyzeBlankLines(b *testing.B) {
	var log strings.Builder
	for log.Len() < 32<<20 {
		log.WriteString("2026-03-04T09:24:20.0000000Z error: step failed\n")
		log.WriteString(strings.Repeat("\n", 200))
	}
	data := []byte(log.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		a := NewAnalyzer(Options{})
		writeChunks(a, data, 64<<10)
		a.Result()
	}
}
