package ui

import (
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"
	"github.com/stretchr/testify/require"
)

func rowsText(rows []line) []string {
	out := []string{}
	for _, r := range rows {
		var b strings.Builder
		for _, sp := range r {
			b.WriteString(sp.text)
		}
		out = append(out, b.String())
	}
	return out
}

func TestWrap(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		text   string
		w      int
		indent int
		words  bool
		want   []string
	}{
		{name: "fits", text: "short", w: 10, want: []string{"short"}},
		{name: "anywhere", text: "abcdefghij", w: 4, want: []string{"abcd", "efgh", "ij"}},
		{name: "anywhere with indent", text: "abcdefghij", w: 5, indent: 2, want: []string{"abcde", "  fgh", "  ij"}},
		{name: "at spaces", text: "why oom, in-failed-step, followed-by-exit-code", w: 20, indent: 4, words: true,
			want: []string{"why oom, ", "    in-failed-step, ", "    followed-by-exit", "    -code"}},
		{name: "a word longer than the row breaks anywhere", text: "aaaaaaaaaaaa b", w: 5, words: true, want: []string{"aaaaa", "aaaaa", "aa b"}},
		{name: "wide characters never split", text: "日本語のログ", w: 5, want: []string{"日本", "語の", "ログ"}},
		{name: "indent wider than the row is dropped", text: "abcdef", w: 3, indent: 5, want: []string{"abc", "def"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := rowsText(wrap(line{{tt.text, tcell.StyleDefault}}, tt.w, tt.indent, tt.words))
			require.Equal(t, tt.want, got)
			for _, r := range got {
				require.LessOrEqual(t, width(r), tt.w)
			}
		})
	}
}

func TestWrapKeepsStyles(t *testing.T) {
	t.Parallel()
	bold := tcell.StyleDefault.Bold(true)
	rows := wrap(line{{"> 12 │ ", bold}, {"abcdef", tcell.StyleDefault}}, 10, 7, false)
	require.Equal(t, []string{"> 12 │ abc", "       def"}, rowsText(rows))
	require.Equal(t, bold, rows[0][0].style)
	require.Equal(t, tcell.StyleDefault, rows[0][1].style)
}

func TestTruncateAndClean(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		w    int
		want string
	}{
		{"hello", 10, "hello"},
		{"hello world", 5, "hell…"},
		{"日本語", 4, "日…"},
		{"x", 0, ""},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, truncate(tt.in, tt.w), "truncate(%q, %d)", tt.in, tt.w)
	}
	require.Equal(t, "a    b[31mred[0m", clean("a\tb\x1b[31mred\x1b[0m\x07"), "no control character reaches the screen")
	require.Equal(t, "bad\uFFFDbyte", clean("bad\xffbyte"))
}

func TestDrawLineCutsWithAnEllipsis(t *testing.T) {
	t.Parallel()
	sim := tcell.NewSimulationScreen("UTF-8")
	require.NoError(t, sim.Init())
	defer sim.Fini()
	sim.SetSize(10, 1)
	n := drawLine(sim, 0, 0, 10, line{{"abc", tcell.StyleDefault}, {"defghijklmn", tcell.StyleDefault}})
	sim.Show()
	require.Equal(t, 10, n)
	require.Equal(t, "abcdefghi…\n", screenText(sim))
}

func TestTruncateMiddleKeepsTheEnd(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		w    int
		want string
	}{
		{":hammer: build 0", 14, ":ham…: build 0"},
		{":hammer: build 1", 14, ":ham…: build 1"},
		{"test (ubuntu-latest, django-5.2)", 16, "test …jango-5.2)"},
		{"short", 14, "short"},
		{"日本語のジョブ名 shard 3", 12, "日… shard 3"},
		{"abcdefghij", 5, "abcd…"}, // too narrow to keep both ends
	} {
		got := truncateMiddle(tc.in, tc.w)
		require.Equal(t, tc.want, got, "truncateMiddle(%q, %d)", tc.in, tc.w)
		require.LessOrEqual(t, width(got), tc.w)
	}
}
