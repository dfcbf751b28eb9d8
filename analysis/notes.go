package analysis

import (
	"fmt"

	"github.com/dustin/go-humanize"
)

// CapNotes says, for a report's notes, what the analysis of each job left
// out to stay within its bounds: messages over the per-job caps of
// distinct messages, lines cut at the line limit, step headers past the
// last one recorded. The findings come from what was kept, so a cause in
// what was left out can be missing; the notes say how much and why. Jobs
// are taken in order; a job with nothing left out has no note.
func CapNotes(jobs []JobResult) []string {
	var notes []string
	for i := range jobs {
		j := &jobs[i]
		name := j.Job.Name
		if name == "" {
			name = j.Job.ID
		}
		if j.Dropped > 0 {
			notes = append(notes, fmt.Sprintf("job %q: %s error-like line(s) not kept as findings: only the first %s "+
				"distinct error messages (and %s weaker ones) of a job are kept, and once %s are, only the lines shaped like a kept one "+
				"and the runner's verdicts are read, so a cause printed after them may be missing",
				name, humanize.Comma(int64(j.Dropped)), humanize.Comma(maxDistinctStrong), humanize.Comma(maxDistinctWeak), humanize.Comma(maxDistinctStrong)))
		}
		if j.TruncatedLines > 0 {
			notes = append(notes, fmt.Sprintf("job %q: %s line(s) longer than %s: only their first %s were analyzed",
				name, humanize.Comma(int64(j.TruncatedLines)), humanize.IBytes(DefaultMaxLineBytes), humanize.IBytes(DefaultMaxLineBytes)))
		}
		if n := len(j.Sections); n >= maxSections {
			notes = append(notes, fmt.Sprintf("job %q: more than %s step and group headers: the ones after line %d were not "+
				"recorded, so findings after it may be named after the wrong step", name, humanize.Comma(maxSections), j.Sections[n-1].Line))
		}
	}
	return notes
}
