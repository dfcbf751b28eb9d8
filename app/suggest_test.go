package app

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/urfave/cli/v3"
)

func TestMistypesSuggestTheRightName(t *testing.T) {
	var b strings.Builder
	for _, args := range [][]string{
		{"anlyze", "build.log"},
		{"analyse", "build.log"},
		{"sumbit", "https://buildkite.com/acme/api/builds/1"},
		{"frobnicate"},
		{"analyze", "--tpo", "3", "build.log"},
		{"analyze", "--no-colr", "build.log"},
		{"analyze", "--jsno", "build.log"},
		{"analyze", "-z", "build.log"},
		{"cache", "lss"},
		{"cache", "clean"},
		{"view", "--lst"},
	} {
		code, out, errOut := runMain(t, "", args...)
		require.Equal(t, exitUsage, code, "%v", args)
		require.Empty(t, out)
		fmt.Fprintf(&b, "$ destill %s\n%s\n", strings.Join(args, " "), errOut)
	}
	golden(t, "mistypes.golden", b.String())
}

func TestClosest(t *testing.T) {
	names := []string{"analyze", "analyze-worker", "view", "ls", "prune", "top", "no-color"}
	for _, tc := range []struct{ in, want string }{
		{"anlyze", "analyze"},
		{"analzye", "analyze"},
		{"veiw", "view"},
		{"lss", "ls"},
		{"tpo", "top"},
		{"no-colour", "no-color"},
		{"pru", "prune"}, // the start of one name
		{"ana", ""},      // the start of two
		{"x", ""},
		{"zzzzzz", ""},
	} {
		require.Equal(t, tc.want, closest(tc.in, names), tc.in)
	}
}

// TestHelpGolden keeps every command's --help in one golden file, and
// checks each flag's line: one default at most, and no value placeholder
// on a boolean flag (`--no-migrate destill migrate` reads as if it took a
// value).
func TestHelpGolden(t *testing.T) {
	root := newRootCommand(&Streams{Getenv: func(string) string { return "" }})
	var b strings.Builder
	var walk func(path []string, cmd *cli.Command)
	walk = func(path []string, cmd *cli.Command) {
		code, out, errOut := runMain(t, "", append(path, "--help")...)
		require.Equal(t, 0, code, errOut)
		fmt.Fprintf(&b, "$ destill %s\n%s\n", strings.Join(append(path, "--help"), " "), out)
		for _, f := range cmd.Flags {
			line := f.String()
			names, _, _ := strings.Cut(line, "\t")
			require.LessOrEqual(t, strings.Count(strings.ToLower(line), "default"), 1, "two defaults: %s", line)
			if _, ok := f.(*cli.BoolFlag); ok {
				for _, w := range strings.Fields(strings.ReplaceAll(names, ",", " ")) {
					require.True(t, strings.HasPrefix(w, "-"), "boolean flag with a value placeholder %q: %s", w, line)
				}
			}
		}
		for _, sub := range cmd.Commands {
			if !sub.Hidden {
				walk(append(append([]string(nil), path...), sub.Name), sub)
			}
		}
	}
	walk(nil, root)
	golden(t, "help.golden", b.String())
}

// TestUnsupportedURLsListTheForms: a URL destill cannot read gets the URL
// forms it can, Jenkins among them; one on a known host gets that
// provider's forms.
func TestUnsupportedURLsListTheForms(t *testing.T) {
	var b strings.Builder
	for _, u := range []string{
		"https://example.com/foo/bar",
		"https://ci.example.com/view/all/builds",
		"https://ci.example.com/job/api/",
		"https://github.com/acme/api/pull/3",
		"https://gitlab.com/acme/api/-/merge_requests/7",
		"https://buildkite.com/acme/api",
	} {
		code, _, errOut := runMain(t, "", "analyze", u)
		require.Equal(t, exitUsage, code, u)
		fmt.Fprintf(&b, "$ destill analyze %s\n%s\n", u, errOut)
	}
	require.Contains(t, b.String(), "https://JENKINS/job/NAME")
	golden(t, "unsupported-urls.golden", b.String())
}
