package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRealBinaryAgainstFakeci builds fakeci and destill, serves a demo and
// runs "destill analyze" on it as a user would.
func TestRealBinaryAgainstFakeci(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two binaries")
	}
	dir := t.TempDir()
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	for pkg, out := range map[string]string{".": "fakeci", "../../..": "destill"} {
		cmd := exec.Command(goBin, "build", "-o", filepath.Join(dir, out), pkg)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		b, err := cmd.CombinedOutput()
		require.NoError(t, err, string(b))
	}

	fake := exec.Command(filepath.Join(dir, "fakeci"), "-demo", "buildkite")
	stdin, err := fake.StdinPipe()
	require.NoError(t, err)
	stdout, err := fake.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, fake.Start())
	defer func() {
		stdin.Close() // fakeci exits when its stdin closes
		fake.Wait()
	}()
	var env []string
	var url string
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && sc.Text() != "READY" {
		if u, ok := strings.CutPrefix(sc.Text(), "URL="); ok {
			url = u
			continue
		}
		env = append(env, sc.Text())
	}
	require.Equal(t, "https://buildkite.com/acme/api/builds/4211", url)

	cmd := exec.Command(filepath.Join(dir, "destill"), "analyze", "--json", url)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	out, err := cmd.Output()
	require.NoError(t, err)
	var rep struct {
		Findings []struct {
			Message string `json:"message"`
			JobName string `json:"job_name"`
		} `json:"findings"`
	}
	require.NoError(t, json.Unmarshal(out, &rep))
	require.NotEmpty(t, rep.Findings)
	require.Contains(t, string(out), "--- FAIL: TestUploadRetry")
	require.NotContains(t, string(out), "fake-ci-token")
}
