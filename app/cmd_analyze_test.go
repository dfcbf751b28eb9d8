package app

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/analysis/analysistest"
)

var update = flag.Bool("update", false, "rewrite testdata/golden files")

const sampleLog = "../examples/logs/github-actions-go-test.log"

// runMain runs destill with args and returns exit code, stdout and stderr.
func runMain(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	streams, out, errOut := TestStreams(stdin)
	code := Main(context.Background(), append([]string{"destill"}, args...), streams)
	return code, out.String(), errOut.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./app -run TestAnalyzeOutputGolden -update")
	require.Equal(t, string(want), got, "output differs from %s (refresh with -update after a deliberate change)", path)
}

func TestAnalyzeOutputGolden(t *testing.T) {
	tests := []struct {
		golden string
		args   []string
	}{
		{"analyze-text.golden", []string{"analyze", "--format", "text", sampleLog}},
		{"analyze-json.golden", []string{"analyze", "--json", sampleLog}},
		{"analyze-markdown.golden", []string{"analyze", "--format", "markdown", sampleLog}},
		{"analyze-top1-context1.golden", []string{"analyze", "--top", "1", "--context", "1,0", sampleLog}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			code, out, errOut := runMain(t, "", tt.args...)
			require.Equal(t, 0, code, errOut)
			require.Empty(t, errOut)
			golden(t, tt.golden, out)
		})
	}
}

func TestAnalyzeJSONContract(t *testing.T) {
	code, out, _ := runMain(t, "", "analyze", "--format", "json", sampleLog)
	require.Equal(t, 0, code)
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.Equal(t, analysis.Schema, doc["schema"])
	for _, k := range []string{"source", "jobs", "findings", "summary", "tool"} {
		require.Contains(t, doc, k)
	}
	job := doc["jobs"].([]any)[0].(map[string]any)
	for _, k := range []string{"id", "name", "state", "exit_status", "log_lines"} {
		require.Contains(t, job, k)
	}
	findings := doc["findings"].([]any)
	require.NotEmpty(t, findings)
	for _, raw := range findings {
		f := raw.(map[string]any)
		for _, k := range []string{"rank", "fingerprint", "confidence", "severity", "category", "reasons", "job_id", "job_name",
			"line_start", "line_end", "message", "context_before", "context_after", "occurrences", "lines"} {
			require.Contains(t, f, k, "finding lacks %q", k)
		}
	}
	first := findings[0].(map[string]any)
	require.EqualValues(t, 1, first["rank"])
	require.EqualValues(t, 75, first["line_start"])
	require.EqualValues(t, 78, first["line_end"])
}

func TestAnalyzeInputs(t *testing.T) {
	data, err := os.ReadFile(sampleLog)
	require.NoError(t, err)

	t.Run("stdin", func(t *testing.T) {
		code, out, errOut := runMain(t, string(data), "analyze", "--json", "-")
		require.Equal(t, 0, code, errOut)
		var rep analysis.Report
		require.NoError(t, json.Unmarshal([]byte(out), &rep))
		require.Equal(t, "stdin", rep.Source.Kind)
		require.Equal(t, 75, rep.Findings[0].LineStart)
	})
	t.Run("gzip file", func(t *testing.T) {
		code, out, errOut := runMain(t, "", "analyze", "--json", "../examples/logs/jenkins-maven.log.gz")
		require.Equal(t, 0, code, errOut)
		var rep analysis.Report
		require.NoError(t, json.Unmarshal([]byte(out), &rep))
		require.Contains(t, rep.Findings[0].Message, "cannot find symbol")
	})
	t.Run("empty input", func(t *testing.T) {
		code, out, errOut := runMain(t, "", "analyze", "--format", "text", "-")
		require.Equal(t, 0, code, errOut)
		require.Contains(t, out, "no failure found")
	})
}

// TestAnalyzeNotesWhatCapsLeftOut: a log with more distinct error messages
// than a job keeps says, in every format, how many lines were left out.
func TestAnalyzeNotesWhatCapsLeftOut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "import.log")
	require.NoError(t, os.WriteFile(path, analysistest.DistinctErrorsLog(4100), 0o644))
	// 100 messages over the cap, twice each, and the failed command's last
	// output before the verdict (the flood's last lines).
	const want = "201 error-like line(s) not kept as findings: only the first 4,000 distinct error messages"

	code, out, errOut := runMain(t, "", "analyze", "--json", path)
	require.Equal(t, 0, code, errOut)
	var rep analysis.Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	require.Len(t, rep.Notes, 1)
	require.Contains(t, rep.Notes[0], `job "import.log": `+want)

	for _, format := range []string{"text", "markdown"} {
		code, out, errOut = runMain(t, "", "analyze", "--format", format, path)
		require.Equal(t, 0, code, errOut)
		require.Contains(t, out, want, format)
	}
}

func TestAnalyzeErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name     string
		args     []string
		code     int
		contains string
	}{
		{"no argument", []string{"analyze"}, exitUsage, "analyze needs a build URL"},
		{"two arguments", []string{"analyze", "a", "b"}, exitUsage, "takes one build URL or log file"},
		{"missing file", []string{"analyze", filepath.Join(dir, "nope.log")}, exitFailure, "does not exist; check the path"},
		{"directory", []string{"analyze", dir}, exitFailure, "is a directory"},
		{"bad format", []string{"analyze", "--format", "xml", sampleLog}, exitUsage, `unknown --format "xml"`},
		{"json and format", []string{"analyze", "--json", "--format", "text", sampleLog}, exitUsage, "contradict"},
		{"bad context", []string{"analyze", "--context", "a,b", sampleLog}, exitUsage, "--context takes numbers"},
		{"negative top", []string{"analyze", "--top", "-1", sampleLog}, exitUsage, "--top must be"},
		{"unknown flag", []string{"analyze", "--frobnicate", sampleLog}, exitUsage, "frobnicate"},
		{"unknown command", []string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{"not a build URL", []string{"analyze", "https://example.com/not/a/build"}, exitUsage, "not a build URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runMain(t, "", tt.args...)
			require.Equal(t, tt.code, code, "stdout %q stderr %q", out, errOut)
			require.Contains(t, errOut, tt.contains)
			first := strings.SplitN(errOut, "\n", 2)[0]
			require.True(t, strings.HasPrefix(first, "destill: "), "error line %q", first)
			require.NotContains(t, errOut, "goroutine", "a stack trace was printed")
		})
	}
}

func TestAnalyzeUnreadableFile(t *testing.T) {
	if os.Geteuid() == 0 {
		// root reads any file; make the file unreadable some other way.
		dir := t.TempDir()
		path := filepath.Join(dir, "log")
		require.NoError(t, os.Symlink(filepath.Join(dir, "missing"), path))
		code, _, errOut := runMain(t, "", "analyze", path)
		require.Equal(t, exitFailure, code)
		require.Contains(t, errOut, "does not exist")
		return
	}
	path := filepath.Join(t.TempDir(), "secret.log")
	require.NoError(t, os.WriteFile(path, []byte("x\n"), 0o000))
	code, _, errOut := runMain(t, "", "analyze", path)
	require.Equal(t, exitFailure, code)
	require.Contains(t, errOut, "not readable")
}

func TestNoColorAndNonTerminal(t *testing.T) {
	streams, out, _ := TestStreams("")
	streams.StdoutTTY = true
	streams.Getenv = func(k string) string {
		if k == "NO_COLOR" {
			return "1"
		}
		return ""
	}
	code := Main(context.Background(), []string{"destill", "analyze", "--format", "text", sampleLog}, streams)
	require.Equal(t, 0, code)
	require.NotContains(t, out.String(), "\x1b[", "NO_COLOR output holds escape sequences")

	streams, out, _ = TestStreams("")
	streams.StdoutTTY = true
	streams.Getenv = func(string) string { return "" }
	code = Main(context.Background(), []string{"destill", "analyze", "--format", "text", sampleLog}, streams)
	require.Equal(t, 0, code)
	require.Contains(t, out.String(), "\x1b[", "a terminal without NO_COLOR gets colour")
}

func TestVersion(t *testing.T) {
	code, out, _ := runMain(t, "", "--version")
	require.Equal(t, 0, code)
	require.Contains(t, out, Version)
}

// TestAnalyzeTextWrapsOnATerminal: text on a terminal wraps at its width,
// log lines under the line-number gutter; to a pipe nothing wraps (see
// TestAnalyzeOutputGolden).
func TestAnalyzeTextWrapsOnATerminal(t *testing.T) {
	streams, out, errOut := TestStreams("")
	streams.StdoutTTY = true
	streams.OutWidth = func() int { return 64 }
	code := Main(context.Background(), []string{"destill", "analyze", "--format", "text", "--no-color", "--top", "2", sampleLog}, streams)
	require.Equal(t, 0, code, errOut.String())
	for _, l := range strings.Split(out.String(), "\n") {
		require.LessOrEqual(t, len([]rune(l)), 64, "a line wider than the terminal: %q", l)
	}
	golden(t, "analyze-text-width64.golden", out.String())
}
