package mcpserver

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/analysis/analysistest"
	"github.com/destill-dev/destill/providers"
)

// TestTokenFormatsStayRedacted sends every format of the token corpus
// through each tool: no result may hold any of its secrets.
func TestTokenFormatsStayRedacted(t *testing.T) {
	t.Parallel()
	log, secrets := analysistest.SecretLog()
	b := setup(t)
	const url = "https://ci.example/acme/api/runs/555"
	b.addFake(url, &fakeSource{
		build: providers.Build{Provider: providers.KindGitHubActions, ID: "555", Number: 5, Pipeline: "acme/api/ci", State: "failure",
			URL: url, Jobs: []providers.Job{{ID: "1", Name: "deploy", State: providers.JobFailed, ExitStatus: exit(1), HasLog: true}}},
		logs: map[string]string{"1": log},
	})
	do := func(name string, args map[string]any) string {
		t.Helper()
		res, err := b.session.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: args})
		require.NoError(t, err)
		require.False(t, res.IsError, resultText(res))
		raw, err := json.Marshal(res)
		require.NoError(t, err)
		for _, s := range secrets {
			require.NotContains(t, string(raw), s, "%s leaked a secret", name)
		}
		return resultText(res)
	}
	an, _ := call[AnalyzeBuildOutput](t, b, "analyze_build", map[string]any{"url": url, "top": 50})
	require.NotEmpty(t, an.Findings)
	do("analyze_build", map[string]any{"url": url, "top": 50})
	for _, f := range an.Findings {
		do("get_finding", map[string]any{"request_id": an.RequestID, "fingerprint": f.Fingerprint, "context": 50})
	}
	lines := strings.Count(log, "\n")
	text := do("read_log", map[string]any{"request_id": an.RequestID, "from_line": 1, "count": lines})
	for _, f := range analysistest.SecretFormats() {
		require.Contains(t, text, "credentials leaked ("+f.Name+")", "read_log shows the whole log")
	}
	do("search_log", map[string]any{"request_id": an.RequestID, "regex": ".", "before": 5, "after": 5, "limit": lines})
	do("list_jobs", map[string]any{"request_id": an.RequestID})
}
