package jenkins

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/providertest"
)

// client reads url from fake with the fake's credentials for JENKINS_URL.
func client(t *testing.T, fake *providertest.Fake, url string) *Source {
	t.Helper()
	ref, err := providers.ParseBuildURL(url)
	require.NoError(t, err)
	return New(ref, providers.ClientConfig{BaseURL: fake.JenkinsURL(), User: fake.JenkinsUser(), UserVar: "JENKINS_USER_ID",
		Token: fake.Token(), TokenVar: "JENKINS_API_TOKEN"})
}

func readLog(t *testing.T, s *Source, job providers.Job) string {
	t.Helper()
	rc, err := s.OpenLog(context.Background(), job)
	require.NoError(t, err)
	defer rc.Close()
	b, err := io.ReadAll(rc)
	require.NoError(t, err)
	return string(b)
}

func TestBuildAgainstFake(t *testing.T) {
	fake := providertest.New(t, providertest.DemoJenkins())
	s := client(t, fake, fake.WebURL(0))
	b, err := s.Build(context.Background())
	require.NoError(t, err)
	require.Equal(t, providers.KindJenkins, b.Provider)
	require.Equal(t, int64(1234), b.Number)
	require.Equal(t, "FAILURE", b.State)
	require.Equal(t, "main", b.Branch)
	require.Equal(t, fake.Scenario().Builds[0].Commit, b.Commit)
	require.Equal(t, fake.WebURL(0), b.URL)
	require.False(t, b.Running)
	require.Len(t, b.Jobs, 1, "one console log")
	job := b.Jobs[0]
	require.Equal(t, "team/api/main", job.Name)
	require.Equal(t, "Test", job.Step, "the stage that failed, from the Stage View")
	require.True(t, job.Failed())
	require.True(t, job.HasLog)
	require.False(t, job.StartedAt.IsZero())
	require.True(t, job.FinishedAt.After(job.StartedAt))

	log := readLog(t, s, job)
	require.Contains(t, log, "[Pipeline] { (Test)")
	require.Contains(t, log, "--- FAIL: TestUploadRetry")
	require.True(t, strings.HasSuffix(log, "Finished: FAILURE\n"))
	require.Equal(t, 1, fake.Requests("/jenkins/job/team/job/api/job/main/1234/consoleText"))

	reports, err := s.TestReports(context.Background(), b.Jobs)
	require.NoError(t, err)
	require.Len(t, reports, 1)
	require.Equal(t, job.ID, reports[0].JobID)
	require.Len(t, reports[0].Failed, 2, "the failed cases, not the passing one")
	require.Equal(t, providers.TestCase{Name: "TestUploadRetry", Classname: "github.com/acme/api/internal/upload",
		Message: "Failed", Details: "retry_test.go:88: got 2 attempts, want 3"}, reports[0].Failed[0])

	// The passing build before it is the automatic baseline.
	prev, ok, err := s.PassingBuild(context.Background(), b.Branch)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, int64(1233), prev.Number)
	require.Equal(t, providers.JobPassed, prev.Jobs[0].State)
	require.Equal(t, job.Name, prev.Jobs[0].Name)
	require.Contains(t, readLog(t, s, prev.Jobs[0]), "ok  \tgithub.com/acme/api/internal/upload")
	require.Equal(t, fake.JenkinsURL()+"/job/team/job/api/job/main/", s.Scope())
}

func TestPermalinkIsResolved(t *testing.T) {
	fake := providertest.New(t, providertest.DemoJenkins())
	for link, want := range map[string]int64{"lastFailedBuild": 1234, "lastSuccessfulBuild": 1233, "lastBuild": 1234} {
		s := client(t, fake, fake.JenkinsURL()+"/job/team/job/api/job/main/"+link+"/console")
		b, err := s.Build(context.Background())
		require.NoError(t, err, link)
		require.Equal(t, want, b.Number, link)
		require.Contains(t, readLog(t, s, b.Jobs[0]), "Finished: ", link)
	}
}

func TestStagesFromBlueOcean(t *testing.T) {
	for _, multibranch := range []bool{true, false} {
		sc := providertest.DemoJenkins()
		sc.NoStageView = true
		if !multibranch {
			for i := range sc.Builds {
				sc.Builds[i].Multibranch = false
				sc.Builds[i].Repo = "team/deploy"
			}
		}
		fake := providertest.New(t, sc)
		b, err := client(t, fake, fake.WebURL(0)).Build(context.Background())
		require.NoError(t, err)
		require.Equal(t, "Test", b.Jobs[0].Step)
		if multibranch {
			require.Equal(t, 1, fake.Requests("/jenkins/blue/rest/organizations/jenkins/pipelines/team/pipelines/api/branches/main/runs/1234/nodes/"))
		} else {
			require.Equal(t, 1, fake.Requests("/jenkins/blue/rest/organizations/jenkins/pipelines/team/pipelines/deploy/runs/1234/nodes/"))
		}
	}
}

