package app

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/urfave/cli/v3"
	"golang.org/x/sync/errgroup"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/providers/local"
)

// evalCase is one labeled log of a corpus (cases.jsonl).
type evalCase struct {
	ID            string   `json:"id"`
	Log           string   `json:"log"`
	BaselineLog   string   `json:"baseline_log"`
	ExpectedLines [][2]int `json:"expected_lines"`
	CriticalLines [][2]int `json:"critical_lines"`
	Repository    string   `json:"repository"`
	Language      string   `json:"language"`
	Category      any      `json:"category"`
}

// target is the line ranges a finding must overlap to count as a hit:
// critical_lines when the case has them (and field allows), else expected_lines.
func (c evalCase) target(field string) [][2]int {
	switch field {
	case "expected_lines":
		return c.ExpectedLines
	case "critical_lines":
		return c.CriticalLines
	}
	if len(c.CriticalLines) > 0 {
		return c.CriticalLines
	}
	return c.ExpectedLines
}

// group is the value of a case's field named by --by.
func (c evalCase) group(by string) string {
	switch by {
	case "repository":
		return c.Repository
	case "language":
		return c.Language
	case "category":
		if c.Category == nil {
			return ""
		}
		return fmt.Sprint(c.Category)
	}
	return ""
}

// evalScore is how one case scored.
type evalScore struct {
	c         evalCase
	rank      int // rank of the first finding overlapping a target range; 0: none in the top 10
	linesTop5 int
	findings  []analysis.Finding
	expected  [][2]int
	baseline  bool
	// tailHit is whether the last tailLines lines of the log overlap a
	// target range: the naive reference at the same line budget.
	tailHit bool
}

// tailLines is the reference window: the last N lines of a log, about the
// lines shown by a top 5.
const tailLines = 35

// evalOptions are the parsed flags of eval.
type evalOptions struct {
	dir      string
	analysis analysis.Options
	// field is the annotation scored: auto, expected_lines or critical_lines.
	field string
	// split also scores the two halves of a repository split; by groups
	// the cases by a field.
	split  bool
	by     string
	misses bool
	// baseline checks the targets on the run with baselines.
	baseline bool
	// minTop1, minTop5 and maxMedianLines are the targets (0: none).
	minTop1, minTop5 float64
	maxMedianLines   int
}

func newEvalCommand(streams *Streams, run runFunc[evalOptions]) *cli.Command {
	return &cli.Command{
		Name:      "eval",
		Usage:     "measure finding quality on a labeled corpus (hit@k, MRR, lines shown)",
		ArgsUsage: "<corpus dir with cases.jsonl>",
		Category:  "development",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "misses", Usage: "list the cases whose top finding misses, with what was ranked instead"},
			&cli.BoolFlag{Name: "baseline", Usage: "check the --min/--max targets on the run with baselines (default: without)"},
			&cli.StringFlag{Name: "field", Value: "auto", Usage: "annotation to score: `auto` (critical_lines where a case has them, else expected_lines), expected_lines or critical_lines"},
			&cli.BoolFlag{Name: "split", Usage: "also score two halves of the corpus split by repository (tuned / held-out)"},
			&cli.StringFlag{Name: "by", Usage: "also score each group of cases by `FIELD`: repository, language or category"},
			&cli.FloatFlag{Name: "min-top1", Usage: "fail unless hit@1 reaches this share"},
			&cli.FloatFlag{Name: "min-top5", Usage: "fail unless hit@5 reaches this share"},
			&cli.IntFlag{Name: "max-median-lines", Usage: "fail if the median lines shown for the top 5 exceed this"},
			contextFlag(),
		},
		Action: action(streams, parseEvalOptions, run),
	}
}

