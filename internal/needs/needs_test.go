package needs

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMissingTool is run by TestMissing in a child process: it asks for a
// tool no machine has.
func TestMissingTool(t *testing.T) {
	if os.Getenv("NEEDS_CHILD") == "" {
		t.Skip("run by TestMissing in a child process")
	}
	Tool(t, "destill-no-such-tool")
	t.Fatal("Tool returned without the tool")
}

func TestMissing(t *testing.T) {
	for _, tc := range []struct {
		name      string
		ci        string
		wantFail  bool
		wantSkips string
	}{
		{name: "skips and records", wantSkips: "destill-no-such-tool\t" + InstallAll + "\tTestMissingTool\n"},
		{name: "fails under CI", ci: "true", wantFail: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			skips := filepath.Join(t.TempDir(), "skips")
			cmd := exec.Command(os.Args[0], "-test.run=^TestMissingTool$", "-test.v")
			cmd.Env = append(os.Environ(), "NEEDS_CHILD=1", "CI="+tc.ci, EnvSkipsFile+"="+skips)
			out, err := cmd.CombinedOutput()
			if failed := err != nil; failed != tc.wantFail {
				t.Fatalf("failed = %v, want %v:\n%s", failed, tc.wantFail, out)
			}
			if !strings.Contains(string(out), InstallAll) {
				t.Errorf("the message does not name %q:\n%s", InstallAll, out)
			}
			got, _ := os.ReadFile(skips)
			if string(got) != tc.wantSkips {
				t.Errorf("skips file = %q, want %q", got, tc.wantSkips)
			}
		})
	}
}

// TestRunTestsSummary runs scripts/run-tests.sh, as make test does, over a
// command that records skips as Missing does: the run ends with one line
// naming them, grouped by what installs them, and keeps the command's exit
// status.
func TestRunTestsSummary(t *testing.T) {
	record := `printf '%s\t%s\t%s\n' helm "$1" TestA helm "$1" TestB PostgreSQL "$1" TestC \
		'the cidiff corpus' 'set DESTILL_CORPUS=dir' TestD >>"$DESTILL_SKIPS_FILE"; exit 3`
	cmd := exec.Command("../../scripts/run-tests.sh", "bash", "-c", record, "bash", InstallAll)
	cmd.Env = append(os.Environ(), "DESTILL_TEST_DATABASE_URL=postgres://unused")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("exit = %v, want the command's status 3:\n%s", err, out)
	}
	want := "make test: SKIPPED 4 tests, as something they need is missing: " +
		"PostgreSQL (1), helm (2): install with sudo make deploy-tools; " +
		"the cidiff corpus (1): set DESTILL_CORPUS=dir (with CI=1 they fail instead)\n"
	if string(out) != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
}
