package mcpserver

import (
	"encoding/json"
	"fmt"

	"github.com/destill-dev/destill/render"
)

// estimateTokens estimates the tokens an assistant spends reading n bytes
// of output: about one token per 4 bytes of English and log text.
func estimateTokens(n int) int { return (n + 3) / 4 }

// outputTokens estimates the tokens of a result: its structured content
// and its text rendering both go to the client.
func outputTokens(out any, text string) int {
	b, _ := json.Marshal(out)
	return estimateTokens(len(b) + len(text))
}

// Line caps of analyze_build's findings, in runes.
const (
	lineCap      = 300 // any line shown
	shortLineCap = 160 // lines of findings being trimmed to fit
	trimmedText  = 8   // lines kept of the top finding at its smallest
	noteCap      = 200
)

const trimNote = "trimmed to fit max_tokens; get_finding shows any finding in full"

// fitBudget trims out until it and its text rendering fit in maxTokens,
// and returns the rendering. It shortens context first, lower-ranked
// findings before higher ones, then leaves out findings from the bottom,
// and only then shortens the top finding, which it never drops.
func fitBudget(out *AnalyzeBuildOutput, maxTokens int) string {
	if maxTokens <= 0 {
		maxTokens = defaultMaxTokens
	}
	for i := range out.Findings {
		capFinding(&out.Findings[i], lineCap)
	}
	fits := func() (string, bool) {
		text := renderAnalyze(out)
		return text, outputTokens(out, text) <= maxTokens
	}
	if text, ok := fits(); ok {
		return text
	}
	out.Notes = append(out.Notes, trimNote)
	for _, step := range trimSteps(out) {
		for step() {
			if text, ok := fits(); ok {
				return text
			}
		}
	}
	text, _ := fits()
	return text
}

// trimSteps are the ways to shrink out, smallest loss first. Each call of
// a step makes one cut and reports whether it cut anything.
func trimSteps(out *AnalyzeBuildOutput) []func() bool {
	// contextTo cuts the context of the lowest-ranked finding (rank > 1)
	// that has more than n lines on either side.
	contextTo := func(n int, top bool) func() bool {
		return func() bool {
			for i := len(out.Findings) - 1; i >= 0; i-- {
				if i == 0 && !top {
					break
				}
				f := &out.Findings[i]
				if len(f.ContextBefore) > n || len(f.ContextAfter) > n {
					f.ContextBefore = f.ContextBefore[max(0, len(f.ContextBefore)-n):]
					f.ContextAfter = f.ContextAfter[:min(n, len(f.ContextAfter))]
					return true
				}
			}
			return false
		}
	}
	once := func(cut func() bool) func() bool {
		done := false
		return func() bool {
			if done {
				return false
			}
			done = true
			return cut()
		}
	}
	return []func() bool{
		contextTo(1, false),
		contextTo(0, false),
		once(func() bool {
			cut := false
			for i := 1; i < len(out.Findings); i++ {
				cut = capFinding(&out.Findings[i], shortLineCap) || cut
			}
			return cut
		}),
		func() bool { // leave out findings from the bottom, never the top one
			if len(out.Findings) <= 1 {
				return false
			}
			out.Findings = out.Findings[:len(out.Findings)-1]
			out.FindingsOmitted++
			return true
		},
		func() bool { // keep the first failed jobs
			if len(out.FailedJobs) <= 3 {
				return false
			}
			n := len(out.FailedJobs) - 3
			out.FailedJobs = out.FailedJobs[:3]
			out.Notes = append(out.Notes, fmt.Sprintf("%d more failed job(s) left out to fit max_tokens; list_jobs lists them", n))
			return true
		},
		contextTo(1, true),
		contextTo(0, true),
		once(func() bool {
			if len(out.Findings) == 0 {
				return false
			}
			f := &out.Findings[0]
			cut := capFinding(f, shortLineCap)
			if len(f.Text) > trimmedText {
				more := len(f.Text) - trimmedText + 1
				f.Text = append(f.Text[:trimmedText-1:trimmedText-1], fmt.Sprintf("… (%d more lines; get_finding shows them)", more))
				cut = true
			}
			return cut
		}),
		once(func() bool {
			cut := false
			for i, n := range out.Notes {
				if s := render.Truncate(n, noteCap); s != n {
					out.Notes[i], cut = s, true
				}
			}
			return cut
		}),
	}
}

// capFinding shortens every line of f to at most n runes and reports
// whether it changed anything.
func capFinding(f *FindingBrief, n int) bool {
	cut := false
	for _, lines := range [][]string{f.Text, f.ContextBefore, f.ContextAfter} {
		for i, l := range lines {
			if s := render.Truncate(l, n); s != l {
				lines[i], cut = s, true
			}
		}
	}
	if s := render.Truncate(f.Message, n); s != f.Message {
		f.Message, cut = s, true
	}
	return cut
}
