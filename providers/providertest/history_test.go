package providertest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/providers"
)

// history is one pipeline's builds: two passed on main, one failed and
// one passed on a branch, and a build of another pipeline.
func history(kind providers.Kind) Scenario {
	b := func(n int64, branch, state string) Build {
		build := Build{Provider: kind, Org: "acme", Repo: "api", Number: n, Branch: branch,
			Jobs: []Job{{Name: "test", State: state, Log: "ok\n"}, {Name: "old", State: "passed", Retried: true}}}
		if kind == providers.KindGitLab {
			build.Org, build.Repo = "", "acme/api"
		}
		return build
	}
	other := b(99, "main", "passed")
	other.Repo += "-docs"
	return Scenario{DefaultBranch: "trunk", MaxPerPage: 1, Builds: []Build{
		b(10, "trunk", "passed"), b(12, "fix", "failed"), b(11, "fix", "passed"), b(13, "trunk", "passed"), other,
	}}
}

// TestBuildListsFilterAndPaginate asks each API for a pipeline's passed
// builds on a branch, newest first, a page at a time, and for its default
// branch.
func TestBuildListsFilterAndPaginate(t *testing.T) {
	for _, kind := range []providers.Kind{providers.KindBuildkite, providers.KindGitHubActions, providers.KindGitLab} {
		t.Run(string(kind), func(t *testing.T) {
			fake := New(t, history(kind))
			auth := map[string]string{"Authorization": "Bearer " + fake.Token()}
			var list, defURL string
			switch kind {
			case providers.KindBuildkite:
				defURL = fake.BuildkiteURL() + "/v2/organizations/acme/pipelines/api"
				list = defURL + "/builds?branch=trunk&state=passed"
			case providers.KindGitHubActions:
				defURL = fake.GitHubURL() + "/repos/acme/api"
				list = defURL + "/actions/workflows/61234567/runs?branch=trunk&status=success"
			case providers.KindGitLab:
				defURL = fake.GitLabURL() + "/projects/acme%2Fapi"
				list = defURL + "/pipelines?ref=trunk&status=success&order_by=id&sort=desc"
			}
			var numbers []int64
			for next := list; next != ""; {
				resp, body := get(t, next, auth)
				require.Equal(t, http.StatusOK, resp.StatusCode, body)
				numbers = append(numbers, listedNumbers(t, kind, body)...)
				next = nextLink(resp.Header.Get("Link"))
				if kind == providers.KindBuildkite && len(numbers) == 1 {
					var builds []map[string]any
					require.NoError(t, json.Unmarshal([]byte(body), &builds))
					require.Len(t, builds[0]["jobs"], 1, "jobs embedded, retried ones left out")
				}
			}
			require.Equal(t, []int64{13, 10}, numbers, "passed builds on trunk, newest first, one per page")

			resp, body := get(t, defURL, auth)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			var def struct {
				DefaultBranch string `json:"default_branch"`
			}
			require.NoError(t, json.Unmarshal([]byte(body), &def))
			require.Equal(t, "trunk", def.DefaultBranch)
		})
	}
}

func listedNumbers(t *testing.T, kind providers.Kind, body string) []int64 {
	var out []int64
	switch kind {
	case providers.KindGitHubActions:
		var page struct {
			Runs []struct {
				ID int64 `json:"id"`
			} `json:"workflow_runs"`
		}
		require.NoError(t, json.Unmarshal([]byte(body), &page))
		for _, r := range page.Runs {
			out = append(out, r.ID)
		}
	default:
		// A Buildkite build's number; a GitLab pipeline's ID.
		field := map[providers.Kind]string{providers.KindBuildkite: "number", providers.KindGitLab: "id"}[kind]
		var items []map[string]any
		require.NoError(t, json.Unmarshal([]byte(body), &items))
		for _, it := range items {
			out = append(out, int64(it[field].(float64)))
		}
	}
	return out
}

// nextLink returns the rel="next" URL of a Link header.
func nextLink(h string) string {
	for _, part := range strings.Split(h, ",") {
		target, rel, ok := strings.Cut(strings.TrimSpace(part), ">; ")
		if ok && rel == `rel="next"` {
			return strings.TrimPrefix(target, "<")
		}
	}
	return ""
}
