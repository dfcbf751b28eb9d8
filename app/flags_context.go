package app

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/destill-dev/destill/analysis"
)

// contextFlag is --context: the lines shown around each finding.
func contextFlag() cli.Flag {
	return &cli.StringFlag{Name: "context", Aliases: []string{"C"}, Usage: "lines of context `B,A` before and after each finding (or one number for both)",
		Value: fmt.Sprintf("%d,%d", analysis.DefaultContextBefore, analysis.DefaultContextAfter)}
}

// parseContext reads "B,A" or "N" into lines before and after.
func parseContext(s string) (int, int, error) {
	parts := strings.Split(s, ",")
	if len(parts) > 2 {
		return 0, 0, usageErrorf("--context takes B,A or one number, got %q", s)
	}
	var n [2]int
	for i, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || v < 0 || v > analysis.MaxContext {
			return 0, 0, usageErrorf("--context takes numbers from 0 to %d (B,A or one for both), got %q", analysis.MaxContext, s)
		}
		n[i] = v
	}
	if len(parts) == 1 {
		n[1] = n[0]
	}
	return n[0], n[1], nil
}

// contextOption maps a flag value to analysis.Options, where 0 means default.
func contextOption(n int) int {
	if n == 0 {
		return -1
	}
	return n
}
