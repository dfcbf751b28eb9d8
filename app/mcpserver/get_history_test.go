package mcpserver

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/providertest"
)

// TestGetHistory asks an assistant's question, "is this failure new?",
// about the findings of build 20 of HistoryPipeline, then what keeps
// failing its pipeline.
func TestGetHistory(t *testing.T) {
	t.Parallel()
	b, fake := setupProvider(t, providertest.HistoryPipeline(providers.KindGitHubActions), nil)
	an, _ := call[AnalyzeBuildOutput](t, b, "analyze_build", map[string]any{"url": fake.WebURL(providertest.HistoryBuilds - 1), "top": 10})

	fp := func(message string) string {
		for _, f := range an.Findings {
			if strings.Contains(f.Message, message) {
				return f.Fingerprint
			}
		}
		t.Fatalf("no finding %q", message)
		return ""
	}
	recurring, text := call[GetHistoryOutput](t, b, "get_history", map[string]any{
		"request_id": an.RequestID, "fingerprint": fp(providertest.HistoryRecurring)[:8], "builds": 19})
	require.Equal(t, analysis.VerdictRecurring, recurring.History.Verdict)
	require.Equal(t, 8, recurring.History.FailedBuilds)
	require.Equal(t, providertest.HistoryNumber(providers.KindGitHubActions, 12), recurring.History.FirstSeen.Number)
	require.Equal(t, 19, recurring.Window.Builds)
	require.Contains(t, text, "most likely not this change")
	require.Contains(t, text, "failing main since #")

	fake.ResetCounts()
	flaky, _ := call[GetHistoryOutput](t, b, "get_history", map[string]any{
		"request_id": an.RequestID, "fingerprint": fp(providertest.HistoryFlaky), "builds": 19})
	require.Equal(t, analysis.VerdictFlaky, flaky.History.Verdict)
	require.Len(t, flaky.History.Flaky, 3)
	require.Zero(t, fake.LogRequests(), "the server keeps what it read")

	fresh, text := call[GetHistoryOutput](t, b, "get_history", map[string]any{
		"request_id": an.RequestID, "fingerprint": fp(providertest.HistoryNew), "builds": 19})
	require.Equal(t, analysis.VerdictNew, fresh.History.Verdict)
	require.Contains(t, text, "most likely caused by this change")

	pipe, text := call[GetHistoryOutput](t, b, "get_history", map[string]any{
		"url": "https://github.com/acme/api/actions/workflows/ci.yml", "builds": 20, "top": 2})
	require.NotNil(t, pipe.Pipeline)
	require.Len(t, pipe.Pipeline.Failures, 2)
	require.Equal(t, analysis.VerdictNoise, pipe.Pipeline.Failures[0].History.Verdict)
	require.Equal(t, 9, pipe.Pipeline.Failures[1].History.FailedBuilds)
	require.Contains(t, text, "destill history: https://github.com/acme/api/actions/workflows/ci.yml")

	for _, tc := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{}, "give request_id and fingerprint"},
		{map[string]any{"request_id": an.RequestID, "url": "https://github.com/acme/api/actions/workflows/ci.yml"}, "not both"},
		{map[string]any{"request_id": an.RequestID, "fingerprint": "zzzz"}, "no finding has fingerprint"},
		{map[string]any{"url": "https://github.com/acme/api"}, "not a pipeline URL"},
	} {
		require.Contains(t, callErr(t, b, "get_history", tc.args), tc.want)
	}
}
