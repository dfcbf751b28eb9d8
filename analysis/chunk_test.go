package analysis

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// analyzeChunked analyzes data chunk by chunk, as distributed workers do.
func analyzeChunked(t *testing.T, data []byte, size int, opts Options) JobResult {
	t.Helper()
	var parts []JobResult
	var firsts []int
	ch := &Chunker{Size: size, Emit: func(c Chunk) error {
		a := NewAnalyzer(c.Options(opts))
		a.Write(c.Data)
		res := a.Result()
		res.Bytes = c.OwnBytes
		parts = append(parts, res)
		firsts = append(firsts, c.OwnFrom)
		return nil
	}}
	if _, err := ch.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := ch.Close(); err != nil {
		t.Fatal(err)
	}
	// Merge in reverse to prove order does not matter.
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
		firsts[i], firsts[j] = firsts[j], firsts[i]
	}
	return MergeChunks(parts, firsts)
}

func chunkTestLogs(t *testing.T) []string {
	files, _ := filepath.Glob("testdata/logs/*.log")
	ex, _ := filepath.Glob("../examples/logs/*.log")
	files = append(files, ex...)
	if dir := os.Getenv("DESTILL_CORPUS"); dir != "" {
		c, _ := filepath.Glob(filepath.Join(dir, "logs", "*.log"))
		files = append(files, c...)
	}
	if len(files) == 0 {
		t.Fatal("no test logs found")
	}
	return files
}

func TestChunkedAnalysisEqualsWhole(t *testing.T) {
	t.Parallel()
	for _, f := range chunkTestLogs(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		whole := NewAnalyzer(Options{})
		whole.Write(data)
		want := whole.Result()
		for _, size := range []int{2 << 10, 16 << 10, DefaultChunkBytes} {
			got := analyzeChunked(t, data, size, Options{})
			if got.Lines != want.Lines {
				t.Errorf("%s size %d: lines %d, want %d", f, size, got.Lines, want.Lines)
			}
			if got.Bytes != want.Bytes {
				t.Errorf("%s size %d: bytes %d, want %d", f, size, got.Bytes, want.Bytes)
			}
			sameFindings(t, fmt.Sprintf("%s size %d: chunked", f, size), Rank([]JobResult{withJob(got)}), Rank([]JobResult{withJob(want)}))
			if !reflect.DeepEqual(got.Sections, want.Sections) {
				t.Errorf("%s size %d: sections differ: got %d, want %d", f, size, len(got.Sections), len(want.Sections))
			}
		}
	}
}

func withJob(r JobResult) JobResult {
	r.Job = JobSummary{ID: "j", Name: "j", Failed: true}
	return r
}

// sameFindings reports an error when got differs from want, the findings
// of the whole log, and logs the first difference.
func sameFindings(t *testing.T, what string, got, want []Finding) {
	t.Helper()
	if reflect.DeepEqual(got, want) {
		return
	}
	t.Errorf("%s findings differ from whole-log findings", what)
	for i := range want {
		if i < len(got) && !reflect.DeepEqual(got[i], want[i]) {
			t.Logf("first difference at rank %d: %s", i+1, fieldDiff(got[i], want[i]))
			break
		}
	}
	if len(got) != len(want) {
		t.Logf("got %d findings, want %d", len(got), len(want))
	}
}

// fieldDiff names the fields in which two findings differ.
func fieldDiff(got, want Finding) string {
	g, w := reflect.ValueOf(got), reflect.ValueOf(want)
	out := ""
	for i := 0; i < g.NumField(); i++ {
		if !reflect.DeepEqual(g.Field(i).Interface(), w.Field(i).Interface()) {
			out += fmt.Sprintf("\n  %s: got %v, want %v", g.Type().Field(i).Name, g.Field(i).Interface(), w.Field(i).Interface())
		}
	}
	return out
}

// TestStrongerOccurrenceKeepsPassingCount: when a later, stronger
// occurrence replaces the one shown, the count of occurrences printed by
// passing tests carries over, in the whole log as across chunks.
func TestStrongerOccurrenceKeepsPassingCount(t *testing.T) {
	t.Parallel()
	const msg = "    db_test.go:10: dial tcp 10.0.0.1:5432: connect: connection refused\n"
	var b strings.Builder
	b.WriteString("##[group]Run go test -v ./...\ngo test -v ./...\n")
	b.WriteString("=== RUN   TestA\n" + msg + "--- PASS: TestA (0.01s)\n")
	for i := range 400 {
		fmt.Fprintf(&b, "    step %d done\n", i)
	}
	b.WriteString("=== RUN   TestB\n" + msg + "--- PASS: TestB (0.01s)\n")
	b.WriteString("=== RUN   TestC\n    c_test.go:5: got 1, want 2\n--- FAIL: TestC (0.00s)\nFAIL\n")
	data := []byte(b.String())

	whole := NewAnalyzer(Options{})
	whole.Write(data)
	want := whole.Result()
	var found bool
	for _, c := range want.Candidates {
		if strings.Contains(c.Message, "connection refused") {
			found = true
			if c.Occurrences != 2 || c.InPassingTests != 2 {
				t.Errorf("occurrences %d, in passing tests %d; want 2 and 2", c.Occurrences, c.InPassingTests)
			}
		}
	}
	if !found {
		t.Fatal("no candidate for the repeated message")
	}
	got := analyzeChunked(t, data, 2<<10, Options{})
	if gf, wf := Rank([]JobResult{withJob(got)}), Rank([]JobResult{withJob(want)}); !reflect.DeepEqual(gf, wf) {
		t.Errorf("chunked findings differ from whole-log findings")
	}
}
