package gitlab

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/providertest"
)

func TestJobState(t *testing.T) {
	tests := []struct {
		status, reason string
		want           providers.JobState
	}{
		{"success", "", providers.JobPassed},
		{"failed", "script_failure", providers.JobFailed},
		{"failed", "job_execution_timeout", providers.JobTimedOut},
		{"failed", "stuck_or_timeout_failure", providers.JobTimedOut},
		{"canceled", "", providers.JobCancelled},
		{"skipped", "", providers.JobSkipped},
		{"manual", "", providers.JobManual},
		{"running", "", providers.JobRunning},
		{"pending", "", providers.JobPending},
	}
	for _, tt := range tests {
		got, _ := jobState(tt.status, tt.reason)
		require.Equal(t, tt.want, got, tt.status+" "+tt.reason)
	}
}

func TestStepKeyDropsParallelAndMatrix(t *testing.T) {
	for in, want := range map[string]string{"rspec 2/4": "rspec", "test: [ruby, 3.2]": "test", "lint": "lint"} {
		require.Equal(t, want, convertJob(jobJSON{Name: in}).StepKey)
	}
}

func TestBuildAgainstFake(t *testing.T) {
	sc := providertest.DemoGitLab()
	sc.MaxPerPage = 2
	fake := providertest.New(t, sc)
	ref, err := providers.ParseBuildURL(fake.WebURL(0))
	require.NoError(t, err)
	src := New(ref, providers.ClientConfig{BaseURL: fake.GitLabURL(), Token: fake.Token(), TokenVar: "GITLAB_TOKEN"})
	b, err := src.Build(context.Background())
	require.NoError(t, err)
	require.Len(t, b.Jobs, 5)
	require.Equal(t, 3, fake.Requests("/gitlab/api/v4/projects/acme/platform/api/pipelines/1234567/jobs"), "3 pages of 2")
	unit := b.Jobs[1]
	require.Equal(t, "test", unit.Step)
	require.Equal(t, fake.JobWebURL(0, 1)+"#L{line}", unit.LineURL)
	require.True(t, b.Jobs[2].SoftFailed)

	// The trace is a redirect to object storage, which answers 403 to a
	// request carrying PRIVATE-TOKEN (Go would forward it).
	rc, err := src.OpenLog(context.Background(), unit)
	require.NoError(t, err)
	log, _ := io.ReadAll(rc)
	rc.Close()
	require.Contains(t, string(log), "--- FAIL: TestUploadRetry")

	loc, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(mustReq(t, fake.GitLabURL()+"/projects/acme%2Fplatform%2Fapi/jobs/"+unit.ID+"/trace", fake.Token()))
	require.NoError(t, err)
	loc.Body.Close()
	require.Equal(t, http.StatusFound, loc.StatusCode)
	resp, err := http.DefaultClient.Do(mustReq(t, loc.Header.Get("Location"), fake.Token()))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusForbidden, resp.StatusCode, "the fake blob host rejects credentials")
}

func mustReq(t *testing.T, url, token string) *http.Request {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	req.Header.Set("PRIVATE-TOKEN", token)
	return req
}

// TestAnswerURLsGetNoToken points the URLs an answer names (the next page
// of jobs, the trace's redirect) at a hostile host: it gets requests,
// never the token.
func TestAnswerURLsGetNoToken(t *testing.T) {
	sc := providertest.DemoGitLab()
	sc.MaxPerPage = 2
	providertest.RequireAnswerURLsGetNoToken(t, sc, func(f *providertest.Fake, ref providers.BuildRef) providertest.BuildReader {
		return New(ref, providers.ClientConfig{BaseURL: f.GitLabURL(), Token: f.Token()})
	}, "Link", "Location")
}
