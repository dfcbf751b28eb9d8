package baselines

import (
	"regexp"
	"strings"
	"sync"

	"github.com/destill-dev/destill/providers"
)

// groupKey names the jobs that are the same job as j: the cells of a
// matrix, the shards of a parallel step, and that job in other builds.
func groupKey(j providers.Job) string {
	if j.StepKey != "" {
		return j.StepKey
	}
	return "name:" + j.Name
}

// usable reports whether j can serve as a baseline: it passed, ran, and
// is the latest attempt.
func usable(j providers.Job) bool {
	return j.State == providers.JobPassed && j.HasLog && !j.Retried
}

// members returns the jobs of build in job's group that did not pass (the
// ones a baseline is for), in build order. job is always among them.
func members(build providers.Build, job providers.Job) []providers.Job {
	key := groupKey(job)
	var out []providers.Job
	found := false
	for _, j := range build.Jobs {
		if j.Retried || j.State == providers.JobPassed || groupKey(j) != key {
			continue
		}
		found = found || j.ID == job.ID
		out = append(out, j)
	}
	if !found {
		out = append(out, job)
	}
	return out
}

// pickSibling chooses the passing job of the same step in job's own build
// (another matrix cell, another shard): the one whose name shares the most
// words (matrix values) with the group's failed jobs, the first on a tie.
// The choice depends on the group only, so every job of the group gets the
// same one.
func pickSibling(build providers.Build, job providers.Job) (providers.Job, bool) {
	key := groupKey(job)
	var cands []providers.Job
	for _, j := range build.Jobs {
		if usable(j) && j.ID != job.ID && groupKey(j) == key {
			cands = append(cands, j)
		}
	}
	return closest(cands, members(build, job))
}

// pickSame chooses the job of another build that is the same job as the
// group's: one with the same step key and name (the same matrix cell),
// else one with the same name (Buildkite steps without a key, whose step
// IDs differ from build to build), else the closest one with the same step
// key.
func pickSame(other providers.Build, group []providers.Job) (providers.Job, bool) {
	key := groupKey(group[0])
	for _, sameKey := range []bool{true, false} {
		for _, m := range group {
			for _, j := range other.Jobs {
				if usable(j) && j.Name == m.Name && (!sameKey || groupKey(j) == key) {
					return j, true
				}
			}
		}
	}
	var cands []providers.Job
	for _, j := range other.Jobs {
		if usable(j) && groupKey(j) == key {
			cands = append(cands, j)
		}
	}
	return closest(cands, group)
}

// closest returns the candidate whose name shares the most words with the
// names of group, the first on a tie.
func closest(cands, group []providers.Job) (providers.Job, bool) {
	if len(cands) == 0 {
		return providers.Job{}, false
	}
	best, bestScore := 0, -1
	for i, c := range cands {
		cw := words(c.Name)
		score := 0
		for _, m := range group {
			for w := range words(m.Name) {
				if cw[w] {
					score++
				}
			}
		}
		if score > bestScore {
			best, bestScore = i, score
		}
	}
	return cands[best], true
}

var wordRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[a-z0-9][a-z0-9._]*`) })

func words(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range wordRe().FindAllString(strings.ToLower(s), -1) {
		out[w] = true
	}
	return out
}
