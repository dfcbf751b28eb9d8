package analysis

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/destill-dev/destill/analysis/analysistest"
)

func baselineOf(logs ...string) *Baseline {
	bb := NewBaselineBuilder()
	for _, l := range logs {
		bb.Write([]byte(l))
		bb.Flush()
	}
	return bb.Baseline()
}

func TestTemplateMasking(t *testing.T) {
	t.Parallel()
	tests := []struct{ a, b string }{
		{"Tests run: 12, Failures: 0, Time elapsed: 1.234 s", "Tests run: 40, Failures: 0, Time elapsed: 0.002 s"},
		{"error at 2026-03-04T09:24:20Z in worker-7", "error at 2025-12-31T23:59:59Z in worker-12"},
		{"cache miss for 3f9c2d1e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e", "cache miss for 0a1b2c3d4e5f60718293a4b5c6d7e8f901234567"},
		{"request 550e8400-e29b-41d4-a716-446655440000 failed", "request 6ba7b810-9dad-11d1-80b4-00c04fd430c8 failed"},
		{"cannot write /tmp/go-build123/b001/x.o", "cannot write /tmp/go-build987/b014/x.o"},
		{"warning:   spaced    out", "warning: spaced out"},
	}
	for _, tt := range tests {
		ta := string(appendTemplate(nil, []byte(tt.a)))
		tb := string(appendTemplate(nil, []byte(tt.b)))
		if ta != tb {
			t.Errorf("templates differ:\n%q -> %q\n%q -> %q", tt.a, ta, tt.b, tb)
		}
	}
	if a, b := string(appendTemplate(nil, []byte("error: disk full"))), string(appendTemplate(nil, []byte("error: disk empty"))); a == b {
		t.Errorf("different words share the template %q", a)
	}
}

func TestNovelty(t *testing.T) {
	t.Parallel()
	b := baselineOf("ok  pkg/a 0.1s\n" +
		"bash: line 97: bc: command not found\n" +
		"WARNING: An illegal reflective access operation has occurred in module com.acme.loader\n" +
		"error: retrying connection to cache 10.0.0.7 (attempt 1/3)\n")
	tests := []struct {
		line string
		min  float64
		max  float64
	}{
		{"bash: line 97: bc: command not found", 0, 0},
		{"bash: line 12: bc: command not found", 0, 0},                                                        // numbers masked
		{"error: retrying connection to cache 10.0.0.9 (attempt 2/3)", 0, 0},                                  // ids masked
		{"WARNING: An illegal reflective access operation has occurred in module com.acme.parser", 0.01, 0.5}, // a near-duplicate
		{"FATAL: could not checkout 779ff9c0c30a8e6e745844ba2c84ef74054f6f7a", 1, 1},                          // new
		{"ERROR: no tag class, spoon has failed", 1, 1},
	}
	for _, tt := range tests {
		if got := b.Novelty(tt.line); got < tt.min || got > tt.max {
			t.Errorf("Novelty(%q) = %.2f, want within [%.2f, %.2f]", tt.line, got, tt.min, tt.max)
		}
	}
}

// TestBaselineReranks: an error that also happens in a passing run of the
// job ranks below one that is new, and the reasons say so.
func TestBaselineReranks(t *testing.T) {
	t.Parallel()
	failing := "step one\n" +
		"bash: line 97: bc: command not found\n" +
		"step two\n" +
		"ERROR: no tag class, spoon has failed\n" +
		"Build step 'Execute shell' marked build as failure\n"
	passing := "step one\nbash: line 97: bc: command not found\nstep two\nall good\n"

	without := analyzeString(t, failing, Options{})
	if !strings.Contains(without[0].Message, "bc: command not found") {
		t.Fatalf("test premise: without a baseline the first error ranks first, got %q", without[0].Message)
	}

	a := NewAnalyzer(Options{})
	a.Write([]byte(failing))
	res := a.Result()
	res.Job = JobSummary{ID: "j", Name: "j", Failed: true}
	res.Baseline = baselineOf(passing)
	with := Rank([]JobResult{res})
	if !strings.Contains(with[0].Message, "no tag class") {
		t.Fatalf("with a baseline the top finding is %q, want the new error", with[0].Message)
	}
	reasons := map[string][]string{}
	for _, f := range with {
		reasons[f.Message] = f.Reasons
	}
	if r := reasons["bash: line 97: bc: command not found"]; !slices.Contains(r, "also-in-baseline") {
		t.Errorf("known error reasons = %v, want also-in-baseline", r)
	}
	if r := reasons["ERROR: no tag class, spoon has failed"]; !slices.Contains(r, "new-vs-baseline") {
		t.Errorf("new error reasons = %v, want new-vs-baseline", r)
	}
}

// TestRankWithoutBaselineUnchanged: a nil baseline changes nothing.
func TestRankWithoutBaselineUnchanged(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"go-panic.log", "maven-compile-error.log", "jest-failure.log"} {
		a := analyzeTestLog(t, name)
		b := analyzeTestLog(t, name)
		if len(a) != len(b) || a[0].Fingerprint != b[0].Fingerprint || a[0].Confidence != b[0].Confidence {
			t.Errorf("%s: ranking is not deterministic", name)
		}
		for _, f := range a {
			for _, r := range f.Reasons {
				if r == "new-vs-baseline" || r == "also-in-baseline" {
					t.Errorf("%s: reason %q without a baseline", name, r)
				}
			}
		}
	}
}

