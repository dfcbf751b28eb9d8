package providers

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseJenkinsBuildURL(t *testing.T) {
	const ci = "https://ci.example.com"
	ref := func(root, repo string, n int64) BuildRef {
		return BuildRef{Provider: KindJenkins, WebBase: ci + root, Repo: repo, Number: n}
	}
	tests := []struct {
		in        string
		want      BuildRef
		canonical string
	}{
		{ci + "/job/api/1234/", ref("", "api", 1234), ci + "/job/api/1234/"},
		{ci + "/job/api/1234", ref("", "api", 1234), ci + "/job/api/1234/"},
		{ci + "/job/api/1234/console", ref("", "api", 1234), ""},
		{ci + "/job/api/1234/consoleFull", ref("", "api", 1234), ""},
		{ci + "/job/api/1234/consoleText", ref("", "api", 1234), ""},
		{ci + "/job/api/1234/display/redirect", ref("", "api", 1234), ""},
		{ci + "/job/team/job/api/job/main/1234/", ref("", "team/api/main", 1234), ""},
		{ci + "/jenkins/job/team/job/api/job/main/1234/testReport/", ref("/jenkins", "team/api/main", 1234), ci + "/jenkins/job/team/job/api/job/main/1234/"},
		{ci + "/view/All/job/team/view/nightly/job/api/12/", ref("", "team/api", 12), ci + "/job/team/job/api/12/"},
		{ci + "/me/my-views/view/all/job/api/12/", ref("", "api", 12), ""},
		// A multibranch job's name for branch feature/login is
		// "feature%2Flogin"; its URL escapes that once more.
		{ci + "/job/team/job/api/job/feature%252Flogin/7/", ref("", "team/api/feature%2Flogin", 7), ci + "/job/team/job/api/job/feature%252Flogin/7/"},
		{ci + "/job/team/job/api/job/feature%2Flogin/7/", ref("", "team/api/feature%2Flogin", 7), ci + "/job/team/job/api/job/feature%252Flogin/7/"},
		{ci + "/job/my%20app/3/", ref("", "my app", 3), ci + "/job/my%20app/3/"},
		{ci + "/blue/organizations/jenkins/team%2Fapi/detail/main/1234/pipeline", ref("", "team/api/main", 1234), ci + "/job/team/job/api/job/main/1234/"},
		{ci + "/blue/organizations/jenkins/team%2Fapi/detail/feature%2Flogin/7/pipeline/45", ref("", "team/api/feature%2Flogin", 7), ""},
		{ci + "/jenkins/blue/organizations/jenkins/deploy/detail/deploy/9/pipeline", ref("/jenkins", "deploy", 9), ci + "/jenkins/job/deploy/9/"},
		{"http://127.0.0.1:8080/job/api/5/", BuildRef{Provider: KindJenkins, WebBase: "http://127.0.0.1:8080", Repo: "api", Number: 5}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseBuildURL(tt.in)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
			if tt.canonical != "" {
				require.Equal(t, tt.canonical, got.String())
			}
		})
	}

	got, err := ParseBuildURL(ci + "/job/team/job/api/lastFailedBuild/console")
	require.NoError(t, err)
	require.Equal(t, BuildRef{Provider: KindJenkins, WebBase: ci, Repo: "team/api", Permalink: "lastFailedBuild"}, got)
	require.Equal(t, ci+"/job/team/job/api/lastFailedBuild/", got.String())
}

func TestParseJenkinsBuildURLRejects(t *testing.T) {
	for _, in := range []string{
		"https://ci.example.com/job/api/",
		"https://ci.example.com/job/api/latest/",
		"https://ci.example.com/job/api/job/",
		"https://ci.example.com/job/api/0/",
		"https://ci.example.com/blue/organizations/jenkins/api/activity",
		"https://jenkins.example.com/manage/",
	} {
		_, err := ParseBuildURL(in)
		require.Error(t, err, in)
		require.Contains(t, err.Error(), "https://JENKINS/job/NAME[/job/…]/N", in)
	}
}
