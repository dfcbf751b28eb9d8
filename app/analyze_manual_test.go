package app

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/providertest"
)

// TestManualJobsOnFinishedBuild analyzes finished builds that hold jobs
// waiting for a person (a GitLab manual job, a Buildkite block step, a
// GitHub deployment awaiting approval) and jobs created behind them: the
// build's own status decides, so a failed build is analyzed without a
// "still running" note and a passed one has nothing to analyze.
func TestManualJobsOnFinishedBuild(t *testing.T) {
	t.Parallel()
	waiting := map[providers.Kind]string{
		providers.KindBuildkite:     "blocked",
		providers.KindGitHubActions: "blocked",
		providers.KindGitLab:        "manual",
	}
	for _, kind := range allKinds {
		for _, failed := range []bool{true, false} {
			name := string(kind) + "/passed"
			if failed {
				name = string(kind) + "/failed"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				sc := oneFailedBuild(kind, "step 1\nerror: cannot connect to database\nexit status 1\n")
				if !failed {
					sc.Builds[0].Jobs[1].State = "passed"
				}
				deploy := providertest.Job{Name: "deploy", State: "blocked"}
				if kind == providers.KindBuildkite {
					deploy.Type = "manual" // a block step
				}
				sc.Builds[0].Jobs = append(sc.Builds[0].Jobs, deploy, providertest.Job{Name: "smoke", State: "created"})
				fake := newFake(t, sc)
				r := analyzeURL(t, fake, fake.WebURL(0), nil)
				require.NotContains(t, r.err+strings.Join(r.rep.Notes, "\n"), "running")
				if !failed {
					require.Equal(t, 1, r.code)
					require.Contains(t, r.err, "build passed: nothing to analyze")
					return
				}
				require.Equal(t, 0, r.code, r.err)
				require.NotNil(t, findingFor(r.rep, "cannot connect to database"))
				require.Equal(t, waiting[kind], jobSummary(r.rep, "deploy").State)
				require.Equal(t, "not_run", jobSummary(r.rep, "smoke").State)
				require.False(t, jobSummary(r.rep, "deploy").Analyzed)
				notes := strings.Join(r.rep.Notes, "\n")
				require.Contains(t, notes, "1 job(s) wait for someone to start or approve them")
				require.Contains(t, notes, "1 job(s) were created but never started")
			})
		}
	}
}
