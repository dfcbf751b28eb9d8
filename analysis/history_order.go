package analysis

import (
	"slices"
	"sort"
)

// OrderByHistory is the step after Rank for findings whose History is
// known: each such finding's reasons name its verdict ("history:new", …),
// and, among findings of equal confidence, new ones come before recurring
// ones, and both before flaky ones and noise (a finding without a history
// ranks as a recurring one). Nothing else moves: the findings Rank put
// first so that every failed job is represented (jobs, the report's jobs)
// stay ahead of the others. Ranks are renumbered.
func OrderByHistory(findings []Finding, jobs []JobSummary) []Finding {
	out := append([]Finding(nil), findings...)
	for i := range out {
		if h := out[i].History; h != nil && h.Verdict != "" {
			reason := "history:" + h.Verdict
			if !slices.Contains(out[i].Reasons, reason) {
				out[i].Reasons = append(out[i].Reasons[:len(out[i].Reasons):len(out[i].Reasons)], reason)
			}
		}
	}
	split := jobsFirstLen(out, jobs)
	sortTies(out[:split])
	sortTies(out[split:])
	for i := range out {
		out[i].Rank = i + 1
	}
	return out
}

// historyClass orders verdicts at equal confidence.
func historyClass(f *Finding) int {
	if f.History == nil {
		return 1
	}
	switch f.History.Verdict {
	case VerdictNew:
		return 0
	case VerdictFlaky, VerdictNoise:
		return 2
	}
	return 1
}

// sortTies orders each run of findings of equal confidence by verdict,
// keeping their order otherwise.
func sortTies(fs []Finding) {
	for i := 0; i < len(fs); {
		j := i + 1
		for j < len(fs) && fs[j].Confidence == fs[i].Confidence {
			j++
		}
		run := fs[i:j]
		sort.SliceStable(run, func(a, b int) bool { return historyClass(&run[a]) < historyClass(&run[b]) })
		i = j
	}
}

// jobsFirstLen returns how many findings at the start are each the first
// of a failed job, as everyJobFirst put them (0 with fewer than two failed
// jobs: it moved nothing).
func jobsFirstLen(findings []Finding, jobs []JobSummary) int {
	failed := map[string]bool{}
	for _, j := range jobs {
		if j.Failed {
			failed[j.ID] = true
		}
	}
	if len(failed) < 2 {
		return 0
	}
	shown := make(map[string]bool, len(failed))
	n := 0
	for _, f := range findings {
		if !bestOfAJob(f, failed, shown) {
			break
		}
		n++
	}
	return n
}
