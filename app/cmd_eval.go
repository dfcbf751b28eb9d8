package app

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/providers/local"
)

// evalCase is one labeled log of a corpus (cases.jsonl).
type evalCase struct {
	ID            string   `json:"id"`
	Log           string   `json:"log"`
	BaselineLog   string   `json:"baseline_log"`
	ExpectedLines [][2]int `json:"expected_lines"`
}

// evalScore is how one case scored.
type evalScore struct {
	id        string
	rank      int // rank of the first finding overlapping an expected range; 0: none in the top 10
	linesTop5 int
	findings  []analysis.Finding
	expected  [][2]int
	baseline  bool
}

// evalOptions are the parsed flags of eval.
type evalOptions struct {
	dir      string
	analysis analysis.Options
	misses   bool
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
			&cli.FloatFlag{Name: "min-top1", Usage: "fail unless hit@1 reaches this share"},
			&cli.FloatFlag{Name: "min-top5", Usage: "fail unless hit@5 reaches this share"},
			&cli.IntFlag{Name: "max-median-lines", Usage: "fail if the median lines shown for the top 5 exceed this"},
			contextFlag(),
		},
		Action: action(streams, parseEvalOptions, run),
	}
}

func parseEvalOptions(cmd *cli.Command, _ *Streams) (evalOptions, error) {
	var opts evalOptions
	if cmd.Args().Len() != 1 {
		return opts, usageErrorf("eval takes one corpus directory (holding cases.jsonl)")
	}
	b, a, err := parseContext(cmd.String("context"))
	if err != nil {
		return opts, err
	}
	opts.dir = cmd.Args().First()
	opts.analysis = analysis.Options{ContextBefore: contextOption(b), ContextAfter: contextOption(a)}
	opts.misses, opts.baseline = cmd.Bool("misses"), cmd.Bool("baseline")
	opts.minTop1, opts.minTop5 = cmd.Float("min-top1"), cmd.Float("min-top5")
	opts.maxMedianLines = int(cmd.Int("max-median-lines"))
	return opts, nil
}

// runEval scores the corpus without baselines, then with them when it has
// any, and fails when the chosen run misses a target.
func runEval(ctx context.Context, streams *Streams, opts evalOptions) error {
	var sum evalSummary
	for _, withBaseline := range []bool{false, true} {
		scores, err := evalCorpus(ctx, opts.dir, opts.analysis, withBaseline)
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
		fmt.Fprintf(streams.Out, "%s ", label)
		printEval(streams.Out, s, scores, opts.misses)
		if !withBaseline || opts.baseline {
			sum = s // the run the targets are checked on
		}
	}
	var failed []string
	if m := opts.minTop1; m > 0 && sum.hit[1] < m {
		failed = append(failed, fmt.Sprintf("hit@1 %.1f%% < %.1f%%", 100*sum.hit[1], 100*m))
	}
	if m := opts.minTop5; m > 0 && sum.hit[5] < m {
		failed = append(failed, fmt.Sprintf("hit@5 %.1f%% < %.1f%%", 100*sum.hit[5], 100*m))
	}
	if m := opts.maxMedianLines; m > 0 && sum.medianLines > float64(m) {
		failed = append(failed, fmt.Sprintf("median lines shown %.0f > %d", sum.medianLines, m))
	}
	if len(failed) > 0 {
		return fmt.Errorf("quality below target: %s", strings.Join(failed, "; "))
	}
	return nil
}

func evalCorpus(ctx context.Context, dir string, opts analysis.Options, withBaseline bool) ([]evalScore, error) {
	f, err := os.Open(filepath.Join(dir, "cases.jsonl"))
	if err != nil {
		return nil, fmt.Errorf("read corpus: %w", err)
	}
	defer f.Close()
	var scores []evalScore
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
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var base *analysis.Baseline
		if withBaseline && c.BaselineLog != "" {
			base, err = baselineFromFiles(filepath.Join(dir, c.BaselineLog))
			if err != nil {
				return nil, fmt.Errorf("case %s: %w", c.ID, err)
			}
		}
		findings, err := analyzeFile(filepath.Join(dir, c.Log), opts, base)
		if err != nil {
			return nil, fmt.Errorf("case %s: %w", c.ID, err)
		}
		sc := scoreCase(c, findings)
		sc.baseline = base != nil
		scores = append(scores, sc)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read corpus: %w", err)
	}
	if len(scores) == 0 {
		return nil, fmt.Errorf("read corpus: %s/cases.jsonl holds no cases", dir)
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

func analyzeFile(path string, opts analysis.Options, base *analysis.Baseline) ([]analysis.Finding, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	r, err := local.MaybeGunzip(fh)
	if err != nil {
		return nil, err
	}
	a := analysis.NewAnalyzer(opts)
	if _, err := io.Copy(a, r); err != nil {
		return nil, err
	}
	res := a.Result()
	res.Job = analysis.JobSummary{ID: filepath.Base(path), Name: filepath.Base(path), Failed: true}
	res.Baseline = base
	return analysis.Rank([]analysis.JobResult{res}), nil
}

func scoreCase(c evalCase, findings []analysis.Finding) evalScore {
	s := evalScore{id: c.ID, findings: findings, expected: c.ExpectedLines}
	for i, f := range findings {
		if i >= 10 {
			break
		}
		if i < 5 {
			s.linesTop5 += f.LineEnd - f.LineStart + 1 + len(f.ContextBefore) + len(f.ContextAfter)
		}
		if s.rank == 0 && overlaps(f, c.ExpectedLines) {
			s.rank = i + 1
		}
	}
	return s
}

func overlaps(f analysis.Finding, ranges [][2]int) bool {
	for _, r := range ranges {
		if f.LineStart <= r[1] && f.LineEnd >= r[0] {
			return true
		}
	}
	return false
}

type evalSummary struct {
	cases       int
	baselines   int
	hit         map[int]float64
	mrr         float64
	medianLines float64
	meanLines   float64
}

func summarize(scores []evalScore) evalSummary {
	sum := evalSummary{cases: len(scores), hit: map[int]float64{}}
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
	fmt.Fprintf(w, "cases %d  hit@1 %.1f%%  hit@3 %.1f%%  hit@5 %.1f%%  hit@10 %.1f%%  MRR %.3f  lines shown top5: median %.0f mean %.1f\n",
		sum.cases, 100*sum.hit[1], 100*sum.hit[3], 100*sum.hit[5], 100*sum.hit[10], sum.mrr, sum.medianLines, sum.meanLines)
	if !misses {
		return
	}
	for _, s := range scores {
		if s.rank >= 1 && s.rank <= 1 {
			continue
		}
		fmt.Fprintf(w, "\n%s: rank %d, expected %v, top5 lines %d\n", s.id, s.rank, s.expected, s.linesTop5)
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
