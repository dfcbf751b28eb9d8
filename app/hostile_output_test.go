package app

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/providertest"
	"github.com/destill-dev/destill/render/rendertest"
)

// requireSafe fails when out holds a character that would drive the
// terminal showing it.
func requireSafe(t *testing.T, what, out string) {
	t.Helper()
	if bad := rendertest.FindForbidden(out); len(bad) > 0 {
		t.Fatalf("%s: control characters reach the terminal: %v\n%q", what, bad, out)
	}
}

// TestHostileSavedResultIsSanitized re-opens a saved result whose every
// string holds escape sequences, C1 controls, BEL and bidi overrides: text
// and Markdown output, the interactive UI and its exit summary hold none.
func TestHostileSavedResultIsSanitized(t *testing.T) {
	t.Parallel()
	saved := filepath.Join(t.TempDir(), "evil.json")
	data, err := json.Marshal(rendertest.HostileReport())
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(saved, data, 0o600))

	for _, args := range [][]string{
		{"analyze", "--cache", saved, "--format", "text"},
		{"analyze", "--cache", saved, "--format", "markdown"},
		{"view", saved, "--format", "text"},
	} {
		code, out, errOut := runMain(t, "", args...)
		require.Equal(t, exitOK, code, errOut)
		requireSafe(t, strings.Join(args, " "), out+errOut)
		require.Contains(t, out, "JobName:", "%s shows the job", args)
	}

	requireSafeUI(t, nil, []string{"view", saved}, "Category:", "JobName:")
}

// requireSafeUI runs destill with args in the interactive UI until it
// shows shown, quits, and checks the screen and the summary left behind.
func requireSafeUI(t *testing.T, env, args []string, shown, inSummary string) {
	t.Helper()
	scr := newRecordingScreen()
	streams, out, errOut := tuiStreams(scr, append(env, "NO_COLOR", "1")...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	code := startMain(ctx, streams, args...)
	requireSafe(t, "the UI", scr.waitFor(t, shown))
	scr.typeKeys("q")
	require.Equal(t, exitOK, waitExit(t, code))
	requireSafe(t, "the exit summary", out.String()+errOut.String())
	require.Contains(t, out.String(), inSummary)
}

// TestHostileAPIAnswersAreSanitized analyzes a build whose job names, step
// names, pipeline and branch from the API hold escape sequences, then a
// build whose API error message does: the text output, the exit summary
// of the UI and the error line hold none of them.
func TestHostileAPIAnswersAreSanitized(t *testing.T) {
	t.Parallel()
	h := rendertest.Hostile
	body, err := json.Marshal(map[string]string{"message": "Resource not accessible " + h})
	require.NoError(t, err)
	sc := providertest.Scenario{Builds: []providertest.Build{{
		Provider: providers.KindGitHubActions, Org: "acme", Repo: "api", Number: 42, Workflow: "CI" + h, Branch: "main" + h,
		Jobs: []providertest.Job{{Name: "unit " + h, Step: "Run tests " + h, State: "failed",
			Log: providertest.GitHubLog("--- FAIL: TestUpload "+h, "error: upload failed "+h)}},
	}, {
		Provider: providers.KindGitHubActions, Org: "acme", Repo: "api", Number: 43,
		Jobs: []providertest.Job{{Name: "unit", State: "failed", Log: providertest.GitHubLog("boom")}},
	}}, Faults: []providertest.Fault{{Provider: providers.KindGitHubActions, Path: "/runs/43", Status: 403,
		Body: string(body)}}}
	fake := providertest.New(t, sc)

	streams, out, errOut := TestStreams("", fake.Env()...)
	streams.StderrTTY = true // progress lines too
	code := Main(context.Background(), []string{"destill", "analyze", "--format", "text", fake.WebURL(0)}, streams)
	require.Equal(t, exitOK, code, errOut.String())
	requireSafe(t, "text output", out.String())
	requireSafe(t, "stderr", strings.ReplaceAll(errOut.String(), "\r\x1b[K", "")) // the progress line's own clearing
	require.Contains(t, out.String(), "unit ")
	require.Contains(t, out.String(), "[red]tag[-]")

	requireSafeUI(t, fake.Env(), []string{"analyze", fake.WebURL(0)}, "TestUpload", "TestUpload")

	code, outText, errText := runEnv(t, fake.Env(), "analyze", "--format", "text", fake.WebURL(1))
	require.Equal(t, exitFailure, code)
	require.Empty(t, outText)
	requireSafe(t, "the error", errText)
	require.Contains(t, errText, "Resource not accessible")
	require.Equal(t, 1, strings.Count(errText, "\n"), "one line: %q", errText)
}
