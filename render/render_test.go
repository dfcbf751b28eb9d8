package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/destill-dev/destill/analysis"
)

func bigReport(n int) analysis.Report {
	rep := analysis.Report{Schema: analysis.Schema, Source: analysis.Origin{Kind: "file", Path: "build.log"}}
	for i := 0; i < n; i++ {
		long := strings.Repeat("x", 3000)
		rep.Findings = append(rep.Findings, analysis.Finding{
			Rank: i + 1, Confidence: 0.9, Category: "error", JobName: "job | with ``` pipes", LineStart: i + 10, LineEnd: i + 12,
			Message:       fmt.Sprintf("error %d: ```boom``` | %s", i, long),
			Text:          []string{"line one ```", "line two \x1b[31mred\x1b[0m", long},
			ContextBefore: []string{"before"}, ContextAfter: []string{"after"},
			Reasons: []string{"error-word"}, Occurrences: 1, Lines: []int{i + 10},
		})
	}
	rep.Summary.Findings = n
	return rep
}

func TestMarkdownFitsGitHubSummary(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 10, 1000} {
		var buf bytes.Buffer
		if err := Markdown(&buf, bigReport(n), MarkdownOptions{Top: n}); err != nil {
			t.Fatal(err)
		}
		if buf.Len() > GitHubSummaryLimit {
			t.Errorf("%d findings: markdown is %d bytes, over GitHub's %d", n, buf.Len(), GitHubSummaryLimit)
		}
		out := buf.String()
		if strings.Contains(out, "\x1b") {
			t.Errorf("%d findings: markdown holds escape sequences", n)
		}
		if n > 0 && strings.Count(out, "<details")*1 != strings.Count(out, "</details>") {
			t.Errorf("%d findings: unbalanced <details>", n)
		}
		if n == 1000 && !strings.Contains(out, "left out") && !strings.Contains(out, "did not fit") {
			t.Errorf("a report too large to show whole does not say what was left out")
		}
	}
}

func TestMarkdownFencesSurviveBackticks(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := Markdown(&buf, bigReport(1), MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "````text") {
		t.Errorf("a block holding ``` is not fenced with a longer fence:\n%s", buf.String())
	}
}

