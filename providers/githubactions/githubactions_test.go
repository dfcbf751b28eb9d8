package githubactions

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/providertest"
)

func TestJobState(t *testing.T) {
	tests := []struct {
		status, conclusion string
		want               providers.JobState
		ran                bool
	}{
		{"completed", "success", providers.JobPassed, true},
		{"completed", "failure", providers.JobFailed, true},
		{"completed", "startup_failure", providers.JobFailed, true},
		{"completed", "timed_out", providers.JobTimedOut, true},
		{"completed", "cancelled", providers.JobCancelled, true},
		{"completed", "skipped", providers.JobSkipped, false},
		{"completed", "neutral", providers.JobPassed, true},
		{"completed", "action_required", providers.JobBlocked, false},
		{"in_progress", "", providers.JobRunning, true},
		{"queued", "", providers.JobPending, false},
		{"waiting", "", providers.JobBlocked, false}, // an environment awaiting approval
	}
	for _, tt := range tests {
		got, ran := jobState(tt.status, tt.conclusion)
		require.Equal(t, tt.want, got, tt.conclusion)
		require.Equal(t, tt.ran, ran, tt.conclusion)
		job := providers.Job{State: got}
		if tt.conclusion == "timed_out" || tt.conclusion == "cancelled" || tt.conclusion == "startup_failure" {
			require.True(t, job.Failed(), "%s is a failure", tt.conclusion)
		}
	}
}

func client(t *testing.T, fake *providertest.Fake, url string) *Client {
	ref, err := providers.ParseBuildURL(url)
	require.NoError(t, err)
	return New(ref, providers.ClientConfig{BaseURL: fake.GitHubURL(), Token: fake.Token(), TokenVar: "GITHUB_TOKEN"})
}

func TestBuildAgainstFake(t *testing.T) {
	fake := providertest.New(t, providertest.DemoGitHubMatrix())
	src := client(t, fake, fake.WebURL(0))
	b, err := src.Build(context.Background())
	require.NoError(t, err)
	require.Equal(t, 2, b.Attempt)
	require.Equal(t, "failure", b.State)
	require.Len(t, b.Jobs, 14, "filter=latest leaves the retried job out")
	require.Equal(t, 2, fake.Requests("/github/repositories/"), "pages 2 and 3 of 5 jobs each, by the Link header")

	test := b.Jobs[1]
	require.Equal(t, "test (ubuntu-latest, 1.23)", test.Name)
	require.Equal(t, "CI/test", test.StepKey, "matrix cells share a step key")
	require.Equal(t, "Run go test ./...", test.Step)
	require.Equal(t, fake.JobWebURL(0, 2), test.URL)
	skipped := b.Jobs[13]
	require.Equal(t, providers.JobSkipped, skipped.State)
	require.False(t, skipped.HasLog)

	rc, err := src.OpenLog(context.Background(), test)
	require.NoError(t, err)
	log, _ := io.ReadAll(rc)
	rc.Close()
	require.True(t, strings.HasPrefix(string(log), "\ufeff2026-"), "the blob, fetched without the token")

	reports, err := src.TestReports(context.Background(), b.Jobs[1:13])
	require.NoError(t, err)
	require.Len(t, reports, 1)
	require.Equal(t, "test (ubuntu-latest, 1.26)", b.Jobs[4].Name)
	require.Equal(t, b.Jobs[4].ID, reports[0].JobID, "the artifact named for the matrix cell")
}

func TestStartupFailure(t *testing.T) {
	sc := providertest.Scenario{Builds: []providertest.Build{{Provider: providers.KindGitHubActions, Org: "acme", Repo: "api", Number: 5, State: "startup_failure"}}}
	fake := providertest.New(t, sc)
	_, err := client(t, fake, fake.WebURL(0)).Build(context.Background())
	require.ErrorContains(t, err, "failed before any job started (startup_failure): the workflow file is probably invalid")
}

func TestMatchJob(t *testing.T) {
	jobs := []providers.Job{{ID: "1", Name: "test (ubuntu-latest, 1.26)"}, {ID: "2", Name: "test (macos-latest, 1.26)"}}
	require.Equal(t, "1", matchJob("junit-ubuntu-latest-1.26", jobs))
	require.Equal(t, "2", matchJob("test-results-macos-latest-1.26", jobs))
	require.Equal(t, "", matchJob("junit", jobs))
	require.Equal(t, "1", matchJob("anything", jobs[:1]))
}

// TestAnswerURLsGetNoToken points the URLs an answer names (the next page,
// an artifact's download, the log's redirect) at a hostile host: it gets
// requests, never the token.
func TestAnswerURLsGetNoToken(t *testing.T) {
	providertest.RequireAnswerURLsGetNoToken(t, providertest.DemoGitHubMatrix(), func(f *providertest.Fake, ref providers.BuildRef) providertest.BuildReader {
		return New(ref, providers.ClientConfig{BaseURL: f.GitHubURL(), Token: f.Token()})
	}, "Link", "archive_download_url", "Location")
}