func parseEvalOptions(cmd *cli.Command, _ *Streams) (evalOptions, error) {
	var o evalOptions
	if cmd.Args().Len() != 1 {
		return o, usageErrorf("eval takes one corpus directory (holding cases.jsonl)")
	}
	b, a, err := parseContext(cmd.String("context"))
	if err != nil {
		return o, err
	}
	o.dir = cmd.Args().First()
	o.analysis = analysis.Options{ContextBefore: contextOption(b), ContextAfter: contextOption(a)}
	o.field, o.split, o.by = cmd.String("field"), cmd.Bool("split"), cmd.String("by")
	o.misses, o.baseline = cmd.Bool("misses"), cmd.Bool("baseline")
	o.minTop1, o.minTop5 = cmd.Float("min-top1"), cmd.Float("min-top5")
	o.maxMedianLines = int(cmd.Int("max-median-lines"))
	switch o.field {
	case "auto", "expected_lines", "critical_lines":
	default:
		return o, usageErrorf("--field %q: use auto, expected_lines or critical_lines", o.field)
	}
	switch o.by {
	case "", "repository", "language", "category":
	default:
		return o, usageErrorf("--by %q: use repository, language or category", o.by)
	}
	return o, nil
}

// runEval scores the corpus without baselines, then with them when it has
// any, and fails when the run --baseline chooses misses a target.
func runEval(ctx context.Context, streams *Streams, o evalOptions) error {
	w := streams.Out
	cases, err := readEvalCases(o.dir)
	if err != nil {
		return err
	}
	var sum evalSummary
	for _, withBaseline := range []bool{false, true} {
		scores, err := evalCorpus(ctx, o.dir, cases, o, withBaseline)
		if err != nil {
			return err
		}
		s := summarize(scores)
		label := "without baseline"
		if withBaseline {
			label = "with baseline   "
			if s.baselines == 0 {
				break
			}
		}
		fmt.Fprintf(w, "%s ", label)
		printEval(w, s, scores, o.misses)
		if withBaseline == o.baseline {
			sum = s // the run the targets are checked on
		}
		if withBaseline {
			continue
		}
		if o.split && repoCount(scores) > 1 {
			tuned, held := splitByRepository(scores)
			st, sh := summarize(tuned), summarize(held)
			fmt.Fprintf(w, "  split tuned    repos %2d ", repoCount(tuned))
			printEval(w, st, nil, false)
			fmt.Fprintf(w, "  split held-out repos %2d ", repoCount(held))
			printEval(w, sh, nil, false)
			fmt.Fprintf(w, "  split gap: hit@1 %+.1f points, hit@5 %+.1f points (held-out minus tuned)\n",
				100*(sh.hit[1]-st.hit[1]), 100*(sh.hit[5]-st.hit[5]))
		}
		if o.by != "" {
			printGroups(w, scores, o.by)
		}
	}
	var failed []string
	if o.minTop1 > 0 && sum.hit[1] < o.minTop1 {
		failed = append(failed, fmt.Sprintf("hit@1 %.1f%% < %.1f%%", 100*sum.hit[1], 100*o.minTop1))
	}
	if o.minTop5 > 0 && sum.hit[5] < o.minTop5 {
		failed = append(failed, fmt.Sprintf("hit@5 %.1f%% < %.1f%%", 100*sum.hit[5], 100*o.minTop5))
	}
	if o.maxMedianLines > 0 && sum.medianLines > float64(o.maxMedianLines) {
		failed = append(failed, fmt.Sprintf("median lines shown %.0f > %d", sum.medianLines, o.maxMedianLines))
	}
	if len(failed) > 0 {
		return fmt.Errorf("quality below target: %s", strings.Join(failed, "; "))
	}
	return nil
}

// readEvalCases reads a corpus's cases.jsonl.
func readEvalCases(dir string) ([]evalCase, error) {
	f, err := os.Open(filepath.Join(dir, "cases.jsonl"))
	if err != nil {
		return nil, fmt.Errorf("read corpus: %w", err)
	}
	defer f.Close()
	var cases []evalCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var c evalCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return nil, fmt.Errorf("read corpus: cases.jsonl line %d: %w", n, err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read corpus: %w", err)
	}
	if len(cases) == 0 {
		return nil, fmt.Errorf("read corpus: %s/cases.jsonl holds no cases", dir)
	}
	return cases, nil
}

