package app

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/destill-dev/destill/internal/needs"
	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/providertest"
)

// These tests run the real destill binary in a real terminal: a tmux pane.
// They type with send-keys and read the screen with capture-pane. With CI
// set they fail when tmux is missing (.ci/run installs it); elsewhere they
// skip.

// tmuxSession is one detached tmux server with one pane running sh.
type tmuxSession struct {
	t    *testing.T
	tmux string
	sock string
	dir  string // the repository root: the pane's working directory
}

// tmuxPath returns tmux's path; without tmux it fails the test under CI
// and skips it elsewhere.
func tmuxPath(t *testing.T) string {
	t.Helper()
	return needs.Tool(t, "tmux")
}

func newTmux(t *testing.T, w, h int, env ...string) *tmuxSession {
	t.Helper()
	path := tmuxPath(t)
	// A short socket path: unix socket paths are limited to about 100 bytes.
	sockDir, err := os.MkdirTemp("", "dtmux")
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	s := &tmuxSession{t: t, tmux: path, sock: filepath.Join(sockDir, "s"), dir: root}
	t.Cleanup(func() {
		_ = exec.Command(s.tmux, "-S", s.sock, "kill-server").Run()
		os.RemoveAll(sockDir)
	})
	vars := ""
	for _, kv := range env {
		vars += fmt.Sprintf(" %q", kv)
	}
	shell := fmt.Sprintf("env -i PATH=%q HOME=%q LC_ALL=C.UTF-8 TERM=tmux-256color PS1='$ '%s sh", os.Getenv("PATH"), sockDir, vars)
	s.run("-f", "/dev/null", "new-session", "-d", "-s", "e2e", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), "-c", root, shell)
	s.run("set-option", "-s", "set-clipboard", "on") // let OSC 52 from the pane fill a tmux buffer
	s.run("set-option", "-g", "history-limit", "5000")
	s.waitFor("the shell prompt", func(screen string) bool { return strings.Contains(screen, "$") })
	return s
}

