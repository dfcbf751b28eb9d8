package render

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/destill-dev/destill/analysis"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./render -update writes it)", err)
	}
	if string(want) != got {
		t.Errorf("output differs from %s (refresh with -update after a deliberate change):\n%s", path, got)
	}
}

// TestTextWraps: on a terminal 72 columns wide, a long log line wraps with
// a blank gutter under its line number, prose (notes, the baseline, the
// step) wraps between words under its label, and a line the analyzer cut
// at its cap ends with the cut marker. Without a width nothing wraps.
func TestTextWraps(t *testing.T) {
	t.Parallel()
	cut := strings.Repeat("0123456789abcdef", 2048/16-1) + "0123456789abcde" + CutMarker // as the analyzer cuts it
	rep := analysis.Report{
		Schema: analysis.Schema,
		Source: analysis.Origin{Kind: "file", Path: "build.log"},
		Jobs:   []analysis.JobSummary{{ID: "1", Name: "build.log", Analyzed: true, LogLines: 120}},
		Findings: []analysis.Finding{{
			Rank: 1, Confidence: 0.9, Severity: analysis.SeverityError, Category: "test-failure", JobName: "build.log",
			Step:      "Run the integration tests against a throwaway PostgreSQL and an in-process Kafka broker",
			LineStart: 99, LineEnd: 100, Reasons: []string{"go-test-failure"},
			Message:       "--- FAIL: TestUpload (0.31s)",
			ContextBefore: []string{"=== RUN   TestUpload"},
			Text: []string{
				"--- FAIL: TestUpload (0.31s)",
				"    upload_test.go:88: got status 503 from https://storage.example.com/buckets/artifacts/objects?upload=resumable, want 200",
			},
			ContextAfter: []string{cut},
			Occurrences:  1, Lines: []int{99},
		}},
		Summary: analysis.Summary{JobsTotal: 1, JobsAnalyzed: 1, Findings: 1},
		Notes:   []string{"the log ends while a step is still running: the build was probably cancelled or timed out before it could report its result"},
	}
	var wrapped, plain bytes.Buffer
	if err := Text(&wrapped, rep, TextOptions{Width: 72}); err != nil {
		t.Fatal(err)
	}
	golden(t, "text-wrapped-72.golden", wrapped.String())
	if err := Text(&plain, rep, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(plain.String(), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "│") {
			t.Errorf("without a width a line wrapped: %q", l)
		}
	}
	if !strings.Contains(plain.String(), "0123456789abcde"+CutMarker+"\n") {
		t.Errorf("the cut line does not end with the marker:\n%s", plain.String())
	}
}

func TestWrap(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in    string
		w     int
		words bool
		want  []string
	}{
		{"short", 10, false, []string{"short"}},
		{"abcdefghij", 4, false, []string{"abcd", "efgh", "ij"}},
		{"one two three four", 9, true, []string{"one two", "three", "four"}},
		{"a bcdefghijkl", 6, true, []string{"a bcde", "fghijk", "l"}}, // the space is too early to break at
		{"\tx", 3, false, []string{"   ", " x"}},
		{"日本語テキスト", 5, false, []string{"日本", "語テ", "キス", "ト"}},
		{"anything", 0, false, []string{"anything"}},
	} {
		got := Wrap(tc.in, tc.w, tc.words)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("Wrap(%q, %d, %v) = %q, want %q", tc.in, tc.w, tc.words, got, tc.want)
		}
	}
}

// TestAnalyzerMarksCutLines: a log line longer than the display cap
// comes out of the analyzer ending with the cut marker, in every output.
func TestAnalyzerMarksCutLines(t *testing.T) {
	t.Parallel()
	a := analysis.NewAnalyzer(analysis.Options{})
	long := "error: " + strings.Repeat("x", 3*2048)
	if _, err := a.Write([]byte("step one\n" + long + "\nexit status 1\n")); err != nil {
		t.Fatal(err)
	}
	findings := analysis.Rank([]analysis.JobResult{a.Result()})
	for _, f := range findings {
		for _, l := range f.Text {
			if strings.HasPrefix(l, "error: ") {
				if !strings.HasSuffix(l, CutMarker) || len(l) > 2048+len(CutMarker) {
					t.Fatalf("the analyzer kept %d bytes of a long line, ending %q", len(l), l[len(l)-30:])
				}
				return
			}
		}
	}
	t.Fatalf("no finding shows the long line: %+v", findings)
}
