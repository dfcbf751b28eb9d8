package analysis

// RankedSections returns the sections of res that ranking reads: the step
// and the group that hold each candidate's first line, the first
// "reopen", and the last "success" before each candidate. A finished job
// of a build keeps these instead of its thousands of headers, so that a
// build's memory does not grow with its logs; Rank and CapNotes say the
// same of res with them as with all of its sections. The result is a new
// slice (res.Sections may be shared), or res.Sections itself when it is
// not in line order or is at its cap (CapNotes counts it).
func RankedSections(res *JobResult) []Section {
	secs := res.Sections
	if len(secs) == 0 || len(secs) >= maxSections {
		return secs
	}
	x := newSectionIndex(secs)
	if !x.sorted {
		return secs
	}
	keep := make([]bool, len(secs))
	lastSuccess := make([]int, len(secs)) // lastSuccess[i]: the last "success" among secs[:i+1]; -1: none
	s, reopen := -1, -1
	for i, sec := range secs {
		switch sec.Kind {
		case "success":
			s = i
		case "reopen":
			if reopen < 0 {
				reopen = i
				keep[i] = true // ranking reads the first
			}
		}
		lastSuccess[i] = s
	}
	if s >= 0 {
		keep[s] = true // the last success, for a job without a verdict
	}
	// mark keeps the step and the group that hold line, and for a
	// candidate's line the last success before it (a verdict's line: the
	// last success before the verdict tells a recovered error).
	mark := func(line int, candidate bool) {
		if n := x.upTo(line); n > 0 {
			for _, i := range []int{x.step[n-1], x.group[n-1]} {
				if i >= 0 {
					keep[i] = true
				}
			}
		}
		// The last success before line: upTo(line-1) sections start at or
		// before line-1.
		if n := x.upTo(line - 1); candidate && n > 0 && lastSuccess[n-1] >= 0 {
			keep[lastSuccess[n-1]] = true
		}
	}
	for i := range res.Candidates {
		mark(res.Candidates[i].LineStart, true)
	}
	if p := res.packed; p != nil {
		// Unless they cannot be read back, which ranking says (ShownBudget.Err).
		if data, ok := p.bytes(nil); ok {
			r := packedReader{data: data, scores: p.scores}
			var pc packedCandidate
			var lines []int
			for range p.count {
				lines = r.next(&pc, lines[:0])
				mark(pc.lineStart, true)
			}
		}
	}
	if reopen >= 0 {
		mark(secs[reopen].Line, false)
	}
	n := 0
	for _, k := range keep {
		if k {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]Section, 0, n) // exactly: a large build keeps every job's until it is ranked
	for i, k := range keep {
		if k {
			out = append(out, secs[i])
		}
	}
	return out
}