// evalCorpus analyzes and scores every case, on all cores; scores keep the
// order of the cases.
func evalCorpus(ctx context.Context, dir string, cases []evalCase, o evalOptions, withBaseline bool) ([]evalScore, error) {
	scores := make([]evalScore, len(cases))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, c := range cases {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			var base *analysis.Baseline
			var err error
			if withBaseline && c.BaselineLog != "" {
				base, err = baselineFromFiles(filepath.Join(dir, c.BaselineLog))
				if err != nil {
					return fmt.Errorf("case %s: %w", c.ID, err)
				}
			}
			findings, lines, err := analyzeFile(filepath.Join(dir, c.Log), o.analysis, base)
			if err != nil {
				return fmt.Errorf("case %s: %w", c.ID, err)
			}
			s := scoreCase(c, o.field, findings)
			s.baseline = base != nil
			s.tailHit = overlapsRange(max(1, lines-tailLines+1), lines, s.expected)
			scores[i] = s
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return scores, nil
}

// baselineFromFiles builds a baseline model from passing log files.
func baselineFromFiles(paths ...string) (*analysis.Baseline, error) {
	bb := analysis.NewBaselineBuilder()
	for _, p := range paths {
		fh, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("read baseline log: %w", err)
		}
		r, err := local.MaybeGunzip(fh)
		if err != nil {
			fh.Close()
			return nil, fmt.Errorf("read baseline log %s: %w", p, err)
		}
		_, err = io.Copy(bb, r)
		r.Close()
		if err != nil {
			return nil, fmt.Errorf("read baseline log %s: %w", p, err)
		}
		bb.Flush()
	}
	b := bb.Baseline()
	b.Name = strings.Join(paths, ", ")
	return b, nil
}

// analyzeFile ranks the findings of one log file as one failed job, and
// returns the log's line count.
func analyzeFile(path string, opts analysis.Options, base *analysis.Baseline) ([]analysis.Finding, int, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer fh.Close()
	r, err := local.MaybeGunzip(fh)
	if err != nil {
		return nil, 0, err
	}
	a := analysis.NewAnalyzer(opts)
	if _, err := io.Copy(a, r); err != nil {
		return nil, 0, err
	}
	res := a.Result()
	res.Job = analysis.JobSummary{ID: filepath.Base(path), Name: filepath.Base(path), Failed: true}
	res.Baseline = base
	return analysis.Rank([]analysis.JobResult{res}), res.Lines, nil
}

func scoreCase(c evalCase, field string, findings []analysis.Finding) evalScore {
	s := evalScore{c: c, findings: findings, expected: c.target(field)}
	for i, f := range findings {
		if i >= 10 {
			break
		}
		if i < 5 {
			s.linesTop5 += f.LineEnd - f.LineStart + 1 + len(f.ContextBefore) + len(f.ContextAfter)
		}
		if s.rank == 0 && overlapsRange(f.LineStart, f.LineEnd, s.expected) {
			s.rank = i + 1
		}
	}
	return s
}

func overlapsRange(start, end int, ranges [][2]int) bool {
	for _, r := range ranges {
		if start <= r[1] && end >= r[0] {
			return true
		}
	}
	return false
}

// splitByRepository cuts the scores into two halves of the repositories:
// the repositories are ordered by a hash of their name and dealt out in
// turn, so the halves are fixed, of equal size and unrelated to the names'
// order. Cases without a repository all go to the first half.
func splitByRepository(scores []evalScore) (tuned, held []evalScore) {
	var repos []string
	seen := map[string]bool{}
	for _, s := range scores {
		if !seen[s.c.Repository] {
			seen[s.c.Repository] = true
			repos = append(repos, s.c.Repository)
		}
	}
	key := func(r string) string { h := sha256.Sum256([]byte(r)); return string(h[:]) }
	sort.Slice(repos, func(i, j int) bool { return key(repos[i]) < key(repos[j]) })
	half := map[string]int{}
	for i, r := range repos {
		half[r] = i % 2
	}
	for _, s := range scores {
		if half[s.c.Repository] == 0 {
			tuned = append(tuned, s)
		} else {
			held = append(held, s)
		}
	}
	return tuned, held
}

