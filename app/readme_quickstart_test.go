package app

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/destill-dev/destill/internal/needs"
)

// readmeBlock returns the first ```sh block after heading in README.md.
func readmeBlock(t *testing.T, heading string) string {
	t.Helper()
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	i := strings.Index(s, "\n"+heading+"\n")
	if i < 0 {
		t.Fatalf("README.md has no heading %q", heading)
	}
	s = s[i:]
	start := strings.Index(s, "\n```sh\n")
	end := strings.Index(s[start+7:], "\n```\n")
	if start < 0 || end < 0 {
		t.Fatalf("no ```sh block under %q", heading)
	}
	return s[start+7 : start+7+end+1]
}

// TestE2EReadmeQuickstart runs the README's distributed quickstart ("Run it
// locally") exactly as written, line after line in one bash, on this
// checkout: PostgreSQL and a broker come up, two workers start, a build is
// submitted, view shows its findings, and everything stops and is removed.
func TestE2EReadmeQuickstart(t *testing.T) {
	for _, tool := range []string{"bash", "make", "go"} {
		needs.Tool(t, tool)
	}
	if _, err := exec.Command("bash", "-c", ". ../scripts/pg.sh && pg_find_bin").Output(); err != nil {
		needs.Missing(t, "PostgreSQL", "no PostgreSQL server binaries (/usr/lib/postgresql/*/bin or initdb on PATH)", needs.InstallAll)
	}
	block := readmeBlock(t, "### Run it locally")
	for _, want := range []string{"local-backends.sh up", "migrate", "ingest-worker", "analyze-worker", "submit", "view", "local-backends.sh down"} {
		if !strings.Contains(block, want) {
			t.Fatalf("the quickstart lost its %q step:\n%s", want, block)
		}
	}

	// The script's folder, under one the postgres user can pass through
	// (root runs the server as postgres).
	parent, err := os.MkdirTemp("", "dquick")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(parent) })
	if err := os.Chmod(parent, 0o711); err != nil {
		t.Fatal(err)
	}
	local := filepath.Join(parent, "local")
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "DESTILL_") || strings.HasSuffix(name, "_TOKEN") || strings.HasSuffix(name, "_API_URL") || name == "JENKINS_URL" {
			continue // nothing of the machine's, as in a fresh shell
		}
		env = append(env, kv)
	}
	env = append(env, "DESTILL_LOCAL_DIR="+local)
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		down := exec.Command("scripts/local-backends.sh", "down")
		down.Dir, down.Env = root, env
		_ = down.Run()
	})

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", block)
	cmd.Dir, cmd.Env = root, env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // anything it left behind
	if err != nil {
		t.Fatalf("the quickstart failed: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
	}
	text := out.String()
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^Request [0-9a-f-]{36}: done`),
		regexp.MustCompile(`(?m)^destill: https://github.com/acme/api/actions/runs/\d+ — \d+ finding\(s\)`),
		regexp.MustCompile(`(?m)^#1  \d\.\d\d  test-failure  `),
		regexp.MustCompile(`--- FAIL: TestUploadRetry`),
		regexp.MustCompile(`(?m)^REQUEST +STATUS .*\n[0-9a-f-]{36} +done `),
	} {
		if !want.MatchString(text) {
			t.Errorf("the output lacks %v:\n%s\nstderr:\n%s", want, text, errOut.String())
		}
	}
	if _, err := os.Stat(local); !os.IsNotExist(err) {
		t.Errorf("down left %s behind (%v)", local, err)
	}
}
