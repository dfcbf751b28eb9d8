package analysis

import (
	"container/heap"
	"fmt"
	"slices"

	"github.com/dustin/go-humanize"
)

// MaxShownCandidates is how many candidates of a build keep the lines they
// would show (their text and context) while its jobs are analyzed: the
// best, by their score in their job. The others keep what ranking needs
// (fingerprint, score, lines, and their message until
// ShownBudget.ForgetMessages) and make no finding, so a build's memory
// does not grow with its logs' text. It is as many as one job may
// have (maxDistinctStrong + maxDistinctWeak), so the findings of a single
// log are never cut.
const MaxShownCandidates = maxDistinctStrong + maxDistinctWeak

// ShownBudget keeps the shown lines of at most MaxShownCandidates
// candidates of a build, taking the jobs' results as they come. Candidates
// of one event (adjacent lines, which ranking may join into one finding)
// keep or lose their lines together, as one group scored by its best.
// A ShownBudget is not safe for concurrent use.
type ShownBudget struct {
	groups  shownGroups // every group that keeps its lines, the weakest first
	kept    int         // candidates in groups
	dropped int         // candidates that lost their lines
	// floor is the strongest group dropped so far: a group no stronger
	// loses its lines at once, so that which groups keep them does not
	// depend on the order the jobs finish in.
	floor *shownGroup
	// forget: the candidates that lose their lines lose their messages too
	// (ForgetMessages).
	forget bool
	jobs   []*JobResult   // every job kept, for ForgetMessages and compacting the spill
	kinds  candidateKinds // the rules of the candidates packed
	spill  spill          // where their records go (SpillTo)
	words  sectionWords   // the titles and kinds of the sections packed
	// keeping is the job Keep is adding; forgetting, the candidates of
	// other jobs it dropped, whose messages it forgets once done.
	keeping    *JobResult
	forgetting []candidateRef
}

// candidateRef is candidate i of res.
type candidateRef struct {
	res *JobResult
	i   int
}

// shownGroup is the adjacent candidates of one job: indexes into
// res.Candidates, which may grow but not move them.
type shownGroup struct {
	score float64
	job   string // the job's ID, then the first line, order groups of equal score
	line  int
	res   *JobResult
	cands []int
	// n is how many candidates the group had when it was made: the
	// budget counts them, though those a tail takes in leave cands.
	n       int
	dropped bool // it lost its lines
}

// weaker orders groups: by score, then by job and line, so that the order
// is total.
func (g *shownGroup) weaker(o *shownGroup) bool {
	if g.score != o.score {
		return g.score < o.score
	}
	if g.job != o.job {
		return g.job > o.job
	}
	return g.line > o.line
}

// Keep adds the candidates of one job, scored as ranking scores them in
// their job (with res.Baseline and res.Job set first), then takes the lines
// from the weakest groups of the build until at most MaxShownCandidates
// keep theirs. res must not be copied afterwards: the budget changes its
// candidates in place. The candidates are copied first, so that a copy of
// res made before (a cache's, a caller's) keeps its lines. Keep also
// makes res's tails take in the lines inside them, as ranking does
// (absorbIntoTails), so that ranking the build copies none of its jobs'
// candidates to do it.
func (b *ShownBudget) Keep(res *JobResult) {
	b.jobs = append(b.jobs, res) // for PackSections too
	if len(res.Candidates) == 0 {
		return
	}
	res.Candidates = slices.Clone(res.Candidates)
	b.keeping = res
	defer func() { b.keeping = nil }()
	ctx := newJobContext(res)
	var mine []*shownGroup // this job's groups, to follow its candidates when tails take some in
	for _, run := range adjacentRuns(res.Candidates) {
		g := &shownGroup{job: res.Job.ID, line: res.Candidates[run[0]].LineStart, res: res, cands: run, n: len(run)}
		for k, i := range run {
			if s, _ := ctx.score(i, false); k == 0 || s > g.score {
				g.score = s
			}
		}
		mine = append(mine, g)
		b.add(g)
	}
	for b.kept > MaxShownCandidates && len(b.groups) > 1 {
		weakest := heap.Pop(&b.groups).(*shownGroup)
		b.kept -= weakest.n
		b.floor = weakest
		b.drop(weakest)
	}
	absorbKept(res, mine)
	ownIndexes(mine)
	if b.forget {
		// After absorbKept: it reads the messages of the lines tails take
		// in, and moves this job's candidates.
		forgetMessages(res)
		touched := []*JobResult{res}
		for _, d := range b.forgetting {
			forgetMessage(d.res, d.i)
			if !slices.Contains(touched, d.res) {
				touched = append(touched, d.res)
			}
		}
		b.forgetting = b.forgetting[:0]
		b.pack(touched)
	}
}

// ForgetMessages makes the candidates that lost their lines, and those
// that will, lose their messages too, and packs them (packedCandidates):
// a large build keeps hundreds of thousands of them until it is ranked,
// and their messages and unused fields were most of what they held.
// Ranking needs a message only for its novelty against the job's
// baseline, which is kept. Call it once nothing else will read them:
// test reports are merged by the messages they name
// (pipeline.MergeTestReports).
func (b *ShownBudget) ForgetMessages() {
	b.forget = true
	for _, res := range b.jobs {
		forgetMessages(res)
	}
	b.pack(b.jobs)
}

// pack packs the candidates of jobs that lost their lines and messages
// (packCandidates), and moves the indexes of the groups that keep their
// lines to where their candidates are now.
func (b *ShownBudget) pack(jobs []*JobResult) {
	moved := map[*JobResult][]int{}
	for _, res := range jobs {
		if to := packCandidates(res, &b.kinds, &b.spill); to != nil {
			moved[res] = to
		}
	}
	if len(moved) == 0 {
		return
	}
	b.spill.compact(b.jobs)
	for _, g := range b.groups {
		if to := moved[g.res]; to != nil {
			for k, i := range g.cands {
				g.cands[k] = to[i] // never -1: a group here keeps its lines, so none of its candidates was packed
			}
		}
	}
}

