package app

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestEvalChecksTargetsOnTheChosenRun: the --min/--max targets apply to
// the run without baselines, or with --baseline to the run with them.
func TestEvalChecksTargetsOnTheChosenRun(t *testing.T) {
	const corpus = "testdata/evalcorpus"
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
