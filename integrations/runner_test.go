package integrations

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"github.com/destill-dev/destill/deploy/deploytest"
)

// decodeStrict decodes YAML into v; unknown, duplicate or wrongly cased
// keys are errors.
func decodeStrict(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	js, err := yaml.YAMLToJSONStrict(b)
	require.NoError(t, err, path)
	strict, err := kjson.UnmarshalStrict(js, v)
	require.NoError(t, err, path)
	require.Empty(t, strict, path)
}

// result is how a script run ended.
type result struct {
	Stdout, Stderr string
	Code           int
}

// runScript runs a bash script file with exactly env (no inherited
// variables, so no token of the machine running the tests leaks in).
func runScript(t *testing.T, script string, env []string) result {
	t.Helper()
	bash, err := exec.LookPath("bash")
	require.NoError(t, err)
	// How GitHub runs a `shell: bash` step, and how Buildkite runs a hook.
	cmd := exec.Command(bash, "--noprofile", "--norc", "-eo", "pipefail", script)
	cmd.Env = env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return result{out.String(), errOut.String(), code}
}

// baseEnv is the environment every script run starts from.
func baseEnv(t *testing.T) []string {
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + t.TempDir(),
		"TMPDIR=" + t.TempDir(),
		"LANG=C.UTF-8",
	}
}

// shellcheck lints the integrations' scripts when shellcheck is installed
// (CI installs it).
func TestScriptsPassShellcheck(t *testing.T) {
	sc := deploytest.Need(t, "shellcheck", "apt-get install -y shellcheck")
	for _, p := range []string{"github-action/destill-summary.sh", "buildkite/hooks/command"} {
		fi, err := os.Stat(p)
		require.NoError(t, err)
		require.NotZero(t, fi.Mode()&0o111, "%s must be executable", p)
		out, err := exec.Command(sc, "--shell=bash", p).CombinedOutput()
		require.NoError(t, err, "%s\n%s", p, out)
	}
}

// runnerOS and runnerArch name this machine as GitHub runners do.
func runnerOS() string {
	return map[string]string{"linux": "Linux", "darwin": "macOS", "windows": "Windows"}[runtime.GOOS]
}

func runnerArch() string {
	return map[string]string{"amd64": "X64", "arm64": "ARM64"}[runtime.GOARCH]
}

// tokenPattern finds anything shaped like the fake's token.
var tokenPattern = regexp.MustCompile(`fake-ci-token-\w+`)

func requireNoToken(t *testing.T, token string, texts ...string) {
	t.Helper()
	for _, s := range texts {
		require.NotContains(t, s, token)
		require.False(t, tokenPattern.MatchString(s), "a token-shaped string leaked: %s", tokenPattern.FindString(s))
	}
}

func abs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	require.NoError(t, err)
	return a
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}
