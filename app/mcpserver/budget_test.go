package mcpserver

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/require"
)

// briefs is an analyze_build answer with n findings of textLines lines,
// each with 3 lines of context either side, every line width bytes long.
func briefs(n, textLines, width int) AnalyzeBuildOutput {
	line := func(i int) string { return fmt.Sprintf("%04d ", i) + strings.Repeat("e", width-5) }
	out := AnalyzeBuildOutput{RequestID: "r-1", Status: statusFailed, FailedJobs: []JobBrief{}, Findings: []FindingBrief{}}
	for i := range n {
		f := FindingBrief{Rank: i + 1, Fingerprint: fmt.Sprintf("%016x", i), Confidence: 0.9, Category: "error", Reasons: []string{"error-line"},
			JobID: "1", JobName: "unit", LineStart: 100 * (i + 1), Message: line(i), Occurrences: 1, JobsAffected: 1}
		for j := range textLines {
			f.Text = append(f.Text, line(j))
		}
		f.LineEnd = f.LineStart + textLines - 1
		for j := range 3 {
			f.ContextBefore = append(f.ContextBefore, line(j))
			f.ContextAfter = append(f.ContextAfter, line(j))
		}
		out.Findings = append(out.Findings, f)
	}
	out.Summary.Findings = n
	return out
}

// contextOnlyOnTop is the size of out once the findings below the top one
// have lost their context: the budget at which all still fit.
func contextOnlyOnTop(out AnalyzeBuildOutput) int {
	for i := 1; i < len(out.Findings); i++ {
		out.Findings[i].ContextBefore, out.Findings[i].ContextAfter = []string{}, []string{}
	}
	out.Notes = append(out.Notes, trimNote)
	return outputTokens(&out, renderAnalyze(&out))
}

func TestFitBudget(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name           string
		out            AnalyzeBuildOutput
		maxTokens      int
		wantFindings   int  // -1: don't check
		wantOverBudget bool // only the top finding at its smallest does not fit
		wantTopContext int
		wantTopLines   int
	}{
		{"fits untouched", briefs(3, 1, 80), 4000, 3, false, 3, 1},
		{"lower findings lose context first", briefs(10, 1, 100), contextOnlyOnTop(briefs(10, 1, 100)), 10, false, 3, 1},
		{"then lower findings go", briefs(10, 1, 100), 1000, -1, false, 3, 1},
		{"the top finding shrinks last", briefs(10, 3, 300), 1000, 1, false, 0, 3},
		{"a huge top finding is kept, shortened", briefs(5, 40, 300), 500, 1, true, 0, trimmedText},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := tc.out
			total := len(out.Findings)
			text := fitBudget(&out, tc.maxTokens)
			tokens := outputTokens(&out, text)
			if tc.wantOverBudget {
				require.Greater(t, tokens, tc.maxTokens)
			} else {
				require.LessOrEqual(t, tokens, tc.maxTokens)
			}
			require.NotEmpty(t, out.Findings, "the top finding is never dropped")
			require.Equal(t, 1, out.Findings[0].Rank)
			require.Equal(t, total, len(out.Findings)+out.FindingsOmitted)
			if tc.wantFindings >= 0 {
				require.Len(t, out.Findings, tc.wantFindings)
			}
			require.Len(t, out.Findings[0].ContextBefore, tc.wantTopContext)
			require.Len(t, out.Findings[0].Text, tc.wantTopLines)
			for i, f := range out.Findings[1:] {
				require.LessOrEqual(t, len(f.ContextBefore), len(out.Findings[0].ContextBefore), "finding %d kept more context than the top one", i+2)
			}
			trimmed := strings.Contains(strings.Join(out.Notes, " "), trimNote)
			require.Equal(t, tc.name != "fits untouched", trimmed)
			require.Contains(t, text, "#1 ")
		})
	}
}

func TestFitBudgetKeepsMoreWithMoreTokens(t *testing.T) {
	t.Parallel()
	prev := 0
	for _, budget := range []int{1000, 2000, 4000, 8000, 16000} {
		out := briefs(20, 2, 120)
		text := fitBudget(&out, budget)
		require.LessOrEqual(t, outputTokens(&out, text), budget)
		require.GreaterOrEqual(t, len(out.Findings), prev, "budget %d", budget)
		prev = len(out.Findings)
	}
	require.Equal(t, 20, prev)
}

// TestAnalyzeBuildStaysWithinMaxTokens measures a real result on the
// client's side: structured content plus text.
func TestAnalyzeBuildStaysWithinMaxTokens(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for i := range 400 {
		fmt.Fprintf(&b, "step %d: compiling module %d\n", i, i)
		if i%10 == 0 {
			w := letters(i)
			fmt.Fprintf(&b, "ERROR: %s/file.go:%d: undefined: %sValue in %s %s\n", w, i, w, w, strings.Repeat("detail "+w+" ", 12))
		}
	}
	b.WriteString("Process completed with exit code 2.\n")
	path := filepath.Join(t.TempDir(), "big.log")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o600))

	bundle := setup(t)
	for _, budget := range []int{minMaxTokens, 2000, 4000} {
		res, err := bundle.session.CallTool(context.Background(), &mcp.CallToolParams{Name: "analyze_build",
			Arguments: map[string]any{"path": path, "top": 50, "max_tokens": budget}})
		require.NoError(t, err)
		require.False(t, res.IsError, resultText(res))
		raw, err := json.Marshal(res.StructuredContent)
		require.NoError(t, err)
		tokens := estimateTokens(len(raw) + len(resultText(res)))
		require.LessOrEqual(t, tokens, budget)
		var out AnalyzeBuildOutput
		require.NoError(t, json.Unmarshal(raw, &out))
		require.Equal(t, 1, out.Findings[0].Rank)
		require.Equal(t, out.Summary.Findings, len(out.Findings)+out.FindingsOmitted)
		t.Logf("max_tokens %d: %d tokens, %d findings shown of %d", budget, tokens, len(out.Findings), out.Summary.Findings)
	}
}

// letters names i with letters only, so numbers normalized away by
// fingerprinting do not merge the findings.
func letters(i int) string {
	s := ""
	for i++; i > 0; i /= 26 {
		s = string(rune('a'+i%26)) + s
	}
	return s + "pkg"
}
