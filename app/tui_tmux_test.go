package app

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
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

func newTmux(t *testing.T, w, h int) *tmuxSession {
	t.Helper()
	path, err := exec.LookPath("tmux")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tmux is not installed: the terminal UI end-to-end tests need it (apt-get install -y tmux; .ci/run does)")
		}
		t.Skip("tmux is not installed; apt-get install -y tmux to run the terminal UI end-to-end tests")
	}
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
	shell := fmt.Sprintf("env -i PATH=%q HOME=%q LC_ALL=C.UTF-8 TERM=tmux-256color PS1='$ ' sh", os.Getenv("PATH"), sockDir)
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

// buildDestill builds the binary the way a user gets it.
func buildDestill(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		gobin = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "destill")
	cmd := exec.Command(gobin, "build", "-o", bin, ".")
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// selectedRow is the list row the UI marks as selected.
func selectedRow(screen string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.HasPrefix(l, "▸") {
			return l
		}
	}
	return ""
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

func TestTmuxSampleLog(t *testing.T) {
	t.Parallel()
	bin := buildDestill(t)
	tm := newTmux(t, 100, 30)
	tm.typeLine("stty -g > $HOME/tty.before; clear")
	tm.typeLine(bin + " analyze examples/logs/github-actions-go-test.log; echo exit=$?")

	s := tm.waitForText("done · 8 findings · 1 job analyzed")
	first := strings.Split(s, "\n")[0]
	check(t, strings.Contains(first, "destill examples/logs/github-actions-go-test.log") && strings.Contains(first, "8 findings · all · by confidence"), "header: %q", first)
	check(t, strings.Contains(selectedRow(s), "--- FAIL: TestUploadRetry (0.31s)"), "the best finding is selected:\n%s", s)
	check(t, strings.Contains(s, "> 78 │ --- FAIL: TestUploadRetry (0.31s)"), "the detail pane highlights the finding's line:\n%s", s)
	check(t, strings.Contains(s, "  77 │     retry_test.go:88: got 2 attempts, want 3"), "with its context and line numbers:\n%s", s)
	check(t, strings.Contains(s, "? help  q quit"), "the key hints:\n%s", s)

	// Search filters the list as it is typed; Esc clears it.
	tm.keys("/", "connection")
	s = tm.waitForText("1 of 8 findings")
	check(t, strings.Contains(selectedRow(s), "connection reset"), "the match is selected:\n%s", s)
	tm.keys("Enter")
	tm.waitFor("the search kept", func(s string) bool {
		return strings.Contains(s, "· /connection") && strings.Contains(s, "? help  q quit")
	})
	// After Escape, wait for it to land: a key hard on its heels reads as
	// Alt+key to the terminal.
	tm.keys("/", "Escape")
	tm.waitFor("the search cleared", func(s string) bool {
		return strings.Contains(s, " 8 findings · all · by confidence") && !strings.Contains(s, "/connection")
	})

	// Filters and sort orders cycle.
	tm.keys("f")
	tm.waitForText("filter: failed jobs (8 findings)")
	tm.keys("f")
	tm.waitForText("8 findings · errors · by confidence")
	tm.keys("f", "s")
	s = tm.waitForText("sorted by log order")
	rows := strings.Split(s, "\n")
	check(t, strings.HasPrefix(strings.TrimLeft(rows[2], " ▸"), "7 0.10"), "log order puts line 58 (#7) first:\n%s", s)
	tm.keys("s", "s")
	tm.waitForText("sorted by confidence")

	// Copy with OSC 52: tmux (set-clipboard on) keeps it in a buffer.
	tm.keys("g", "c")
	tm.waitForText("copied #1 (1 line) to the clipboard")
	tm.waitFor("the tmux buffer", func(string) bool {
		out, _ := exec.Command(tm.tmux, "-S", tm.sock, "show-buffer").Output()
		return string(out) == "--- FAIL: TestUploadRetry (0.31s)"
	})

	// Help, and the URL key on a local log.
	tm.keys("?")
	tm.waitForText("keys · ? or Esc closes this")
	tm.keys("?", "o")
	tm.waitForText("no web URL: this finding comes from a local log")

	// A resize redraws cleanly, wide and narrow.
	tm.run("resize-window", "-t", "e2e", "-x", "160", "-y", "48")
	s = tm.waitFor("the wide layout", func(s string) bool { return strings.Contains(s, "│ #1 · test-failure") })
	for i, l := range strings.Split(s, "\n") {
		check(t, len([]rune(l)) <= 160, "line %d fits 160 columns: %q", i, l)
	}
	tm.run("resize-window", "-t", "e2e", "-x", "80", "-y", "24")
	s = tm.waitFor("the narrow layout", func(s string) bool {
		return !strings.Contains(s, "│ #1 · test-failure") && strings.Contains(s, " #1 · test-failure") && strings.Contains(s, "done · 8 findings")
	})

	// q restores the terminal and leaves the top findings in scrollback.
	tm.keys("q")
	tm.waitForLine("exit=0")
	tm.typeLine("stty -g | cmp -s - $HOME/tty.before && echo tty-restored")
	tm.waitForLine("tty-restored")
	back := tm.scrollback()
	check(t, strings.Contains(back, "destill: examples/logs/github-actions-go-test.log — 8 finding(s)"), "summary header in scrollback:\n%s", back)
	check(t, strings.Contains(back, "#1  0.95  test-failure  github-actions-go-test.log:78"), "top finding in scrollback:\n%s", back)
	check(t, strings.Contains(back, "… 5 more finding(s)"), "only the top 3:\n%s", back)
	check(t, !strings.Contains(back, "by confidence"), "the UI's own screen is gone (alternate screen):\n%s", back)
}

