package buildkite

import (
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/providertest"
)

func TestJobState(t *testing.T) {
	tests := []struct {
		in   string
		want providers.JobState
		ran  bool
	}{
		{"passed", providers.JobPassed, true},
		{"failed", providers.JobFailed, true},
		{"timed_out", providers.JobTimedOut, true},
		{"canceled", providers.JobCancelled, true},
		{"expired", providers.JobCancelled, false},
		{"broken", providers.JobBroken, false},
		{"waiting_failed", providers.JobBroken, false},
		{"skipped", providers.JobSkipped, false},
		{"blocked", providers.JobBlocked, false},
		{"running", providers.JobRunning, true},
		{"timing_out", providers.JobRunning, true},
		{"scheduled", providers.JobPending, false},
		{"something_new", providers.JobUnknown, false},
	}
	for _, tt := range tests {
		got, ran := jobState(tt.in)
		require.Equal(t, tt.want, got, tt.in)
		require.Equal(t, tt.ran, ran, tt.in)
	}
}

func TestBuildAgainstFake(t *testing.T) {
	sc := providertest.DemoBuildkite()
	sc.MaxPerPage = 2 // the jobs list spans several cursor pages
	fake := providertest.New(t, sc)
	ref, err := providers.ParseBuildURL(fake.WebURL(0))
	require.NoError(t, err)
	src := New(ref, providers.ClientConfig{BaseURL: fake.BuildkiteURL(), Token: fake.Token(), TokenVar: "BUILDKITE_API_TOKEN"})
	b, err := src.Build(context.Background())
	require.NoError(t, err)
	require.Equal(t, providers.KindBuildkite, b.Provider)
	require.Equal(t, int64(4211), b.Number)
	require.Equal(t, "acme/api", b.Pipeline)
	require.Equal(t, "failed", b.State)
	require.Len(t, b.Jobs, 6, "every job but the waiter, retried ones included")
	require.Equal(t, 4, fake.Requests("/buildkite/v2/organizations/acme/pipelines/api/builds/4211/jobs"))

	retried, unit, soft, lost, broken := b.Jobs[1], b.Jobs[2], b.Jobs[3], b.Jobs[4], b.Jobs[5]
	require.True(t, retried.Retried)
	require.Equal(t, ":go: Unit tests", unit.Name)
	require.Equal(t, "unit", unit.StepKey)
	require.Equal(t, 2, unit.Attempt)
	require.True(t, unit.Failed())
	require.True(t, unit.HasLog)
	require.Equal(t, fake.JobWebURL(0, 2), unit.URL)
	require.True(t, soft.SoftFailed)
	require.False(t, soft.Failed())
	require.Nil(t, lost.ExitStatus)
	require.True(t, lost.Failed())
	require.Equal(t, providers.JobBroken, broken.State)
	require.False(t, broken.HasLog)

	rc, err := src.OpenLog(context.Background(), unit)
	require.NoError(t, err)
	log, _ := io.ReadAll(rc)
	rc.Close()
	require.Contains(t, string(log), "--- FAIL: TestUploadRetry")

	reports, err := src.TestReports(context.Background(), []providers.Job{unit, lost})
	require.NoError(t, err)
	require.Len(t, reports, 1)
	require.Equal(t, unit.ID, reports[0].JobID)
	require.Len(t, reports[0].Failed, 2)
}

func TestStepLinkSelectsTheStepsJobs(t *testing.T) {
	fake := providertest.New(t, providertest.DemoBuildkite())
	ref, err := providers.ParseBuildURL(fake.WebURL(0))
	require.NoError(t, err)
	src := New(ref, providers.ClientConfig{BaseURL: fake.BuildkiteURL(), Token: fake.Token()})
	all, err := src.Build(context.Background())
	require.NoError(t, err)
	// The fake gives every job of a step key the same step ID; find the
	// unit step's through a second client that reads the raw jobs.
	var stepID string
	src.mu.Lock()
	stepID = src.jobs[all.Jobs[2].ID].Step.ID
	src.mu.Unlock()
	ref.StepID = stepID
	b, err := New(ref, providers.ClientConfig{BaseURL: fake.BuildkiteURL(), Token: fake.Token()}).Build(context.Background())
	require.NoError(t, err)
	require.Len(t, b.Jobs, 2, "both attempts of the unit step")
}

// TestAnswerURLsGetNoToken points the URLs an answer names (the next page
// of jobs, a job's raw_log_url, an artifact's download_url and its
// redirect) at a hostile host: it gets requests, never the token.
func TestAnswerURLsGetNoToken(t *testing.T) {
	sc := providertest.DemoBuildkite()
	sc.MaxPerPage = 2
	providertest.RequireAnswerURLsGetNoToken(t, sc, func(f *providertest.Fake, ref providers.BuildRef) providertest.BuildReader {
		return New(ref, providers.ClientConfig{BaseURL: f.BuildkiteURL(), Token: f.Token()})
	}, "next", "raw_log_url", "download_url", "Location")
}

// TestBuildWithoutTheJobList reads a build from an API whose newer job
// list answers 404: the jobs embedded in the build, retried ones included,
// make the same build.
func TestBuildWithoutTheJobList(t *testing.T) {
	read := func(sc providertest.Scenario) (providers.Build, *providertest.Fake, *Client) {
		fake := providertest.New(t, sc)
		ref, err := providers.ParseBuildURL(fake.WebURL(0))
		require.NoError(t, err)
		src := New(ref, providers.ClientConfig{BaseURL: fake.BuildkiteURL(), Token: fake.Token()})
		b, err := src.Build(context.Background())
		require.NoError(t, err)
		return b, fake, src
	}
	want, _, _ := read(providertest.DemoBuildkite())
	sc := providertest.DemoBuildkite()
	sc.NoBuildkiteJobList = true
	got, fake, src := read(sc)
	require.Equal(t, want, got)
	require.Len(t, got.Jobs, 6, "every job but the waiter, retried ones included")
	const build = "/buildkite/v2/organizations/acme/pipelines/api/builds/4211"
	require.Subset(t, fake.Paths(), []string{build + " 2", build + "/jobs 1"}, "the list tried once, then the build with its jobs")

	rc, err := src.OpenLog(context.Background(), got.Jobs[2])
	require.NoError(t, err, "its raw_log_url is known")
	log, _ := io.ReadAll(rc)
	rc.Close()
	require.Contains(t, string(log), "--- FAIL: TestUploadRetry")
}
