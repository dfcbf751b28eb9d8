package app

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v3"
)

// didYouMean is "; did you mean X?" for the candidate closest to name, or
// "" when none is close: a typo (one edit in a short name, two in a longer
// one, a swap of two letters counting as one) or the start of exactly one
// candidate.
func didYouMean(name string, candidates []string, prefix string) string {
	if best := closest(name, candidates); best != "" {
		return fmt.Sprintf("; did you mean %s%s?", prefix, best)
	}
	return ""
}

func closest(name string, candidates []string) string {
	if len(name) < 2 {
		return ""
	}
	allowed := 1
	if len(name) > 4 {
		allowed = 2
	}
	best, bestD, starts := "", allowed+1, []string{}
	for _, c := range candidates {
		if d := editDistance(name, c); d < bestD {
			best, bestD = c, d
		}
		if len(name) >= 3 && strings.HasPrefix(c, name) {
			starts = append(starts, c)
		}
	}
	if best == "" && len(starts) == 1 {
		best = starts[0]
	}
	return best
}

// editDistance is the optimal string alignment distance: insertions,
// deletions, substitutions and swaps of adjacent letters.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// commandNames are the names and aliases of cmd's visible subcommands.
func commandNames(cmd *cli.Command) []string {
	var names []string
	for _, c := range cmd.Commands {
		if !c.Hidden {
			names = append(names, c.Names()...)
		}
	}
	return names
}

// unknownCommand is the usage error for a subcommand name cmd lacks.
func unknownCommand(cmd *cli.Command, name string) error {
	what := "command"
	if cmd.Root() != cmd {
		what = cmd.Name + " command"
	}
	hint := didYouMean(name, commandNames(cmd), "")
	if hint == "" {
		hint = ": use " + strings.Join(commandNames(cmd), ", ")
	}
	return usageErrorf("unknown %s %q%s", what, name, hint)
}

// flagUsageError rewrites the flag parser's "flag provided but not
// defined: -tpo" as "unknown flag --tpo; did you mean --top?". Other
// errors are returned as they are.
func flagUsageError(cmd *cli.Command, err error) error {
	const notDefined = "flag provided but not defined: "
	msg := err.Error()
	i := strings.Index(msg, notDefined)
	if i < 0 {
		return err
	}
	name := strings.TrimLeft(msg[i+len(notDefined):], "-")
	var names []string
	for _, f := range cmd.Flags {
		for _, n := range f.Names() {
			if len(n) > 1 {
				names = append(names, n)
			}
		}
	}
	names = append(names, "help")
	return fmt.Errorf("unknown flag %s%s", flagName(name), didYouMean(name, names, "--"))
}

func flagName(name string) string {
	if len([]rune(name)) == 1 {
		return "-" + name
	}
	return "--" + name
}
