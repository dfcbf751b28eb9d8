package mcpserver

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/providers/providertest"
)

// TestAnalyzeBuildComparesWithPassingLogs: analyze_build finds baselines as
// destill analyze does, says which, and a second analysis of the server
// reuses what the first found.
func TestAnalyzeBuildComparesWithPassingLogs(t *testing.T) {
	t.Parallel()
	b, fake := setupProvider(t, providertest.DemoBaseline(), nil)
	analyze := func() AnalyzeBuildOutput {
		res := callAny(t, b, "analyze_build", map[string]any{"url": fake.WebURL(0)})
		require.False(t, res.IsError, resultText(res))
		require.Contains(t, resultText(res), "\nbaseline: per-job (2 of 2 analyzed jobs compared with a passing log; see each job's baseline)\n")
		var out AnalyzeBuildOutput
		raw, _ := json.Marshal(res.StructuredContent)
		require.NoError(t, json.Unmarshal(raw, &out))
		return out
	}
	out := analyze()
	require.Equal(t, "per-job", out.Baseline.Kind)
	require.Contains(t, out.Findings[0].Message, "Error: billing has model changes without a migration")
	require.Contains(t, out.Findings[0].Reasons, "new-vs-baseline")
	require.Equal(t, 2+2, fake.LogRequests(), "the failed logs and one baseline log per job group")

	fake.ResetCounts()
	again := analyze()
	require.Equal(t, out.Findings[0].Fingerprint, again.Findings[0].Fingerprint)
	require.Equal(t, 2, fake.LogRequests(), "only the failed logs: the baselines came from the server's cache")
	require.Zero(t, fake.Requests("/github/repos/acme/billing/actions/workflows/"), "no second search")
}
