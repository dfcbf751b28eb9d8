package providertest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/providers"
)

func get(t *testing.T, url string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

func TestScenarioJSONRoundTrip(t *testing.T) {
	sc := DemoSlow()
	data, err := json.Marshal(sc)
	require.NoError(t, err)
	require.Contains(t, string(data), `"log_delay":"300ms"`)
	var back Scenario
	require.NoError(t, json.Unmarshal(data, &back))
	require.Equal(t, sc, back)
}

func TestBlobHostRejectsCredentialsAndCountsRequests(t *testing.T) {
	fake := New(t, DemoGitHubMatrix())
	auth := map[string]string{"Authorization": "Bearer " + fake.Token()}
	job := fake.Scenario().Builds[0].Jobs[2]
	resp, _ := get(t, fake.GitHubURL()+"/repos/acme/api/actions/jobs/"+job.ID+"/logs", auth)
	require.Equal(t, http.StatusFound, resp.StatusCode)
	loc := resp.Header.Get("Location")
	require.True(t, strings.HasPrefix(loc, "http://localhost:"), "another hostname than the API's 127.0.0.1: %s", loc)

	resp, body := get(t, loc, auth)
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	require.Contains(t, body, "AuthenticationFailed")
	resp, body = get(t, loc, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body, "--- FAIL: TestUploadRetry")
	require.Equal(t, 1, fake.LogRequests())
	require.Equal(t, 2, fake.Requests("/actions-results/"))

	resp, _ = get(t, fake.GitHubURL()+"/repos/acme/api/actions/runs/9876543210", nil)
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	fake.ResetCounts()
	require.Equal(t, 0, fake.Requests(""))
}

func TestFaultsAreUsedUp(t *testing.T) {
	sc := DemoBuildkite()
	sc.Faults = []Fault{{Provider: providers.KindBuildkite, Path: "/builds/4211", Status: 429, RetryAfter: 2, Times: 2}}
	fake := New(t, sc)
	auth := map[string]string{"Authorization": "Bearer " + fake.Token()}
	url := fake.BuildkiteURL() + "/v2/organizations/acme/pipelines/api/builds/4211"
	for i := 0; i < 2; i++ {
		resp, body := get(t, url, auth)
		require.Equal(t, 429, resp.StatusCode)
		require.Equal(t, "2", resp.Header.Get("Retry-After"))
		require.Equal(t, "2", resp.Header.Get("RateLimit-Reset"))
		require.Contains(t, body, "exceeded your API rate limit")
	}
	resp, _ := get(t, url, auth)
	require.Equal(t, 200, resp.StatusCode)
}

func TestGeneratedLogHasExactSizeAndEndsInLog(t *testing.T) {
	for _, kind := range []providers.Kind{providers.KindBuildkite, providers.KindGitHubActions, providers.KindGitLab} {
		sc := Scenario{Builds: []Build{{Provider: kind, Org: "o", Repo: "r", Number: 1, Jobs: []Job{
			{Name: "j", State: "failed", Log: "THE END\n", LogSize: 1<<20 + 12345},
		}}}}
		fake := New(t, sc)
		job := fake.Scenario().Builds[0].Jobs[0]
		var url string
		switch kind {
		case providers.KindBuildkite:
			url = fake.BuildkiteURL() + "/v2/organizations/o/pipelines/r/builds/1/jobs/" + job.ID + "/log.txt"
		case providers.KindGitHubActions:
			resp, _ := get(t, fake.GitHubURL()+"/repos/o/r/actions/jobs/"+job.ID+"/logs", map[string]string{"Authorization": "Bearer " + fake.Token()})
			url = resp.Header.Get("Location")
		case providers.KindGitLab:
			url = fake.GitLabURL() + "/projects/r/jobs/" + job.ID + "/trace"
		}
		creds := map[string]string{"Authorization": "Bearer " + fake.Token()}
		if kind == providers.KindGitHubActions {
			creds = nil // the blob host
		}
		resp, body := get(t, url, creds)
		require.Equal(t, 200, resp.StatusCode, string(kind))
		require.Len(t, body, 1<<20+12345, string(kind))
		require.True(t, strings.HasSuffix(body, "\nTHE END\n"), string(kind))
	}
}