func TestFreestyleBuild(t *testing.T) {
	fake := providertest.New(t, providertest.Scenario{Builds: []providertest.Build{{
		Provider: providers.KindJenkins, Repo: "nightly", Number: 88, Freestyle: true,
		Jobs: []providertest.Job{{Name: "nightly", State: "failed", Log: "Started by timer\n[nightly] $ /bin/sh -xe /tmp/jenkins1.sh\n+ make\nmake: *** [all] Error 2\nBuild step 'Execute shell' marked build as failure\nFinished: FAILURE\n"}},
	}}})
	s := client(t, fake, fake.WebURL(0))
	b, err := s.Build(context.Background())
	require.NoError(t, err)
	require.Equal(t, "", b.Jobs[0].Step)
	require.True(t, b.Jobs[0].Failed())
	require.Zero(t, fake.Requests("/jenkins/job/nightly/88/wfapi/"), "a freestyle build has no stages")
	require.Contains(t, readLog(t, s, b.Jobs[0]), "marked build as failure")
}

// TestRunningBuildIsReadAsFarAsItGot reads a Pipeline build whose Test
// stage failed while another stage still runs: the log comes from the
// progressive text, and the job is partial.
func TestRunningBuildIsReadAsFarAsItGot(t *testing.T) {
	sc := providertest.DemoJenkins()
	sc.Builds[0].Jobs[2].State = "running"
	fake := providertest.New(t, sc)
	s := client(t, fake, fake.WebURL(0))
	b, err := s.Build(context.Background())
	require.NoError(t, err)
	require.True(t, b.Running)
	require.Equal(t, "BUILDING", b.State)
	job := b.Jobs[0]
	require.True(t, job.Partial)
	require.True(t, job.Failed(), "a stage failed already")
	log := readLog(t, s, job)
	require.Contains(t, log, "--- FAIL: TestUploadRetry")
	require.NotContains(t, log, "Finished:")
	require.Equal(t, 1, fake.Requests("/jenkins/job/team/job/api/job/main/1234/logText/progressiveText"))
	require.Zero(t, fake.Requests("/jenkins/job/team/job/api/job/main/1234/consoleText"))

	// Nothing failed yet: the build is running, its job too.
	sc.Builds[0].Jobs[1].State = "running"
	fake = providertest.New(t, sc)
	b, err = client(t, fake, fake.WebURL(0)).Build(context.Background())
	require.NoError(t, err)
	require.Equal(t, providers.JobRunning, b.Jobs[0].State)
}

func TestProgressiveTextHeaders(t *testing.T) {
	sc := providertest.DemoJenkins()
	sc.Builds[0].Jobs[2].State = "running"
	fake := providertest.New(t, sc)
	get := func(start string) (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodGet, fake.WebURL(0)+"logText/progressiveText?start="+start, nil)
		req.SetBasicAuth(fake.JenkinsUser(), fake.Token())
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}
	resp, all := get("0")
	require.Equal(t, "true", resp.Header.Get("X-More-Data"))
	size := resp.Header.Get("X-Text-Size")
	require.Equal(t, len(all), atoi(t, size))
	resp, rest := get("10")
	require.Equal(t, all[10:], rest)
	require.Equal(t, size, resp.Header.Get("X-Text-Size"))
}

func atoi(t *testing.T, s string) int {
	n := 0
	for _, c := range s {
		require.True(t, c >= '0' && c <= '9', s)
		n = n*10 + int(c-'0')
	}
	return n
}

// TestCrumbFreeGet checks the fake keeps Jenkins' CSRF protection (a POST
// needs a crumb) and that reading a build only ever GETs.
func TestCrumbFreeGet(t *testing.T) {
	fake := providertest.New(t, providertest.DemoJenkins())
	req, _ := http.NewRequest(http.MethodPost, fake.JenkinsURL()+"/job/team/job/api/job/main/build", nil)
	req.SetBasicAuth(fake.JenkinsUser(), fake.Token())
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusForbidden, resp.StatusCode, "a POST without a crumb")

	providertest.ReadBuild(context.Background(), client(t, fake, fake.WebURL(0)))
	require.Equal(t, 1, fake.LogRequests())
}

