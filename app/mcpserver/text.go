package mcpserver

import (
	"fmt"
	"strings"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/render"
)

// maxFailedJobsShown caps the failed jobs named in analyze_build's text.
const maxFailedJobsShown = 5

// renderAnalyze is analyze_build's compact text rendering.
func renderAnalyze(out *AnalyzeBuildOutput) string {
	var b strings.Builder
	src := render.Sanitize(sourceName(out.Source))
	fmt.Fprintf(&b, "Build %s: %s (request_id %s)\n", out.Status, src, out.RequestID)
	if bi := out.Source.Build; bi != nil {
		var parts []string
		if bi.Pipeline != "" {
			parts = append(parts, bi.Pipeline)
		}
		if bi.Number != 0 {
			parts = append(parts, fmt.Sprintf("#%d", bi.Number))
		}
		if bi.Branch != "" {
			parts = append(parts, "branch "+bi.Branch)
		}
		if bi.Commit != "" {
			parts = append(parts, "commit "+short(bi.Commit, 12))
		}
		parts = append(parts, "state "+bi.State)
		fmt.Fprintf(&b, "%s\n", render.Sanitize(strings.Join(parts, ", ")))
	}
	sm := out.Summary
	fmt.Fprintf(&b, "jobs: %d total, %d failed, %d analyzed; %d finding(s)", sm.JobsTotal, sm.JobsFailed, sm.JobsAnalyzed, sm.Findings)
	if len(out.Findings) < sm.Findings {
		fmt.Fprintf(&b, ", top %d shown", len(out.Findings))
	}
	b.WriteString("\n")
	if out.Baseline != nil {
		fmt.Fprintf(&b, "baseline: %s\n", render.Sanitize(render.BaselineText(out.Baseline)))
	}
	if len(out.FailedJobs) > 0 {
		var parts []string
		for i, j := range out.FailedJobs {
			if i == maxFailedJobsShown && len(out.FailedJobs) > maxFailedJobsShown+1 {
				parts = append(parts, fmt.Sprintf("… %d more (failed_jobs lists them all)", len(out.FailedJobs)-i))
				break
			}
			s := fmt.Sprintf("%q %s", j.Name, j.State)
			if j.ExitStatus != nil {
				s += fmt.Sprintf(" (exit %d)", *j.ExitStatus)
			}
			if !j.Analyzed {
				s += " [log not analyzed"
				if j.Error != "" {
					s += ": " + j.Error
				}
				s += "]"
			}
			parts = append(parts, s)
		}
		fmt.Fprintf(&b, "failed jobs: %s\n", render.Sanitize(strings.Join(parts, "; ")))
	}
	switch {
	case out.Status == statusPassed:
		b.WriteString("\nNo job failed: there is nothing to explain.\n")
	case len(out.Findings) == 0:
		b.WriteString("\nNo line of the analyzed logs looks like the cause. Read the end of a failed job's log with read_log (from_line -60), or look for words with search_log.\n")
	}
	for i := range out.Findings {
		writeFinding(&b, &out.Findings[i])
	}
	if out.FindingsOmitted > 0 {
		fmt.Fprintf(&b, "\n%d more finding(s) not shown.", out.FindingsOmitted)
	}
	if len(out.Findings) > 0 || out.FindingsOmitted > 0 {
		fmt.Fprintf(&b, "\nNext: get_finding {request_id: %q, fingerprint} for more context and every occurrence; search_log and read_log to read the logs; list_jobs for all jobs.\n", out.RequestID)
	}
	for _, n := range out.Notes {
		fmt.Fprintf(&b, "note: %s\n", render.Sanitize(n))
	}
	return b.String()
}

func writeFinding(b *strings.Builder, f *FindingBrief) {
	where := fmt.Sprintf("line %d", f.LineStart)
	if f.LineEnd > f.LineStart {
		where = fmt.Sprintf("lines %d-%d", f.LineStart, f.LineEnd)
	}
	fmt.Fprintf(b, "\n#%d %.2f %s · job %q %s · fingerprint %s\n", f.Rank, f.Confidence, f.Category, render.Sanitize(f.JobName), where, f.Fingerprint)
	if len(f.Reasons) > 0 {
		fmt.Fprintf(b, "  why: %s\n", strings.Join(f.Reasons, ", "))
	}
	if f.Step != "" {
		fmt.Fprintf(b, "  step: %s\n", render.Sanitize(f.Step))
	}
	writeLines(b, f.LineStart-len(f.ContextBefore), f.ContextBefore, "")
	writeLines(b, f.LineStart, f.Text, ">")
	writeLines(b, f.LineStart+len(f.Text), f.ContextAfter, "")
	if f.Occurrences > 1 {
		fmt.Fprintf(b, "  %d occurrences", f.Occurrences)
		if f.JobsAffected > 1 {
			fmt.Fprintf(b, " in %d jobs", f.JobsAffected)
		}
		b.WriteString("\n")
	}
	if f.AlsoInPassingJobs {
		b.WriteString("  also printed by a job that passed\n")
	}
}

// writeLines writes numbered log lines, the first numbered from.
func writeLines(b *strings.Builder, from int, lines []string, mark string) {
	for i, l := range lines {
		fmt.Fprintf(b, "%1s%6d| %s\n", mark, from+i, render.Sanitize(l))
	}
}

func sourceName(src analysis.Origin) string {
	return render.SourceName(analysis.Report{Source: src})
}

func short(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