func repoCount(scores []evalScore) int {
	seen := map[string]bool{}
	for _, s := range scores {
		seen[s.c.Repository] = true
	}
	return len(seen)
}

// printGroups prints hit@1 and hit@5 for each group of cases, worst first.
func printGroups(w io.Writer, scores []evalScore, by string) {
	groups := map[string][]evalScore{}
	for _, s := range scores {
		g := s.c.group(by)
		groups[g] = append(groups[g], s)
	}
	type row struct {
		name string
		sum  evalSummary
	}
	var rows []row
	for name, ss := range groups {
		rows = append(rows, row{name, summarize(ss)})
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].sum.hit[5] != rows[j].sum.hit[5] {
			return rows[i].sum.hit[5] < rows[j].sum.hit[5]
		}
		return rows[i].name < rows[j].name
	})
	for _, r := range rows {
		fmt.Fprintf(w, "  %-36s cases %3d  hit@1 %5.1f%%  hit@5 %5.1f%%  last %d lines %5.1f%%\n",
			truncateRunes(r.name, 36), r.sum.cases, 100*r.sum.hit[1], 100*r.sum.hit[5], tailLines, 100*r.sum.tail)
	}
}

type evalSummary struct {
	cases       int
	baselines   int
	hit         map[int]float64
	mrr         float64
	medianLines float64
	meanLines   float64
	tail        float64 // share of cases whose last tailLines lines hit
}

func summarize(scores []evalScore) evalSummary {
	sum := evalSummary{cases: len(scores), hit: map[int]float64{}}
	if len(scores) == 0 {
		return sum
	}
	var lines []int
	for _, s := range scores {
		for _, k := range []int{1, 3, 5, 10} {
			if s.rank > 0 && s.rank <= k {
				sum.hit[k]++
			}
		}
		if s.rank > 0 {
			sum.mrr += 1 / float64(s.rank)
		}
		if s.tailHit {
			sum.tail++
		}
		lines = append(lines, s.linesTop5)
		if s.baseline {
			sum.baselines++
		}
		sum.meanLines += float64(s.linesTop5)
	}
	n := float64(len(scores))
	for k := range sum.hit {
		sum.hit[k] /= n
	}
	sum.mrr /= n
	sum.tail /= n
	sum.meanLines /= n
	sort.Ints(lines)
	if len(lines)%2 == 1 {
		sum.medianLines = float64(lines[len(lines)/2])
	} else {
		sum.medianLines = float64(lines[len(lines)/2-1]+lines[len(lines)/2]) / 2
	}
	return sum
}

func printEval(w io.Writer, sum evalSummary, scores []evalScore, misses bool) {
	fmt.Fprintf(w, "cases %d  hit@1 %.1f%%  hit@3 %.1f%%  hit@5 %.1f%%  hit@10 %.1f%%  MRR %.3f  lines shown top5: median %.0f mean %.1f  (last %d lines: %.1f%%)\n",
		sum.cases, 100*sum.hit[1], 100*sum.hit[3], 100*sum.hit[5], 100*sum.hit[10], sum.mrr, sum.medianLines, sum.meanLines, tailLines, 100*sum.tail)
	if !misses {
		return
	}
	for _, s := range scores {
		if s.rank == 1 {
			continue
		}
		fmt.Fprintf(w, "\n%s: rank %d, expected %v, top5 lines %d\n", s.c.ID, s.rank, s.expected, s.linesTop5)
		for i, f := range s.findings {
			if i >= 5 {
				break
			}
			fmt.Fprintf(w, "  #%d %.2f %s %d-%d %s  [%s]\n", f.Rank, f.Confidence, f.Category, f.LineStart, f.LineEnd, truncateRunes(f.Message, 100), strings.Join(f.Reasons, ","))
		}
	}
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