func TestErrorsSayWhatToDo(t *testing.T) {
	sc := providertest.DemoJenkins()
	tests := []struct {
		name   string
		edit   func(*providertest.Scenario)
		cfg    func(fake *providertest.Fake) providers.ClientConfig
		url    func(fake *providertest.Fake) string
		expect string
	}{
		{name: "wrong token", cfg: func(f *providertest.Fake) providers.ClientConfig {
			return providers.ClientConfig{BaseURL: f.JenkinsURL(), User: f.JenkinsUser(), UserVar: "JENKINS_USER_ID", Token: "wrong", TokenVar: "JENKINS_API_TOKEN"}
		}, expect: "Jenkins rejected the user and API token in JENKINS_USER_ID and JENKINS_API_TOKEN (401 Unauthorized)"},
		{name: "anonymous", cfg: func(f *providertest.Fake) providers.ClientConfig {
			return providers.ClientConfig{UserVar: "JENKINS_USER_ID", TokenVar: "JENKINS_API_TOKEN"}
		}, expect: "refused anonymous access to build team/api/main #1234 (403 Forbidden): the request was anonymous; to send credentials, set JENKINS_URL="},
		{name: "credentials for another Jenkins", cfg: func(f *providertest.Fake) providers.ClientConfig {
			return providers.ClientConfig{BaseURL: "https://ci.example.com", User: "u", UserVar: "JENKINS_USER_ID", Token: "t", TokenVar: "JENKINS_API_TOKEN"}
		}, expect: "is not the Jenkins in JENKINS_URL (https://ci.example.com), so JENKINS_USER_ID and JENKINS_API_TOKEN were not sent to it; set JENKINS_URL="},
		{name: "no access", edit: func(sc *providertest.Scenario) {
			sc.Faults = []providertest.Fault{{Provider: providers.KindJenkins, Status: 403}}
		}, expect: "the Jenkins user in JENKINS_USER_ID lacks access to build team/api/main #1234 (403 Forbidden): it needs Overall/Read and Job/Read"},
		{name: "not found", url: func(f *providertest.Fake) string { return strings.Replace(f.WebURL(0), "1234", "999", 1) },
			expect: "build team/api/main #999 not found (404): check the URL; Jenkins also answers 404 when the user in JENKINS_USER_ID lacks Job/Read"},
		{name: "anonymous, not found", edit: func(sc *providertest.Scenario) { sc.JenkinsAnonymous = true },
			cfg: func(f *providertest.Fake) providers.ClientConfig {
				return providers.ClientConfig{UserVar: "JENKINS_USER_ID", TokenVar: "JENKINS_API_TOKEN"}
			},
			url:    func(f *providertest.Fake) string { return f.JenkinsURL() + "/job/private/3/" },
			expect: "build private #3 not found (404) at "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := sc
			if tt.edit != nil {
				tt.edit(&sc)
			}
			fake := providertest.New(t, sc)
			url := fake.WebURL(0)
			if tt.url != nil {
				url = tt.url(fake)
			}
			s := client(t, fake, url)
			if tt.cfg != nil {
				ref, _ := providers.ParseBuildURL(url)
				s = New(ref, tt.cfg(fake))
			}
			_, err := s.Build(context.Background())
			require.Error(t, err)
			require.Contains(t, err.Error(), tt.expect)
			require.NotContains(t, err.Error(), "\n")
			require.NotContains(t, err.Error(), "<html>")
		})
	}
}

// TestCredentialsOnlyToJenkinsURL reads a build on a host that is not
// JENKINS_URL's: it is asked, anonymously.
func TestCredentialsOnlyToJenkinsURL(t *testing.T) {
	fake := providertest.New(t, providertest.DemoJenkins())
	h := providertest.NewHostile(t, fake.Token())
	for _, u := range []string{h.URL() + "/job/api/12/", "https://evil.example/job/api/12/", "https://ci.example.com.evil.example/jenkins/job/api/12/"} {
		ref, err := providers.ParseBuildURL(u)
		require.NoError(t, err)
		s := New(ref, providers.ClientConfig{BaseURL: "https://ci.example.com/jenkins", User: "ci-bot", UserVar: "JENKINS_USER_ID",
			Token: fake.Token(), TokenVar: "JENKINS_API_TOKEN", HTTP: h.Client()})
		providertest.ReadBuild(context.Background(), s)
		_, err = s.Build(context.Background())
		require.ErrorContains(t, err, "were not sent to it; set JENKINS_URL=")
	}
	h.RequireNoLeak(t)
	require.Len(t, h.Requests(), 6)

	// The harness catches credentials sent: JENKINS_URL's host gets them.
	ref, err := providers.ParseBuildURL("https://ci.example.com/jenkins/job/api/12/")
	require.NoError(t, err)
	s := New(ref, providers.ClientConfig{BaseURL: "https://ci.example.com/jenkins", User: "ci-bot", Token: fake.Token(), HTTP: h.Client()})
	providertest.ReadBuild(context.Background(), s)
	require.Contains(t, strings.Join(h.Leaks(), "\n"), "basic auth ci-bot:"+fake.Token()+" to ci.example.com/jenkins/job/api/12/api/json")
}
