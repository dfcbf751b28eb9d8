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

	for _, demo := range []struct{ name, url, want string }{
		{"buildkite", "https://buildkite.com/acme/api/builds/4211", "--- FAIL: TestUploadRetry"},
		// Jenkins is served at the fake's own address, its credentials
		// sent there as basic auth (JENKINS_URL).
		{"jenkins", "/jenkins/job/team/job/api/job/main/1234/", `"step": "Test"`},
	} {
		t.Run(demo.name, func(t *testing.T) {
			url, env, stop := startFakeci(t, filepath.Join(dir, "fakeci"), demo.name)
			defer stop()
			require.Contains(t, url, demo.url)

			cmd := exec.Command(filepath.Join(dir, "destill"), "analyze", "--json", url)
			cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "DESTILL_CACHE_DIR=" + t.TempDir()}, env...)
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
			require.Contains(t, string(out), demo.want)
			require.NotContains(t, string(out), "fake-ci-token")
		})
	}
}

// startFakeci runs fakeci with a demo and returns the first build's URL,
// the environment it printed, and a function that stops it.
func startFakeci(t *testing.T, bin, demo string) (string, []string, func()) {
	t.Helper()
	fake := exec.Command(bin, "-demo", demo)
	stdin, err := fake.StdinPipe()
	require.NoError(t, err)
	stdout, err := fake.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, fake.Start())
	stop := func() {
		stdin.Close() // fakeci exits when its stdin closes
		fake.Wait()
	}
	var env []string
	var url string
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && sc.Text() != "READY" {
		if u, ok := strings.CutPrefix(sc.Text(), "URL="); ok {
			if url == "" {
				url = u
			}
			continue
		}
		env = append(env, sc.Text())
	}
	return url, env, stop
}
