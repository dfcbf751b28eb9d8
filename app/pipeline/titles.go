package pipeline

import (
	"slices"

	"github.com/destill-dev/destill/analysis"
)

// titles holds one copy of each section title a build's finished jobs
// keep: the jobs of a build mostly share their steps and groups, and a
// build of a thousand jobs kept a copy of each title per job (some 7 KB
// a job, until the build is ranked).
type titles map[string]string

// intern returns secs with each title the copy t holds, adding those it
// has not seen. When secs is the slice all, which others may hold, it
// changes a copy.
func (t titles) intern(secs, all []analysis.Section) []analysis.Section {
	if len(secs) > 0 && len(all) > 0 && &secs[0] == &all[0] {
		secs = slices.Clone(secs)
	}
	for i := range secs {
		title := secs[i].Title
		if kept, ok := t[title]; ok {
			secs[i].Title = kept
		} else {
			t[title] = title
		}
	}
	return secs
}
