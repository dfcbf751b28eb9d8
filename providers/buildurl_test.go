package providers

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseBuildURL(t *testing.T) {
	const job = "0190a3c2-5e2b-7c41-9d1e-2b8f4a6c0e13"
	tests := []struct {
		in   string
		want BuildRef
	}{
		{"https://buildkite.com/acme/api/builds/4211",
			BuildRef{Provider: KindBuildkite, WebBase: "https://buildkite.com", Org: "acme", Repo: "api", Number: 4211}},
		{"https://buildkite.com/acme/api/builds/4211/",
			BuildRef{Provider: KindBuildkite, WebBase: "https://buildkite.com", Org: "acme", Repo: "api", Number: 4211}},
		{"https://buildkite.com/acme/api/builds/4211#" + job,
			BuildRef{Provider: KindBuildkite, WebBase: "https://buildkite.com", Org: "acme", Repo: "api", Number: 4211, JobID: job}},
		{"<https://buildkite.com/acme/api/builds/4211#" + job + ">",
			BuildRef{Provider: KindBuildkite, WebBase: "https://buildkite.com", Org: "acme", Repo: "api", Number: 4211, JobID: job}},
		{"https://buildkite.com/acme/api/builds/4211/steps/canvas?jid=" + job + "&tab=output",
			BuildRef{Provider: KindBuildkite, WebBase: "https://buildkite.com", Org: "acme", Repo: "api", Number: 4211, JobID: job}},
		{"https://buildkite.com/acme/api/builds/4211/jobs/" + job,
			BuildRef{Provider: KindBuildkite, WebBase: "https://buildkite.com", Org: "acme", Repo: "api", Number: 4211, JobID: job}},
		{"https://buildkite.com/acme/api/builds/4211/list?sid=" + job + "&tab=output",
			BuildRef{Provider: KindBuildkite, WebBase: "https://buildkite.com", Org: "acme", Repo: "api", Number: 4211, StepID: job}},
		{"https://api.buildkite.com/v2/organizations/acme/pipelines/api/builds/4211",
			BuildRef{Provider: KindBuildkite, WebBase: "https://buildkite.com", Org: "acme", Repo: "api", Number: 4211}},
		{"https://github.com/acme/api/actions/runs/9876543210",
			BuildRef{Provider: KindGitHubActions, WebBase: "https://github.com", Org: "acme", Repo: "api", Number: 9876543210}},
		{"https://github.com/acme/api/actions/runs/9876543210/attempts/2",
			BuildRef{Provider: KindGitHubActions, WebBase: "https://github.com", Org: "acme", Repo: "api", Number: 9876543210, Attempt: 2}},
		{"https://github.com/acme/api/actions/runs/9876543210/job/27182818284?pr=12#step:4:118",
			BuildRef{Provider: KindGitHubActions, WebBase: "https://github.com", Org: "acme", Repo: "api", Number: 9876543210, JobID: "27182818284"}},
		{"https://git.acme.corp/acme/api/actions/runs/77",
			BuildRef{Provider: KindGitHubActions, WebBase: "https://git.acme.corp", Org: "acme", Repo: "api", Number: 77}},
		{"https://gitlab.com/acme/api/-/pipelines/1234567",
			BuildRef{Provider: KindGitLab, WebBase: "https://gitlab.com", Repo: "acme/api", Number: 1234567}},
		{"https://gitlab.com/acme/platform/web/api/-/pipelines/1234567/failures",
			BuildRef{Provider: KindGitLab, WebBase: "https://gitlab.com", Repo: "acme/platform/web/api", Number: 1234567}},
		{"https://gitlab.com/acme/api/-/jobs/8812345678",
			BuildRef{Provider: KindGitLab, WebBase: "https://gitlab.com", Repo: "acme/api", JobID: "8812345678"}},
		{"https://ci.example.org:8443/team/svc/-/jobs/42/raw",
			BuildRef{Provider: KindGitLab, WebBase: "https://ci.example.org:8443", Repo: "team/svc", JobID: "42"}},
		{"https://gitlab.com/acme/api/pipelines/99",
			BuildRef{Provider: KindGitLab, WebBase: "https://gitlab.com", Repo: "acme/api", Number: 99}},
		// Hosts as a connection names them: lower case, no trailing dot,
		// IDNs in ASCII.
		{"https://GitHub.COM./acme/api/actions/runs/5",
			BuildRef{Provider: KindGitHubActions, WebBase: "https://github.com", Org: "acme", Repo: "api", Number: 5}},
		{"HTTPS://GHE.Example.com.:8443/acme/api/actions/runs/77",
			BuildRef{Provider: KindGitHubActions, WebBase: "https://ghe.example.com:8443", Org: "acme", Repo: "api", Number: 77}},
		{"https://gіthub.com/acme/api/actions/runs/5", // Cyrillic і
			BuildRef{Provider: KindGitHubActions, WebBase: "https://xn--gthub-n2e.com", Org: "acme", Repo: "api", Number: 5}},
		{"http://[::1]:8080/acme/api/actions/runs/5",
			BuildRef{Provider: KindGitHubActions, WebBase: "http://[::1]:8080", Org: "acme", Repo: "api", Number: 5}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseBuildURL(tt.in)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestParseBuildURLRejects(t *testing.T) {
	tests := []struct {
		in, expect string
	}{
		{"https://buildkite.com/acme/api", "https://buildkite.com/ORG/PIPELINE/builds/N"},
		{"https://buildkite.com/acme/api/builds/latest", "https://buildkite.com/ORG/PIPELINE/builds/N"},
		{"https://github.com/acme/api/pull/12", "https://github.com/OWNER/REPO/actions/runs/RUN_ID"},
		{"https://github.com/acme/api/actions/runs/abc", "https://github.com/OWNER/REPO/actions/runs/RUN_ID"},
		{"https://github.com/acme/api/actions/runs/1/attempts/x", "https://github.com/OWNER/REPO/actions/runs/RUN_ID"},
		{"https://gitlab.com/acme/api/-/merge_requests/3", "/-/pipelines/ID"},
		{"https://gitlab.com/-/pipelines/3", "/-/pipelines/ID"},
		{"https://example.com/build/3", "expected https://buildkite.com/ORG/PIPELINE/builds/N[#JOB_ID], https://github.com"},
		{"ftp://buildkite.com/acme/api/builds/1", "expected"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseBuildURL(tt.in)
			require.Error(t, err)
			require.Contains(t, err.Error(), "not a build URL: "+tt.in)
			require.Contains(t, err.Error(), tt.expect)
			require.NotContains(t, err.Error(), "\n")
		})
	}
}

func TestParseBuildURLRejectsUserInfo(t *testing.T) {
	for _, in := range []string{
		"https://api.github.com@evil.example/acme/api/actions/runs/1",
		"https://github.com:443@evil.example/acme/api/actions/runs/1",
		"https://buildkite.com:secret@evil.example/acme/api/builds/1",
	} {
		_, err := ParseBuildURL(in)
		require.ErrorContains(t, err, "has a user@ part before its host evil.example", in)
		require.NotContains(t, err.Error(), "secret", "a password is not repeated")
	}
}

func TestBuildRefString(t *testing.T) {
	for _, in := range []string{
		"https://buildkite.com/acme/api/builds/4211#0190a3c2-5e2b-7c41-9d1e-2b8f4a6c0e13",
		"https://github.com/acme/api/actions/runs/9876543210/attempts/2",
		"https://github.com/acme/api/actions/runs/9876543210/job/27182818284",
		"https://gitlab.com/acme/platform/api/-/pipelines/1234567",
		"https://gitlab.com/acme/api/-/jobs/8812345678",
	} {
		ref, err := ParseBuildURL(in)
		require.NoError(t, err)
		require.Equal(t, in, ref.String())
		require.False(t, strings.Contains(ref.String(), "//-"))
	}
}
