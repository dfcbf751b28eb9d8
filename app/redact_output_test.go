package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/analysis/analysistest"
	"github.com/destill-dev/destill/app/cache"
	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/providertest"
)

// envToken is a provider token in the environment of these tests. It has
// no known token shape: only destill knowing it can redact it.
const envToken = "EnvTok-8c1f7a2e93d4b6"

// secretsLog writes the token corpus's log, with a line holding envToken,
// to a file and returns its path and every secret in it.
func secretsLog(t *testing.T) (string, []string) {
	t.Helper()
	log, secrets := analysistest.SecretLog()
	log += "error: registry rejected the credentials " + envToken + "\n"
	path := filepath.Join(t.TempDir(), "secrets.log")
	require.NoError(t, os.WriteFile(path, []byte(log), 0o600))
	return path, append(secrets, envToken)
}

// requireRedacted fails when out holds a secret, or does not show every
// format's finding (the test would prove nothing).
func requireRedacted(t *testing.T, out string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		require.NotContains(t, out, s, "a secret leaked")
	}
	for _, f := range analysistest.SecretFormats() {
		require.Contains(t, out, "credentials leaked ("+f.Name+")", "the format's finding is not shown")
	}
	require.Contains(t, out, "registry rejected the credentials [REDACTED]", "the environment's token is redacted, not dropped")
}

// TestOutputFormatsRedactTokenFormats runs `analyze FILE` on the corpus
// in each output format, with a provider token in the environment.
func TestOutputFormatsRedactTokenFormats(t *testing.T) {
	t.Parallel()
	path, secrets := secretsLog(t)
	for _, format := range []string{"text", "json", "markdown"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			r := mainRun(t, []string{"GITHUB_TOKEN", envToken}, "analyze", "--format", format, "--top", "100", path)
			require.Equal(t, exitOK, r.code, r.err)
			requireRedacted(t, r.out+r.err, secrets)
		})
	}
}

// framesScreen keeps every frame the UI showed.
type framesScreen struct {
	*recordingScreen
	mu  sync.Mutex
	all strings.Builder
}

func (f *framesScreen) Show() {
	f.recordingScreen.Show()
	s, _ := f.screen()
	f.mu.Lock()
	f.all.WriteString(s)
	f.mu.Unlock()
}

func (f *framesScreen) frames() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.all.String()
}

// TestUIRedactsTokenFormats walks the interactive UI through every finding
// of the corpus: no frame, and not the summary left on exit, shows a secret.
func TestUIRedactsTokenFormats(t *testing.T) {
	path, secrets := secretsLog(t)
	scr := &framesScreen{recordingScreen: newRecordingScreen()}
	streams, out, errOut := tuiStreams(scr, "NO_COLOR", "1", "GITHUB_TOKEN", envToken)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	code := startMain(ctx, streams, "analyze", "--top", "100", path)
	scr.waitFor(t, "1 job analyzed")
	n := len(analysistest.SecretFormats()) + 1
	for range n {
		scr.typeKeys("j")
		time.Sleep(20 * time.Millisecond)
	}
	scr.waitFor(t, "registry rejected the credentials") // the last finding, in the detail pane
	scr.typeKeys("q")
	require.Equal(t, exitOK, waitExit(t, code), errOut.String())
	requireRedacted(t, scr.frames(), secrets)
	summary := out.String()
	require.Contains(t, summary, fmt.Sprintf("#%d  ", n), "the summary lists every finding")
	for _, s := range secrets {
		require.NotContains(t, summary, s, "a secret leaked into the summary")
	}
}

// TestCacheOnDiskHoldsNoSecrets analyzes a build whose log holds the
// corpus, and whose test report a token, with the cache on, twice (the second run reads the cache), then
// reads back every entry the cache holds: none may contain a secret.
func TestCacheOnDiskHoldsNoSecrets(t *testing.T) {
	t.Parallel()
	path, secrets := secretsLog(t)
	log, err := os.ReadFile(path)
	require.NoError(t, err)
	sc := oneFailedBuild(providers.KindBuildkite, string(log))
	junitToken := "ghp_" + "Hx8Rt2Lq9Vw4Zc6Nb1Mk3Pj7Sd5Fg0Ya2Ue8"
	sc.Builds[0].Jobs[1].Artifacts = []providertest.Artifact{{Path: "reports/junit.xml", Content: `<testsuite name="deploy">` +
		`<testcase name="TestPublish" classname="deploy"><failure message="push rejected for ` + junitToken + `">` +
		"login with " + junitToken + " failed</failure></testcase></testsuite>"}}
	secrets = append(secrets, junitToken)
	fake := newFake(t, sc)
	dir := t.TempDir()
	env := withCache(fake, dir, "GITLAB_TOKEN", envToken)
	for range 2 {
		r := analyzeURL(t, fake, fake.WebURL(0), env, "--no-baseline")
		require.Equal(t, exitOK, r.code, r.err)
		requireRedacted(t, r.out, secrets)
	}
	store, err := cache.Open(dir, cache.Options{})
	require.NoError(t, err)
	entries, err := store.List()
	require.NoError(t, err)
	kinds := map[string]bool{}
	for _, e := range entries {
		kinds[e.Kind] = true
		data, _, err := store.Get(e.Kind, e.Key)
		require.NoError(t, err)
		raw, err := os.ReadFile(e.Path)
		require.NoError(t, err)
		for _, s := range secrets {
			require.NotContains(t, string(data), s, "the cached %s %q holds a secret", e.Kind, e.Key)
			require.NotContains(t, string(raw), s)
		}
	}
	require.True(t, kinds[cache.KindLog] && kinds[cache.KindResult] && kinds[cache.KindTests], "the log, its analysis and the test reports are cached: %v", kinds)
}
