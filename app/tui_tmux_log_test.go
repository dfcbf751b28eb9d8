package app

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// rawLine is line n (1-based) of the file at path, as a pager shows its
// start.
func rawLine(t *testing.T, path string, n int) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(string(data), "\n")[n-1]
}

// TestE2ETmuxPagerOpensTheRawLog: l hands the terminal to $PAGER (less) on
// the raw log, at the selected finding's first line; quitting the pager
// gives the UI back. For a log file and for standard input (from what was
// kept of it).
func TestE2ETmuxPagerOpensTheRawLog(t *testing.T) {
	t.Parallel()
	tmuxPath(t)
	e := expectSample(t)
	top := e.rep.Findings[0]
	bin := buildBinary(t)
	tm := newTmux(t, 120, 30, "PAGER=less")
	want := firstRunes(rawLine(t, sampleLog, top.LineStart), 40)

	for _, cmd := range []string{
		bin + " analyze examples/logs/github-actions-go-test.log; echo exit=$?",
		"cat examples/logs/github-actions-go-test.log | " + bin + " analyze -; echo exit=$?",
	} {
		tm.typeLine("clear; " + cmd)
		tm.waitForText(e.done())
		tm.keys("l")
		s := tm.waitFor("less on the raw log at the finding's line", func(s string) bool {
			return strings.HasPrefix(s, want)
		})
		tmuxCheck(t, !strings.Contains(s, e.done()), "the pager has the whole screen:\n%s", s)
		tm.keys("q")
		s = tm.waitForText(e.done())
		tmuxCheck(t, strings.Contains(selectedRow(s), rowText(top)), "the UI is back as it was:\n%s", s)
		tm.keys("q")
		tm.waitForLine("exit=0")
	}
}

// writeLog writes n lines of filler (with its line index), then last, to
// path, and returns path.
func writeLog(t *testing.T, path, filler string, n int, last ...string) string {
	t.Helper()
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, filler+"\n", i)
	}
	for _, l := range last {
		b.WriteString(l + "\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestE2ETmuxPipedInputArrivesLive: while a command piped into destill
// still runs, the UI shows the bytes read so far and the findings of what
// has arrived, a second finding once its lines arrive, and the final
// analysis when the input ends.
func TestE2ETmuxPipedInputArrivesLive(t *testing.T) {
	t.Parallel()
	tmuxPath(t)
	bin := buildBinary(t)
	dir := t.TempDir()
	first := writeLog(t, filepath.Join(dir, "first.log"), "fetching module example.com/dep%d", 40,
		"npm ERR! code E404", "npm ERR! 404 Not Found - GET https://registry.npmjs.org/left-padd - Not found")
	second := writeLog(t, filepath.Join(dir, "second.log"), "compiling package %d of 40", 40,
		"src/upload.ts(12,5): error TS2322: Type 'string' is not assignable to type 'number'.")

	tm := newTmux(t, 120, 30)
	tm.typeLine(fmt.Sprintf("(cat %s; sleep 4; cat %s; sleep 4) | %s analyze -; echo exit=$?", first, second, bin))
	s := tm.waitFor("the first part's finding, the pipe still open", func(s string) bool {
		return strings.Contains(s, "jobs 0/1 fetched") && strings.Contains(s, "E404")
	})
	tmuxCheck(t, regexp.MustCompile(`fetched, 0 analyzed [█░]+ [1-9][0-9.]* (B|KB)`).MatchString(s), "the bytes read so far:\n%s", s)
	tmuxCheck(t, !strings.Contains(s, "TS2322"), "nothing of the second part yet:\n%s", s)
	s = tm.waitFor("the second part's finding, the pipe still open", func(s string) bool {
		return strings.Contains(s, "jobs 0/1 fetched") && strings.Contains(s, "TS2322")
	})
	tm.waitForText("done · ")
	tm.keys("q")
	tm.waitForLine("exit=0")
}

// TestE2ETmuxEscWidthAndHighlight: at 160 columns the list's messages use
// the width; a search's matches are highlighted; Esc clears the search,
// then the filter, and never quits; q does.
func TestE2ETmuxEscWidthAndHighlight(t *testing.T) {
	t.Parallel()
	tmuxPath(t)
	e := expectSample(t)
	bin := buildBinary(t)
	tm := newTmux(t, 160, 40)
	tm.typeLine("clear; " + bin + " analyze examples/logs/github-actions-go-test.log; echo exit=$?")
	s := tm.waitForText(e.done())
	longest := e.rep.Findings[0]
	for _, f := range e.rep.Findings {
		if len([]rune(f.Message)) > len([]rune(longest.Message)) {
			longest = f
		}
	}
	shown := firstRunes(onScreen(longest.Message), 90)
	tmuxCheck(t, len([]rune(longest.Message)) > 60, "the sample needs a long message")
	tmuxCheck(t, strings.Contains(s, shown), "the list shows %q, 90 characters of the longest message:\n%s", shown, s)

	tm.keys("/", "connection", "Enter")
	tm.waitForText("· /connection")
	painted := tm.run("capture-pane", "-t", "e2e", "-p", "-e")
	marked := regexp.MustCompile(`\x1b\[[0-9;]*m(connection)`).FindAllString(painted, -1)
	tmuxCheck(t, len(marked) >= 2, "the matches in the list and the detail pane are set off by a style change:\n%q", painted)

	tm.keys("Escape")
	tm.waitFor("the search cleared", func(s string) bool {
		return strings.Contains(s, "search cleared") && !strings.Contains(s, "/connection")
	})
	tm.keys("f")
	tm.waitForText("filter: failed jobs")
	tm.keys("Escape")
	tm.waitForText("filter cleared: all findings")
	tm.keys("Escape")
	s = tm.waitForText("nothing to clear; q quits")
	tmuxCheck(t, strings.Contains(s, e.done()), "Esc never quits:\n%s", s)
	tm.keys("q")
	tm.waitForLine("exit=0")
}