func (s *tmuxSession) run(args ...string) string {
	s.t.Helper()
	cmd := exec.Command(s.tmux, append([]string{"-u", "-S", s.sock}, args...)...)
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	out, err := cmd.CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// typeLine types a shell command and Enter.
func (s *tmuxSession) typeLine(cmd string) {
	s.run("send-keys", "-t", "e2e", "-l", cmd)
	s.run("send-keys", "-t", "e2e", "Enter")
}

// keys sends tmux key names (Enter, Escape, C-c) or literal text.
func (s *tmuxSession) keys(keys ...string) {
	for _, k := range keys {
		switch k {
		case "Enter", "Escape", "C-c", "Tab", "Down", "Up":
			s.run("send-keys", "-t", "e2e", k)
		default:
			s.run("send-keys", "-t", "e2e", "-l", k)
		}
	}
}

// screen is what the pane shows now.
func (s *tmuxSession) screen() string { return s.run("capture-pane", "-t", "e2e", "-p") }

// scrollback is the pane's history and screen.
func (s *tmuxSession) scrollback() string { return s.run("capture-pane", "-t", "e2e", "-p", "-S", "-") }

func (s *tmuxSession) waitFor(what string, ok func(screen string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var screen string
	for time.Now().Before(deadline) {
		screen = s.screen()
		if ok(screen) {
			return screen
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.t.Fatalf("timed out waiting for %s; the pane shows:\n%s", what, screen)
	return ""
}

func (s *tmuxSession) waitForText(text string) string {
	s.t.Helper()
	return s.waitFor(fmt.Sprintf("%q", text), func(screen string) bool { return strings.Contains(screen, text) })
}

// childNamed returns the pid of the pane shell's child process called
// name, the one the test started there.
func (s *tmuxSession) childNamed(name string) int {
	s.t.Helper()
	var shell int
	fmt.Sscan(strings.TrimSpace(s.run("display-message", "-p", "-t", "e2e", "#{pane_pid}")), &shell)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		stats, _ := filepath.Glob("/proc/[0-9]*/stat")
		for _, path := range stats {
			data, err := os.ReadFile(path)
			if err != nil {
				continue
			}
			// pid (comm) state ppid ...
			open, close := strings.IndexByte(string(data), '('), strings.LastIndexByte(string(data), ')')
			if open < 0 || close < open {
				continue
			}
			var pid, ppid int
			var state string
			fmt.Sscan(string(data[:open]), &pid)
			fmt.Sscan(string(data[close+1:]), &state, &ppid)
			if ppid == shell && string(data[open+1:close]) == name {
				return pid
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatalf("no process %q under the pane's shell (pid %d)", name, shell)
	return 0
}

// waitForLine waits for a line that is exactly text: the output of a
// command, not the command line that echoes it.
func (s *tmuxSession) waitForLine(text string) string {
	s.t.Helper()
	return s.waitFor(fmt.Sprintf("a line %q", text), func(screen string) bool {
		for _, l := range strings.Split(screen, "\n") {
			if strings.TrimSpace(l) == text {
				return true
			}
		}
		return false
	})
}

var sgr = regexp.MustCompile(`\x1b\[([0-9;]*)m`)

// hasColour reports whether s, as capture-pane -e prints a pane, sets a
// foreground or background colour anywhere.
func hasColour(s string) bool {
	for _, m := range sgr.FindAllStringSubmatch(s, -1) {
		for _, p := range strings.Split(m[1], ";") {
			var n int
			if _, err := fmt.Sscan(p, &n); err != nil {
				continue
			}
			switch {
			case n >= 30 && n <= 37, n >= 40 && n <= 47, n >= 90 && n <= 97, n >= 100 && n <= 107, n == 38, n == 48:
				return true
			}
		}
	}
	return false
}

func TestE2ETmuxSampleLog(t *testing.T) {
	t.Parallel()
	tmuxPath(t)
	e := expectSample(t)
	top := e.rep.Findings[0]
	bin := buildBinary(t)
	tm := newTmux(t, 100, 30)
	tm.typeLine("stty -g > $HOME/tty.before; clear")
	tm.typeLine(bin + " analyze examples/logs/github-actions-go-test.log; echo exit=$?")

	s := tm.waitForText(e.done())
	first := strings.Split(s, "\n")[0]
	tmuxCheck(t, strings.Contains(first, "destill examples/logs/github-actions-go-test.log") && strings.Contains(first, headerCount(e.n, e.n)+" · all · by confidence"), "header: %q", first)
	tmuxCheck(t, strings.Contains(selectedRow(s), rowText(top)), "the best finding is selected:\n%s", s)
	tmuxCheck(t, strings.Contains(s, "> "+detailLine(top)), "the detail pane highlights the finding's line:\n%s", s)
	if len(top.ContextBefore) > 0 {
		before := top.ContextBefore[len(top.ContextBefore)-1]
		tmuxCheck(t, strings.Contains(s, fmt.Sprintf("  %d │ %s", top.LineStart-1, firstRunes(onScreen(before), 30))), "with its context and line numbers:\n%s", s)
	}
	tmuxCheck(t, strings.Contains(s, "? help  q quit"), "the key hints:\n%s", s)

	// Search filters the list as it is typed; Esc clears it.
	found := e.view("connection", 0, 0)
	tmuxCheck(t, found.VisibleCount() > 0 && found.VisibleCount() < e.n, "the search term must match some findings of the sample log, not all")
	tm.keys("/", "connection")
	s = tm.waitForText(headerCount(found.VisibleCount(), e.n))
	tmuxCheck(t, strings.Contains(selectedRow(s), rowText(*found.VisibleAt(0))), "a match is selected:\n%s", s)
	tm.keys("Enter")
	tm.waitFor("the search kept", func(s string) bool {
		return strings.Contains(s, "· /connection") && strings.Contains(s, "? help  q quit")
	})
	// After Escape, wait for it to land: a key hard on its heels reads as
	// Alt+key to the terminal.
	tm.keys("/", "Escape")
	tm.waitFor("the search cleared", func(s string) bool {
		return strings.Contains(s, " "+headerCount(e.n, e.n)+" · all · by confidence") && !strings.Contains(s, "/connection")
	})

	// Filters and sort orders cycle.
	tm.keys("f")
	tm.waitForText(fmt.Sprintf("filter: failed jobs (%s)", headerCount(e.view("", 1, 0).VisibleCount(), e.n)))
	tm.keys("f")
	tm.waitForText(headerCount(e.view("", 2, 0).VisibleCount(), e.n) + " · errors · by confidence")
	tm.keys("f", "s")
	s = tm.waitForText("sorted by log order")
	firstInLog := e.view("", 0, 1).VisibleAt(0)
	rows := strings.Split(s, "\n")
	tmuxCheck(t, strings.HasPrefix(strings.TrimLeft(rows[2], " ▸"), fmt.Sprintf("%d %.2f", firstInLog.Rank, firstInLog.Confidence)), "log order puts line %d (#%d) first:\n%s", firstInLog.LineStart, firstInLog.Rank, s)
	tm.keys("s", "s")
	tm.waitForText("sorted by confidence")

	// Copy with OSC 52: tmux (set-clipboard on) keeps it in a buffer.
	tm.keys("g", "c")
	tm.waitForText(fmt.Sprintf("copied #1 (%s) to the clipboard", pluralOf(len(top.Text), "line")))
	tm.waitFor("the tmux buffer", func(string) bool {
		out, _ := exec.Command(tm.tmux, "-S", tm.sock, "show-buffer").Output()
		return string(out) == topText(top)
	})

	// Help, and the URL key on a local log.
	tm.keys("?")
	tm.waitForText("keys · ? or Esc closes this")
	tm.keys("?", "o")
	tm.waitForText("no web URL: this finding comes from a local log")

	// A resize redraws cleanly, wide and narrow: from 240 columns the
	// detail pane sits beside the list, below that under it.
	detailTitle := fmt.Sprintf(" #1 · %s", top.Category)
	tm.run("resize-window", "-t", "e2e", "-x", "260", "-y", "48")
	s = tm.waitFor("the wide layout", func(s string) bool { return strings.Contains(s, "│"+detailTitle) })
	for i, l := range strings.Split(s, "\n") {
		tmuxCheck(t, len([]rune(l)) <= 260, "line %d fits 260 columns: %q", i, l)
	}
	tm.run("resize-window", "-t", "e2e", "-x", "160", "-y", "48")
	tm.waitFor("the list over the detail pane at 160 columns", func(s string) bool {
		return !strings.Contains(s, "│"+detailTitle) && strings.Contains(s, "\n"+detailTitle)
	})
	tm.run("resize-window", "-t", "e2e", "-x", "80", "-y", "24")
	tm.waitFor("the narrow layout", func(s string) bool {
		return !strings.Contains(s, "│"+detailTitle) && strings.Contains(s, "\n"+detailTitle) && strings.Contains(s, e.done())
	})

	// q restores the terminal and leaves the top findings in scrollback.
	tm.keys("q")
	tm.waitForLine("exit=0")
	tm.typeLine("stty -g | cmp -s - $HOME/tty.before && echo tty-restored")
	tm.waitForLine("tty-restored")
	back := tm.scrollback()
	tmuxCheck(t, strings.Contains(back, fmt.Sprintf("destill: examples/logs/github-actions-go-test.log — %d finding(s)", e.n)), "summary header in scrollback:\n%s", back)
	tmuxCheck(t, strings.Contains(back, summaryHead(top, "github-actions-go-test.log")), "top finding in scrollback:\n%s", back)
	tmuxCheck(t, strings.Contains(back, fmt.Sprintf("… %d more finding(s)", e.n-3)), "only the top 3:\n%s", back)
	tmuxCheck(t, !strings.Contains(back, "by confidence"), "the UI's own screen is gone (alternate screen):\n%s", back)
}

func TestE2ETmuxStreamingCtrlCAndNoColor(t *testing.T) {
	t.Parallel()
	tmuxPath(t)
	e := expectSample(t)
	bin := buildBinary(t)
	tm := newTmux(t, 100, 30)
	tm.typeLine("stty -g > $HOME/tty.before; clear")

	// The log arrives on stdin and the pipe stays open: the UI shows the
	// bytes read and the findings so far while it runs, then the findings
	// once the log ends, with no key pressed.
	tm.typeLine("(cat examples/logs/github-actions-go-test.log; sleep 3) | " + bin + " analyze -; echo exit=$?")
	s := tm.waitFor("findings while the pipe is open", func(s string) bool {
		return strings.Contains(s, "jobs 0/1 fetched, 0 analyzed") && strings.Contains(s, rowText(e.rep.Findings[0]))
	})
	tmuxCheck(t, !strings.Contains(s, " 0 B"), "the bytes read so far, not 0 B:\n%s", s)
	s = tm.waitForText(e.done())
	tmuxCheck(t, strings.Contains(s, "destill standard input"), "header names stdin:\n%s", s)
	tmuxCheck(t, hasColour(tm.run("capture-pane", "-t", "e2e", "-p", "-e")), "colour by severity on a colour terminal")

	// Ctrl-C quits too, restores the terminal and leaves the summary.
	tm.keys("C-c")
	tm.waitForLine("exit=0")
	tm.typeLine("stty -g | cmp -s - $HOME/tty.before && echo tty-restored")
	tm.waitForLine("tty-restored")
	tmuxCheck(t, strings.Contains(tm.scrollback(), summaryHead(e.rep.Findings[0], "stdin")), "summary in scrollback:\n%s", tm.scrollback())

	// NO_COLOR: no colour anywhere on the UI's screen; --no-summary: nothing left behind.
	tm.typeLine("clear; NO_COLOR=1 " + bin + " analyze --no-summary examples/logs/github-actions-go-test.log; echo exit=$?")
	tm.waitForText(e.done())
	painted := tm.run("capture-pane", "-t", "e2e", "-p", "-e")
	tmuxCheck(t, !hasColour(painted), "NO_COLOR leaves no colour:\n%q", painted)
	tm.keys("q")
	s = tm.waitForLine("exit=0")
	tmuxCheck(t, !strings.Contains(s, "#1  "), "--no-summary prints nothing:\n%s", s)

	// SIGTERM from outside the terminal: the UI stops, the terminal is
	// restored, and destill says it was interrupted.
	tm.typeLine("clear; (cat examples/logs/github-actions-go-test.log; sleep 3) | " + bin + " analyze -; echo exit=$?")
	tm.waitForText("jobs 0/1 fetched, 0 analyzed")
	pid := tm.childNamed("destill")
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatalf("signal destill (pid %d): %v", pid, err)
	}
	s = tm.waitForLine("exit=1")
	tmuxCheck(t, strings.Contains(s, "destill: interrupted"), "interrupted, on the normal screen:\n%s", s)
	tmuxCheck(t, !strings.Contains(s, "destill: standard input"), "no summary of a cut-short analysis:\n%s", s)
	tm.typeLine("stty -g | cmp -s - $HOME/tty.before && echo tty-restored-after-sigterm")
	tm.waitForLine("tty-restored-after-sigterm")

	// A pipe is not a terminal: plain text, no UI.
	tm.typeLine("clear; " + bin + " analyze examples/logs/github-actions-go-test.log | head -3; echo done-piped")
	s = tm.waitForLine("done-piped")
	tmuxCheck(t, strings.Contains(s, fmt.Sprintf("destill: examples/logs/github-actions-go-test.log — %d finding(s)", e.n)), "text when stdout is a pipe:\n%s", s)
}

// TestE2ETmuxSlowBuild runs destill on a fake Buildkite build whose job logs
// arrive seconds apart, one of them never: findings stream in as jobs
// finish, the list re-sorts without moving the selection, the status bar
// shows the progress and the log that failed, and the summary stays.
func TestE2ETmuxSlowBuild(t *testing.T) {
	t.Parallel()
	tmuxPath(t)
	sec := func(n float64) providertest.Duration {
		return providertest.Duration(time.Duration(n * float64(time.Second)))
	}
	fake := startFakeCI(t, providertest.Scenario{Builds: []providertest.Build{{
		Provider: providers.KindBuildkite, Org: "acme", Repo: "slow", Number: 7,
		Jobs: []providertest.Job{
			{Name: "unit tests", StepKey: "unit", State: "failed", LogDelay: sec(3.5), LogSize: 1 << 20, LogThrottle: sec(0.01),
				Log: providertest.BuildkiteLog(append([]string{"+++ :go: Running tests", "fatal error: runtime: out of memory"}, providertest.FailingGoTest...)...)},
			{Name: "lint", StepKey: "lint", State: "failed", LogDelay: sec(1),
				Log: providertest.BuildkiteLog("+++ Running golangci-lint", "upload.go:12:2: \"os\" imported and not used (typecheck)", "🚨 Error: The command exited with status 1")},
			{Name: "integration", StepKey: "integration", State: "failed", LogStatus: 404},
			{Name: "docs", StepKey: "docs", State: "passed", Log: providertest.BuildkiteLog("ok")},
		},
	}}})
	bin := buildBinary(t)
	tm := newTmux(t, 120, 32, fake.env...)
	tm.typeLine("clear; " + bin + " analyze " + fake.url + "; echo exit=$?")

	// The integration log is missing: that shows at once, while the other
	// logs are still on their way.
	s := tm.waitForText("jobs 1/3 fetched, 0 analyzed")
	tmuxCheck(t, strings.Contains(s, "░░░░"), "a progress bar while logs are fetched:\n%s", s)
	tmuxCheck(t, strings.Contains(s, "no finding yet: waiting for job logs…"), "no findings before a job is done:\n%s", s)
	tmuxCheck(t, strings.Contains(s, "· job integration:"), "the log that failed in the status bar:\n%s", s)
	tmuxCheck(t, strings.Contains(strings.Split(s, "\n")[0], "destill "+fake.url), "the header names the build:\n%s", s)

	// The lint job comes next: its finding is selected.
	s = tm.waitForText("jobs 2/3 fetched, 1 analyzed")
	isLint := func(row string) bool {
		return strings.Contains(row, " lint ") && strings.Contains(row, `upload.go:12:2: "os"`)
	}
	tmuxCheck(t, isLint(selectedRow(s)), "lint's finding is selected:\n%s", s)

	// The unit tests arrive last, with findings of their own: the list
	// grows and re-sorts, and the selection stays on the finding being
	// read.
	s = tm.waitForText("done · ")
	tmuxCheck(t, strings.Contains(s, "fatal error: runtime"), "the unit tests' findings stream in:\n%s", s)
	tmuxCheck(t, isLint(selectedRow(s)), "the selection stays on lint's finding:\n%s", s)
	tmuxCheck(t, strings.Contains(s, "· lint:"), "the detail pane still shows lint's finding:\n%s", s)
	tmuxCheck(t, strings.Contains(s, "2 of 3 jobs analyzed") && strings.Contains(s, "· job integration:"), "counts and the missing log in the status bar:\n%s", s)

	tm.keys("o")
	tm.waitForText("job URL: " + fake.url)
	tm.keys("q")
	tm.waitForLine("exit=0")
	back := tm.scrollback()
	tmuxCheck(t, strings.Contains(back, "destill: "+fake.url), "summary header in scrollback:\n%s", back)
	tmuxCheck(t, strings.Contains(back, "imported and not used") && strings.Contains(back, "out of memory"), "findings of both jobs in the summary:\n%s", back)
	tmuxCheck(t, strings.Contains(back, `note: job "integration" was not analyzed`), "the missing log noted:\n%s", back)
	tmuxCheck(t, !strings.Contains(back, providertest.DefaultToken), "the token never shows")
}

// fakeCI is a providertest scenario served by the fakeci program, in a
// process of its own like the destill under test.
type fakeCI struct {
	env []string // KEY=value: where the APIs are, and the token
	url string   // the build's web URL
}

func startFakeCI(t *testing.T, sc providertest.Scenario) fakeCI {
	t.Helper()
	dir := t.TempDir()
	bin := goBuild(t, "../providers/providertest/fakeci", filepath.Join(dir, "fakeci"))
	data, err := json.Marshal(sc)
	if err != nil {
		t.Fatal(err)
	}
	scenario := filepath.Join(dir, "scenario.json")
	if err := os.WriteFile(scenario, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-scenario", scenario)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close() // fakeci exits when its stdin closes
		_ = cmd.Wait()
	})
	var f fakeCI
	lines := bufio.NewScanner(stdout)
	for lines.Scan() && lines.Text() != "READY" {
		if u, ok := strings.CutPrefix(lines.Text(), "URL="); ok {
			f.url = u
			continue
		}
		f.env = append(f.env, lines.Text())
	}
	if f.url == "" {
		t.Fatal("fakeci gave no build URL")
	}
	return f
}

func tmuxCheck(t *testing.T, ok bool, format string, args ...any) {
	t.Helper()
	if !ok {
		t.Fatalf(format, args...)
	}
}
