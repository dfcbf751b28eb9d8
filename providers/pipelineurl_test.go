package providers

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParsePipelineURL(t *testing.T) {
	cases := []struct {
		in      string
		want    BuildRef
		branch  string
		wantErr string
	}{
		{in: "https://buildkite.com/acme/api", want: BuildRef{Provider: KindBuildkite, WebBase: "https://buildkite.com", Org: "acme", Repo: "api"}},
		{in: "https://buildkite.com/acme/api/builds?branch=main", branch: "main",
			want: BuildRef{Provider: KindBuildkite, WebBase: "https://buildkite.com", Org: "acme", Repo: "api"}},
		{in: "https://api.buildkite.com/v2/organizations/acme/pipelines/api", want: BuildRef{Provider: KindBuildkite, WebBase: "https://buildkite.com", Org: "acme", Repo: "api"}},
		{in: "https://buildkite.com/acme/api/builds/42", want: BuildRef{Provider: KindBuildkite, WebBase: "https://buildkite.com", Org: "acme", Repo: "api", Number: 42}},
		{in: "https://github.com/acme/api/actions/workflows/ci.yml?query=branch%3Amain+is%3Afailure", branch: "main",
			want: BuildRef{Provider: KindGitHubActions, WebBase: "https://github.com", Org: "acme", Repo: "api", Workflow: "ci.yml"}},
		{in: "https://ghe.acme.corp/acme/api/actions/workflows/61234567", want: BuildRef{Provider: KindGitHubActions, WebBase: "https://ghe.acme.corp", Org: "acme", Repo: "api", Workflow: "61234567"}},
		{in: "https://gitlab.com/acme/platform/api/-/pipelines?ref=trunk", branch: "trunk",
			want: BuildRef{Provider: KindGitLab, WebBase: "https://gitlab.com", Repo: "acme/platform/api"}},
		{in: "https://gitlab.com/acme/api", want: BuildRef{Provider: KindGitLab, WebBase: "https://gitlab.com", Repo: "acme/api"}},
		{in: "https://ci.example.com/jenkins/job/team/job/api/job/main/", want: BuildRef{Provider: KindJenkins, WebBase: "https://ci.example.com/jenkins", Repo: "team/api/main"}},
		{in: "https://ci.example.com/job/api/job/feature%252Flogin/", want: BuildRef{Provider: KindJenkins, WebBase: "https://ci.example.com", Repo: "api/feature%2Flogin"}},
		{in: "https://github.com/acme/api", wantErr: "not a pipeline URL"},
		{in: "ftp://buildkite.com/acme/api", wantErr: "not a pipeline URL"},
		{in: "https://user:pw@buildkite.com/acme/api", wantErr: "user@ part"},
		{in: "https://buildkite.com/acme", wantErr: "expected https://buildkite.com/ORG/PIPELINE"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, branch, err := ParsePipelineURL(tc.in)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			require.Equal(t, tc.branch, branch)
		})
	}
	ref, _, _ := ParsePipelineURL("https://gitlab.com/acme/api/-/pipelines")
	require.Equal(t, "https://gitlab.com/acme/api/-/pipelines", ref.PipelineString())
}