func TestSanitize(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"plain":                            "plain",
		"\x1b[31mred\x1b[0m":               "[31mred[0m",
		"tab\there":                        "tab\there",
		"bad \xff utf8":                    "bad \uFFFD utf8",
		"bell\x07 and null\x00":            "bell and null",
		"c1 \u0085 control":                "c1  control",
		"csi \u009b2J osc \u009d0;t\u009c": "csi 2J osc 0;t",
		"raw c1 \x9b31m":                   "raw c1 \uFFFD31m",
		"osc 52 \x1b]52;c;eA==\x07":        "osc 52 ]52;c;eA==",
		"bidi \u202eevil\u202c \u2066x\u2069 \u200fmark": "bidi evil x mark",
		"line\u2028sep":     "linesep",
		"tview [red]tag[-]": "tview [red]tag[-]",
	}
	for in, want := range tests {
		if got := Sanitize(in); got != want {
			t.Errorf("Sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTruncate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"hello", 10, "hello"}, {"hello", 5, "hello"}, {"hello", 4, "hel…"}, {"héllo", 3, "hé…"}, {"x", 1, "x"}, {"xy", 1, "…"}, {"abc", 0, "abc"},
	}
	for _, tt := range tests {
		if got := Truncate(tt.in, tt.n); got != tt.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestLineList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lines []int
		n     int
		want  string
	}{
		{nil, 3, ""}, {[]int{7}, 3, "7"}, {[]int{1, 2, 3}, 3, "1, 2, 3"}, {[]int{1, 2, 3, 4, 5}, 2, "1, 2, … (3 more)"},
	}
	for _, tt := range tests {
		if got := LineList(tt.lines, tt.n); got != tt.want {
			t.Errorf("LineList(%v, %d) = %q, want %q", tt.lines, tt.n, got, tt.want)
		}
	}
}

func TestSizeAndAge(t *testing.T) {
	t.Parallel()
	sizes := map[int64]string{0: "0 B", 1023: "1023 B", 1536: "1.5 KB", 9 << 20: "9.0 MB", 3 << 29: "1.5 GB"}
	for n, want := range sizes {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
	ages := map[time.Duration]string{-time.Second: "0s", 45 * time.Second: "45s", 12 * time.Minute: "12m", 47 * time.Hour: "47h", 72 * time.Hour: "3d"}
	for d, want := range ages {
		if got := Age(d); got != want {
			t.Errorf("Age(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestTextWithoutColorHasNoEscapes(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := Text(&buf, bigReport(3), TextOptions{Top: 2}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "\x1b") {
		t.Errorf("text output without colour holds escape sequences")
	}
	if !strings.Contains(buf.String(), "1 more finding(s)") {
		t.Errorf("text output does not say findings were left out")
	}
}

func TestJSONTopAndEmptyArrays(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := JSON(&buf, analysis.Report{Schema: analysis.Schema}, 0); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if _, ok := doc["findings"].([]any); !ok {
		t.Errorf("findings = %v, want an empty array, not null", doc["findings"])
	}
	buf.Reset()
	if err := JSON(&buf, bigReport(5), 2); err != nil {
		t.Fatal(err)
	}
	var rep analysis.Report
	if err := json.Unmarshal(buf.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 2 {
		t.Errorf("--top 2 gave %d findings", len(rep.Findings))
	}
}

// TestJSONInPiecesAsWhole: the report written a finding at a time is the
// report encoded and indented whole, as json.Indent indents it, whatever
// its strings hold (a job named "findings", brackets, quotes, a finding
// list in a message) and however many findings it has.
func TestJSONInPiecesAsWhole(t *testing.T) {
	t.Parallel()
	tricky := bigReport(40)
	tricky.Jobs = []analysis.JobSummary{{ID: "1", Name: `findings`}, {ID: "2", Name: `"findings":[{"x":1}]`}}
	tricky.Notes = []string{`note with "findings":[] and ] and } and \ and <html> & é`}
	tricky.Findings[3].Message = `"findings":[{"rank":1}], {"jobs":[]}`
	tricky.Findings[4].Jobs = []analysis.FindingJob{{JobID: "2", JobName: "findings", Lines: []int{1, 2}}, {JobID: "3"}}
	tests := []struct {
		name string
		rep  analysis.Report
		top  int
	}{
		{"empty", analysis.Report{Schema: analysis.Schema}, 0},
		{"one", bigReport(1), 0},
		{"tricky", tricky, 0},
		{"tricky, top 7", tricky, 7},
		{"many", bigReport(643), 0},
		{"many, top some", bigReport(643), 385},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got bytes.Buffer
			if err := JSON(&got, tt.rep, tt.top); err != nil {
				t.Fatal(err)
			}
			rep := Top(tt.rep, tt.top)
			if rep.Findings == nil {
				rep.Findings = []analysis.Finding{}
			}
			if rep.Jobs == nil {
				rep.Jobs = []analysis.JobSummary{}
			}
			var compact bytes.Buffer
			enc := json.NewEncoder(&compact)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(rep); err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			if err := json.Indent(&want, compact.Bytes(), "", "  "); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Fatalf("JSON wrote\n%.2000s\nwant\n%.2000s", got.Bytes(), want.Bytes())
			}
		})
	}
}

// TestJSONFindingErrors: a finding that cannot be encoded, anywhere in a
// report, and a writer that fails, at any write, end JSON with the error.
func TestJSONFindingErrors(t *testing.T) {
	t.Parallel()
	for _, n := range []int{10, 256} {
		counted := &failingWriter{after: -1}
		if err := JSON(counted, bigReport(n), 0); err != nil {
			t.Fatal(err)
		}
		writes := -1 - counted.after
		at := []int{0, 1, n - 1}
		for i := n / 3; i < n && i < n/3+128; i += 3 {
			at = append(at, i)
		}
		for _, at := range at {
			rep := bigReport(n)
			rep.Findings[at].Confidence = math.NaN()
			err := JSON(io.Discard, rep, 0)
			if err == nil || !strings.Contains(err.Error(), "confidence") {
				t.Errorf("%d findings, NaN confidence in finding %d: error %v, want one about the confidence", n, at, err)
			}
		}
		for _, after := range []int{0, 1, writes - 1} {
			w := &failingWriter{after: after}
			if err := JSON(w, bigReport(n), 0); !errors.Is(err, errWrite) {
				t.Errorf("%d findings, writer failing after %d writes: error %v, want %v", n, after, err, errWrite)
			}
		}
	}
}

// TestJSONMemoryBounded: however large its findings (one of a build of
// thousands of jobs lists them all), a report is written through a few of
// them at a time: rendering it whole, or in runs of a fixed number of
// findings, held tens of MB at the end of a run, when its memory peaks.
func TestJSONMemoryBounded(t *testing.T) {
	rep := bigReport(256)
	huge := strings.Repeat("y", 200<<10)
	for i := range rep.Findings {
		rep.Findings[i].Text = append(rep.Findings[i].Text, huge)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if err := JSON(io.Discard, rep, 0); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > 8<<20 {
		t.Errorf("writing %d findings of 200 KB allocated %d MB, want at most 8", len(rep.Findings), got>>20)
	}
}

var errWrite = errors.New("disk full")

// failingWriter fails every write after the first after (never when
// after is negative: it then counts down the writes).
type failingWriter struct{ after int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.after == 0 {
		return 0, errWrite
	}
	w.after--
	return len(p), nil
}

// TestTopLevelKey: the key is found only among the object's own keys.
func TestTopLevelKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src  string
		want int
	}{
		{`{"findings":[]}`, len(`{"findings":`)},
		{`{"a":{"findings":1},"findings":[]}`, len(`{"a":{"findings":1},"findings":`)},
		{`{"a":"\"findings\":","findings":[]}`, len(`{"a":"\"findings\":","findings":`)},
		{`{"a":["findings"],"b":"findings"}`, -1},
		{`{}`, -1},
	}
	for _, tt := range tests {
		if got := topLevelKey([]byte(tt.src), "findings"); got != tt.want {
			t.Errorf("topLevelKey(%s) = %d, want %d", tt.src, got, tt.want)
		}
	}
}
