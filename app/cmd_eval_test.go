package app

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const testEvalCorpus = "testdata/evalcorpus"

func TestEvalScoresCriticalLines(t *testing.T) {
	tests := []struct {
		field string
		want  string
	}{
		// Case c's critical line is the exit code line, ranked second.
		{"auto", "hit@1 66.7%  hit@3 100.0%"},
		// Cases without critical_lines cannot hit.
		{"critical_lines", "hit@1 0.0%  hit@3 33.3%"},
		{"expected_lines", "hit@1 100.0%"},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			code, out, errOut := runMain(t, "", "eval", "--field", tt.field, testEvalCorpus)
			require.Equal(t, 0, code, errOut)
			require.Contains(t, out, "cases 3  "+tt.want)
		})
	}
}

func TestEvalSplitByRepository(t *testing.T) {
	code, out, errOut := runMain(t, "", "eval", "--split", testEvalCorpus)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "split tuned    repos  2 cases 2 ")
	require.Contains(t, out, "split held-out repos  1 cases 1 ")
	require.Contains(t, out, "split gap: hit@1 +50.0 points")

	// The halves are disjoint by repository and cover every case.
	cases, err := readEvalCases(testEvalCorpus)
	require.NoError(t, err)
	var scores []evalScore
	for _, c := range cases {
		scores = append(scores, evalScore{c: c})
	}
	tuned, held := splitByRepository(scores)
	require.Len(t, append(tuned, held...), len(cases))
	for _, a := range tuned {
		for _, b := range held {
			require.NotEqual(t, a.c.Repository, b.c.Repository)
		}
	}
}

func TestEvalGroupsAndMisses(t *testing.T) {
	code, out, errOut := runMain(t, "", "eval", "--by", "language", "--misses", testEvalCorpus)
	require.Equal(t, 0, code, errOut)
	require.Regexp(t, `(?m)^  Go +cases   2  hit@1  50\.0%  hit@5 100\.0%`, out)
	require.Regexp(t, `(?m)^  Shell +cases   1  hit@1 100\.0%`, out)
	require.Contains(t, out, "c: rank 2, expected [[6 6]]")
	require.NotContains(t, out, "\na: rank")
}

func TestEvalTargets(t *testing.T) {
	code, _, errOut := runMain(t, "", "eval", "--min-top1", "0.9", testEvalCorpus)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "hit@1 66.7% < 90.0%")
	require.Equal(t, 1, strings.Count(strings.TrimSpace(errOut), "\n")+1, "one line: %q", errOut)

	code, _, errOut = runMain(t, "", "eval", "--by", "owner", testEvalCorpus)
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "--by")
}

// TestEvalChecksTargetsOnTheChosenRun: the --min/--max targets apply to
// the run without baselines, or with --baseline to the run with them.
func TestEvalChecksTargetsOnTheChosenRun(t *testing.T) {
	const corpus = "testdata/evalbaseline"
	code, out, errOut := runMain(t, "", "eval", corpus)
	require.Equal(t, exitOK, code, errOut)
	m := regexp.MustCompile(`(?m)^(without|with) baseline .*median (\d+)`).FindAllStringSubmatch(out, -1)
	require.Len(t, m, 2, "a run without baselines and one with them:\n%s", out)
	without, _ := strconv.Atoi(m[0][2])
	with, _ := strconv.Atoi(m[1][2])
	require.Less(t, with, without, "the fixture shows fewer lines with its baseline:\n%s", out)

	limit := strconv.Itoa(with) // met with baselines, missed without
	code, _, errOut = runMain(t, "", "eval", "--max-median-lines", limit, corpus)
	require.Equal(t, exitFailure, code, "checked on the run without baselines")
	require.Contains(t, errOut, "quality below target: median lines shown "+strconv.Itoa(without)+" > "+limit)

	code, _, errOut = runMain(t, "", "eval", "--baseline", "--max-median-lines", limit, corpus)
	require.Equal(t, exitOK, code, "checked on the run with baselines: %s", errOut)
}