// TestFirstFailureAcrossJobs: of two failed jobs, the one that failed first
// holds the first failure; a job that started after it is a cascade.
func TestFirstFailureAcrossJobs(t *testing.T) {
	t.Parallel()
	build := func(id, log, started, finished string) JobResult {
		a := NewAnalyzer(Options{})
		a.Write([]byte(log))
		r := a.Result()
		r.Job = JobSummary{ID: id, Name: id, Failed: true, StartedAt: started, FinishedAt: finished}
		return r
	}
	deploy := build("deploy", "fetching artifact\nerror: artifact app.tar.gz not found\n", "2026-03-04T10:05:00Z", "2026-03-04T10:06:00Z")
	compile := build("compile", "building\nsrc/main.c:3:10: fatal error: zlib.h: No such file or directory\n", "2026-03-04T10:00:00Z", "2026-03-04T10:02:00Z")
	findings := Rank([]JobResult{deploy, compile})
	if findings[0].JobID != "compile" || !slices.Contains(findings[0].Reasons, "first-failure") {
		t.Fatalf("top finding is %q in %s with %v, want the compile error marked first-failure", findings[0].Message, findings[0].JobID, findings[0].Reasons)
	}
	for _, f := range findings {
		if f.JobID == "deploy" && f.Confidence > 0.3 && !slices.Contains(f.Reasons, "after-first-failure") {
			t.Errorf("deploy finding %q reasons %v, want after-first-failure", f.Message, f.Reasons)
		}
	}
}

func TestBaselineRoundTrip(t *testing.T) {
	t.Parallel()
	b := baselineOf("bash: line 97: bc: command not found\n" +
		"WARNING: An illegal reflective access operation has occurred in module com.acme.loader\n" +
		"error: retrying connection to cache 10.0.0.7 (attempt 1/3)\n")
	b.Name = "build 41 of acme/api"
	data, err := b.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	got, err := UnmarshalBaseline(data)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != b.Name || got.Templates() != b.Templates() || got.lines != b.lines {
		t.Fatalf("round trip: name %q templates %d lines %d, want %q %d %d", got.Name, got.Templates(), got.lines, b.Name, b.Templates(), b.lines)
	}
	for _, line := range []string{
		"bash: line 12: bc: command not found",
		"WARNING: An illegal reflective access operation has occurred in module com.acme.parser",
		"FATAL: something new entirely happened here",
	} {
		if g, w := got.Novelty(line), b.Novelty(line); g != w {
			t.Errorf("Novelty(%q) = %.2f after a round trip, %.2f before", line, g, w)
		}
	}
	for _, bad := range [][]byte{nil, {9}, data[:len(data)-3], append(append([]byte{}, data...), 0)} {
		if _, err := UnmarshalBaseline(bad); err == nil {
			t.Errorf("UnmarshalBaseline(%d bytes of damaged data) did not fail", len(bad))
		}
	}
}

func FuzzUnmarshalBaseline(f *testing.F) {
	data, _ := baselineOf("error: a b c\nfatal: d e f g\n").MarshalBinary()
	f.Add(data)
	f.Add([]byte{1, 0, 0, 255, 255, 255, 255, 15})
	f.Fuzz(func(t *testing.T, data []byte) {
		if b, err := UnmarshalBaseline(data); err == nil {
			b.Novelty("error: a b c")
		}
	})
}

// TestWorthTemplating checks the baseline's prefilter against the plain
// statement of the analyzer's: a trigger word or leadTrigger.
func TestWorthTemplating(t *testing.T) {
	t.Parallel()
	var lines [][]byte
	paths, err := filepath.Glob("testdata/logs/*.log")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no test logs: %v", err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, bytes.Split(data, []byte("\n"))...)
	}
	var gen bytes.Buffer
	if err := analysistest.WriteRealisticLog(&gen, 1<<20, 3); err != nil {
		t.Fatal(err)
	}
	lines = append(lines, bytes.Split(gen.Bytes(), []byte("\n"))...)
	for _, s := range []string{"main.go:12:3: undefined: x", "  main.go:12:3: indented", "x.GO:1: upper",
		"E   assert 1 == 2", "go: example.com/m@v1: missing", "1) spec", "● test", "e: file.kt:1:1 boom", "", "x"} {
		lines = append(lines, []byte(s))
	}
	var c cleaner
	for _, raw := range lines {
		text, _ := c.clean(raw)
		trim, indent := leadingSpace(text)
		want := triggerSet().contains(text) || diagnosticMark(triggerSet().scan(text), indent, trim) || leadTrigger(trim, indent)
		if got := worthTemplating(text, trim, indent); got != want {
			t.Errorf("worthTemplating(%q) = %v, want %v", text, got, want)
		}
	}
}

// TestBuilderSkipsOnlyRepeats checks that skipping lines of a shape seen
// before builds the same model as templating every line.
func TestBuilderSkipsOnlyRepeats(t *testing.T) {
	t.Parallel()
	var log bytes.Buffer
	if err := analysistest.WriteRealisticLog(&log, 4<<20, 5); err != nil {
		t.Fatal(err)
	}
	paths, _ := filepath.Glob("testdata/logs/*.log")
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		log.Write(data)
	}
	bb := NewBaselineBuilder()
	bb.Write(log.Bytes())
	got := bb.Baseline()

	want := &Baseline{templates: map[uint64]struct{}{}, bands: map[uint64][]int32{}}
	var c cleaner
	for _, raw := range bytes.Split(log.Bytes(), []byte("\n")) {
		text, _ := c.clean(raw)
		trim, indent := leadingSpace(text)
		if worthTemplating(text, trim, indent) {
			want.add(appendTemplate(nil, trim))
		}
	}
	if len(got.templates) != len(want.templates) || !slices.Equal(got.sigs, want.sigs) {
		t.Fatalf("builder: %d templates, %d signatures; templating every line: %d, %d",
			len(got.templates), len(got.sigs), len(want.templates), len(want.sigs))
	}
	for h := range want.templates {
		if _, ok := got.templates[h]; !ok {
			t.Fatalf("template %x missing", h)
		}
	}
}
