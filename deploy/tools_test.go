package deploy

import (
	"bytes"
	"os"
	"os/exec"
	"testing"
)

// repoRoot is the repository, seen from this package's directory.
const repoRoot = ".."

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