// SpillTo makes the budget write the records of the candidates it packs,
// and the sections PackSections packs, to s, not keep them in memory: a
// large build's memory then does not grow with its jobs by them (some
// 34 KB a job of densely failing logs). Call it before the first Keep.
// Ranking reads them back, one job at a time. Repacking a job writes its
// records again; once s holds more records no job reads than it holds
// records they do, the budget moves those together and truncates the
// rest.
func (b *ShownBudget) SpillTo(s Spill) { b.spill.to, b.spill.minWaste = s, compactWaste }

// SpillErr returns why writing to the spill failed, or nil: the records
// packed since are kept in memory.
func (b *ShownBudget) SpillErr() error { return b.spill.writeErr }

// Err returns the first error reading the spill back, or nil: Rank then
// missed candidates of the jobs whose records it could not read, and its
// findings are not to be trusted.
func (b *ShownBudget) Err() error { return b.spill.readErr }

// forgetMessages forgets the messages of res's candidates that lost their
// lines.
func forgetMessages(res *JobResult) {
	for i := range res.Candidates {
		forgetMessage(res, i)
	}
}

// forgetMessage forgets the message of candidate i of res, if it lost its
// lines, keeping its novelty against the job's baseline.
func forgetMessage(res *JobResult, i int) {
	c := &res.Candidates[i]
	if !c.shownDropped || c.Message == "" {
		return
	}
	if res.Baseline != nil {
		c.novelty = classifyNovelty(res.Baseline.Novelty(c.Message))
	}
	c.Message = ""
}

// adjacentRuns returns the indexes of cands in runs of adjacent
// candidates, in the order of their lines: each starts at most one line
// after the run so far ends, as the lines of one event do. A candidate
// without a line (from a test report) is a run of its own.
func adjacentRuns(cands []Candidate) [][]int {
	order := make([]int, len(cands))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cands[a].LineStart - cands[b].LineStart })
	var runs [][]int
	for from := 0; from < len(order); {
		to, end := from+1, cands[order[from]].LineEnd
		for cands[order[from]].LineStart >= 1 && to < len(order) && cands[order[to]].LineStart <= end+1 {
			end = max(end, cands[order[to]].LineEnd)
			to++
		}
		runs = append(runs, order[from:to:to])
		from = to
	}
	return runs
}

// absorbKept makes res's tails take in the lines inside them
// (absorbJob), and moves the indexes of groups to the candidates that
// remain.
func absorbKept(res *JobResult, groups []*shownGroup) {
	kept, from, ok := absorbJob(res.Candidates)
	if !ok {
		return
	}
	to := make([]int, len(res.Candidates))
	for i := range to {
		to[i] = -1
	}
	for i, f := range from {
		to[f] = i
	}
	for _, g := range groups {
		cands := g.cands[:0]
		for _, i := range g.cands {
			if to[i] >= 0 {
				cands = append(cands, to[i])
			}
		}
		g.cands = cands
	}
	res.Candidates = kept
}

// ownIndexes moves the indexes of the groups of one job that keep their
// lines into one array of their own: adjacentRuns made them parts of an
// array of all the job's candidates, which a kept group would hold until
// the build is ranked (some 7 KB a job of a large build).
func ownIndexes(groups []*shownGroup) {
	n := 0
	for _, g := range groups {
		if !g.dropped {
			n += len(g.cands)
		}
	}
	own := make([]int, 0, n)
	for _, g := range groups {
		if !g.dropped {
			from := len(own)
			own = append(own, g.cands...)
			g.cands = own[from:len(own):len(own)]
		}
	}
}

func (b *ShownBudget) add(g *shownGroup) {
	if b.floor != nil && !b.floor.weaker(g) {
		b.drop(g)
		return
	}
	heap.Push(&b.groups, g)
	b.kept += g.n
}

func (b *ShownBudget) drop(g *shownGroup) {
	b.dropped += g.n
	g.dropped = true
	for _, i := range g.cands {
		g.res.Candidates[i].dropShown()
		if b.forget && g.res != b.keeping {
			b.forgetting = append(b.forgetting, candidateRef{g.res, i})
		}
	}
}

// Dropped returns how many candidates lost their lines.
func (b *ShownBudget) Dropped() int { return b.dropped }

// dropShown drops the lines c would show, and the reasons it would give;
// c makes no finding from now on (ranking scores it without reasons).
func (c *Candidate) dropShown() {
	c.Text, c.ContextBefore, c.ContextAfter, c.Reasons = nil, nil, nil, nil
	c.shownDropped = true
}

// shownGroups is a min-heap of groups by score.
type shownGroups []*shownGroup

func (h shownGroups) Len() int           { return len(h) }
func (h shownGroups) Less(i, j int) bool { return h[i].weaker(h[j]) }
func (h shownGroups) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *shownGroups) Push(x any)        { *h = append(*h, x.(*shownGroup)) }
func (h *shownGroups) Pop() any {
	old := *h
	g := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return g
}

// ShownBudgetNote says, for a report's notes, that n candidate lines of a
// build lost their text to the budget.
func ShownBudgetNote(n int) string {
	return fmt.Sprintf("%s lower-ranked error-like line(s) are not listed: a build's report keeps the lines of its %s "+
		"most likely candidates, so that memory does not grow with the logs", humanize.Comma(int64(n)), humanize.Comma(MaxShownCandidates))
}
