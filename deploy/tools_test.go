package deploy

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// repoRoot is the repository, seen from this package's directory.
const repoRoot = ".."

// need returns the path of a command the test needs. Without it the test
// skips, or fails when CI is set (.ci/run installs it).
func need(t *testing.T, name, install string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s not found: .ci/run installs it (%s)", name, install)
		}
		t.Skipf("%s not found: %s", name, install)
	}
	return p
}

// run runs a command in dir and returns its stdout and stderr.
func run(t *testing.T, dir string, env []string, name string, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return out.String(), errOut.String(), err
}

// goBin is the go command that runs this test.
func goBin() string { return filepath.Join(runtime.GOROOT(), "bin", "go") }

// pathWithGo puts this test's go first on PATH, for scripts that run go.
func pathWithGo() string {
	return "PATH=" + filepath.Dir(goBin()) + string(os.PathListSeparator) + os.Getenv("PATH")
}