func TestTmuxStreamingCtrlCAndNoColor(t *testing.T) {
	t.Parallel()
	bin := buildDestill(t)
	tm := newTmux(t, 100, 30)
	tm.typeLine("stty -g > $HOME/tty.before; clear")

	// The log arrives on stdin and the pipe stays open: the UI shows the
	// bytes read, then the findings once the log ends, with no key pressed.
	tm.typeLine("(cat examples/logs/github-actions-go-test.log; sleep 3) | " + bin + " analyze -; echo exit=$?")
	s := tm.waitForText("no finding yet: waiting for job logs…")
	check(t, strings.Contains(s, "jobs 0/1 fetched, 0 analyzed"), "progress while the log streams:\n%s", s)
	s = tm.waitForText("done · 8 findings · 1 job analyzed")
	check(t, strings.Contains(s, "destill standard input"), "header names stdin:\n%s", s)
	check(t, hasColour(tm.run("capture-pane", "-t", "e2e", "-p", "-e")), "colour by severity on a colour terminal")

	// Ctrl-C quits too, restores the terminal and leaves the summary.
	tm.keys("C-c")
	tm.waitForLine("exit=0")
	tm.typeLine("stty -g | cmp -s - $HOME/tty.before && echo tty-restored")
	tm.waitForLine("tty-restored")
	check(t, strings.Contains(tm.scrollback(), "#1  0.95  test-failure  stdin:78"), "summary in scrollback:\n%s", tm.scrollback())

	// NO_COLOR: no colour anywhere on the UI's screen; --no-summary: nothing left behind.
	tm.typeLine("clear; NO_COLOR=1 " + bin + " analyze --no-summary examples/logs/github-actions-go-test.log; echo exit=$?")
	tm.waitForText("done · 8 findings")
	painted := tm.run("capture-pane", "-t", "e2e", "-p", "-e")
	check(t, !hasColour(painted), "NO_COLOR leaves no colour:\n%q", painted)
	tm.keys("q")
	s = tm.waitForLine("exit=0")
	check(t, !strings.Contains(s, "test-failure"), "--no-summary prints nothing:\n%s", s)

	// A pipe is not a terminal: plain text, no UI.
	tm.typeLine("clear; " + bin + " analyze examples/logs/github-actions-go-test.log | head -3; echo done-piped")
	s = tm.waitForLine("done-piped")
	check(t, strings.Contains(s, "destill: examples/logs/github-actions-go-test.log — 8 finding(s)"), "text when stdout is a pipe:\n%s", s)
}

func check(t *testing.T, ok bool, format string, args ...any) {
	t.Helper()
	if !ok {
		t.Fatalf(format, args...)
	}
}
