package sources

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestResolveRedactsEveryEnvToken: whatever the input, every provider
// token in the environment (Jenkins' API token too) is among the secrets
// to redact, once: a log file may print any of them.
func TestResolveRedactsEveryEnvToken(t *testing.T) {
	env := map[string]string{
		EnvGitHubToken: "ghtok-1", EnvGHToken: "ghtok-1", EnvGitLabToken: " gltok-2 ", EnvBuildkiteToken: "bktok-3",
		EnvJenkinsToken: "jktok-4", EnvJenkinsUser: "ci-bot",
	}
	cfg := Config{Getenv: func(k string) string { return env[k] }, Stdin: strings.NewReader("")}
	for _, arg := range []string{"build.log", "-"} {
		in, err := Resolve(arg, cfg)
		require.NoError(t, err)
		require.Equal(t, []string{"ghtok-1", "gltok-2", "bktok-3", "jktok-4"}, in.Secrets, arg)
	}
	in, err := Resolve("build.log", Config{})
	require.NoError(t, err)
	require.Empty(t, in.Secrets)
}
