package analysis

// everyJobFirst orders findings (sorted best first) so that each failed
// job's best finding comes before any job's second one: with several failed
// jobs, a flood of findings in one job must not push another job's cause
// out of the top N. A finding that occurs in several failed jobs is the
// best finding of each of them at once. The findings moved up keep their
// order, and so do the others; one moved ahead of a more confident finding
// says so in its reasons ("best-in-job").
func everyJobFirst(findings []Finding, jobs []JobResult) []Finding {
	failed := map[string]bool{}
	for _, j := range jobs {
		if j.Job.Failed {
			failed[j.Job.ID] = true
		}
	}
	if len(failed) < 2 {
		return findings
	}
	shown := make(map[string]bool, len(failed))
	first := make([]Finding, 0, len(failed))
	var rest []Finding
	for _, f := range findings {
		if bestOfAJob(f, failed, shown) {
			first = append(first, f)
		} else {
			rest = append(rest, f)
		}
	}
	if len(rest) > 0 {
		top := rest[0].Confidence
		for i := range first {
			if first[i].Confidence < top {
				first[i].Reasons = append(first[i].Reasons[:len(first[i].Reasons):len(first[i].Reasons)], "best-in-job")
			}
		}
	}
	return append(first, rest...)
}

// bestOfAJob reports whether f is the first finding seen of a failed job,
// and marks its failed jobs as shown.
func bestOfAJob(f Finding, failed, shown map[string]bool) bool {
	best := false
	mark := func(id string) {
		if failed[id] && !shown[id] {
			shown[id] = true
			best = true
		}
	}
	mark(f.JobID)
	for _, j := range f.Jobs {
		if j.Failed {
			mark(j.JobID)
		}
	}
	return best
}
