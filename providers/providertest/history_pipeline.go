package providertest

import (
	"fmt"
	"time"

	"github.com/destill-dev/destill/providers"
)

// What HistoryPipeline plants, for tests to look for.
const (
	// HistoryFlaky is the flaky test's failure: job "unit" fails with it on
	// attempt 1 and passes on attempt 2 in builds 4, 7 and 10 (Jenkins,
	// which has no attempts: those builds fail, and builds 5, 8 and 11
	// build the same commits again and pass), and build 20 fails with it.
	HistoryFlaky = "--- FAIL: TestUploadRetry (0.31s)"
	// HistoryRecurring fails job "integration" from build 12 on.
	HistoryRecurring = "Error: dial tcp 10.0.0.7:5432: connect: connection refused"
	// HistoryNew fails job "lint" in build 20 only.
	HistoryNew = "internal/api/handler.go:41:2: undefined: ordersClient"
	// HistoryNoise is printed by every "unit" and "integration" job,
	// passing or failing.
	HistoryNoise = "ERROR: cache server unavailable at cache.internal:8080, continuing without cache"
	// HistoryOtherBranch fails the one build on another branch.
	HistoryOtherBranch = "FATAL: feature flag store unreachable"
)

// HistoryBuilds is how many builds of main HistoryPipeline holds.
const HistoryBuilds = 20

// HistoryNumber is the build number (Buildkite, Jenkins), run ID (GitHub)
// or pipeline ID (GitLab) of build n (1-based) of HistoryPipeline.
func HistoryNumber(kind providers.Kind, n int) int64 {
	switch kind {
	case providers.KindGitHubActions:
		return 9876540000 + int64(n)*10
	case providers.KindGitLab:
		return 1543860000 + int64(n)*10
	}
	return int64(n)
}

// HistoryFinishedAt is when build n of HistoryPipeline finished.
func HistoryFinishedAt(n int) time.Time {
	return time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Hour)
}

// HistoryPipeline is one pipeline of kind ("acme/api" on Buildkite and
// GitHub, "acme/api" on GitLab, the Jenkins job "acme/api/main") with 20
// finished builds on main, numbered as HistoryNumber says, holding a flaky
// test, a failure recurring since build 12, a new failure in build 20 and
// noise that passing jobs print too (see the History constants). Besides
// them: a failed build on branch feature/x (not for Jenkins, where a
// branch is another job) and a build of main still running, numbered
// after build 20; neither is part of main's history.
func HistoryPipeline(kind providers.Kind) Scenario {
	format := func(lines ...string) string {
		switch kind {
		case providers.KindBuildkite:
			return BuildkiteLog(lines...)
		case providers.KindGitHubActions:
			return GitHubLog(lines...)
		case providers.KindGitLab:
			return GitLabLog(lines...)
		}
		out := ""
		for _, l := range lines {
			out += l + "\n"
		}
		return out
	}
	unit := func(fail bool) string {
		lines := []string{"$ go test ./...", HistoryNoise, "=== RUN   TestUploadRetry"}
		if fail {
			return format(append(lines, "    retry_test.go:88: got 2 attempts, want 3", HistoryFlaky, "FAIL",
				"FAIL\tgithub.com/acme/api/internal/upload\t0.412s")...)
		}
		return format(append(lines, "--- PASS: TestUploadRetry (0.30s)", "ok  \tgithub.com/acme/api/internal/upload\t0.402s")...)
	}
	integration := func(fail bool) string {
		lines := []string{"$ make integration", HistoryNoise, "starting orders service"}
		if fail {
			return format(append(lines, HistoryRecurring, "make: *** [Makefile:31: integration] Error 1")...)
		}
		return format(append(lines, "orders service ready", "PASS: 41 integration tests")...)
	}
	lint := func(fail bool) string {
		if fail {
			return format("$ go vet ./...", "# github.com/acme/api/internal/api", HistoryNew, "make: *** [Makefile:12: lint] Error 1")
		}
		return format("$ go vet ./...", "lint: no issues")
	}
	state := func(fail bool) string {
		if fail {
			return "failed"
		}
		return "passed"
	}
	commit := func(n int) string {
		switch n {
		case 5, 8, 11: // Jenkins rebuilds the commit of the build before
			n--
		}
		return fmt.Sprintf("%07x%033d", 0xc0ffee+n, n)
	}
	org, repo := "acme", "api"
	switch kind {
	case providers.KindGitLab:
		org = ""
		repo = "acme/api"
	case providers.KindJenkins:
		org = ""
		repo = "acme/api/main"
	}
	var builds []Build
	for n := 1; n <= HistoryBuilds; n++ {
		flaky := n == 4 || n == 7 || n == 10
		recurring := n >= 12
		b := Build{Provider: kind, Org: org, Repo: repo, Number: HistoryNumber(kind, n), Branch: "main", Commit: commit(n),
			FinishedAt: HistoryFinishedAt(n)}
		switch {
		case kind == providers.KindJenkins:
			b.Jobs = []Job{
				{Name: "unit", State: state(flaky || n == 20), Log: unit(flaky || n == 20)},
				{Name: "integration", State: state(recurring), Log: integration(recurring)},
				{Name: "lint", State: state(n == 20), Log: lint(n == 20)},
			}
		case flaky:
			b.Attempt = 2
			b.Jobs = []Job{
				{Name: "unit", State: "failed", Retried: true, Attempt: 1, Log: unit(true)},
				{Name: "integration", State: state(recurring), Attempt: 1, Log: integration(recurring)},
				{Name: "lint", State: "passed", Attempt: 1, Log: lint(false)},
				{Name: "unit", State: "passed", Attempt: 2, Log: unit(false)},
			}
		default:
			b.Jobs = []Job{
				{Name: "unit", State: state(n == 20), Log: unit(n == 20)},
				{Name: "integration", State: state(recurring), Log: integration(recurring)},
				{Name: "lint", State: state(n == 20), Log: lint(n == 20)},
			}
		}
		builds = append(builds, b)
	}
	next := HistoryBuilds + 1
	if kind != providers.KindJenkins {
		builds = append(builds, Build{Provider: kind, Org: org, Repo: repo, Number: HistoryNumber(kind, next), Branch: "feature/x",
			Commit: commit(next), FinishedAt: HistoryFinishedAt(next), Jobs: []Job{
				{Name: "unit", State: "failed", Log: format(HistoryOtherBranch)},
			}})
		next++
	}
	builds = append(builds, Build{Provider: kind, Org: org, Repo: repo, Number: HistoryNumber(kind, next), Branch: "main",
		Commit: commit(next), Jobs: []Job{{Name: "unit", State: "running", Log: unit(false)}}})
	return Scenario{Builds: builds}
}
