package baselines

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/sources"
	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/providertest"
)

// provider says how each CI names matrix cells and writes logs.
type provider struct {
	kind providers.Kind
	// cell names a matrix cell of step (and gives its step key, where the
	// provider has one).
	cell func(step, os, version string) (name, key string)
	// log formats neutral lines ("##[group]Run cmd", "##[error]…") the
	// provider's way.
	log func(lines []string) string
}

var provs = []provider{
	{
		kind: providers.KindBuildkite,
		cell: func(step, os, v string) (string, string) { return fmt.Sprintf(":python: %s %s %s", step, os, v), step },
		log: func(lines []string) string {
			return providertest.BuildkiteLog(convert(lines, "~~~ Running ", "", "🚨 Error: The command exited with status 1")...)
		},
	},
	{
		kind: providers.KindGitHubActions,
		cell: func(step, os, v string) (string, string) { return fmt.Sprintf("%s (%s, %s)", step, os, v), "" },
		log:  func(lines []string) string { return providertest.GitHubLog(lines...) },
	},
	{
		kind: providers.KindGitLab,
		cell: func(step, os, v string) (string, string) { return fmt.Sprintf("%s: [%s, %s]", step, os, v), "" },
		log: func(lines []string) string {
			return providertest.GitLabLog(convert(lines, "\x1b[32;1m$ ", "\x1b[0;m", "ERROR: Job failed: exit code 1")...)
		},
	},
}

// convert rewrites GitHub's step groups (the command, echoed with its
// shell) as one command line, and its error verdict as the provider's.
func convert(lines []string, cmdPrefix, cmdSuffix, verdict string) []string {
	var out []string
	inGroup := false
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "##[group]Run "):
			out = append(out, cmdPrefix+strings.TrimPrefix(l, "##[group]Run ")+cmdSuffix)
			inGroup = true
		case l == "##[endgroup]":
			inGroup = false
		case inGroup:
		case strings.HasPrefix(l, "##[error]"):
			out = append(out, verdict)
		default:
			out = append(out, l)
		}
	}
	return out
}

// job returns a job of step in a matrix cell, with a log of lines.
func (p provider) job(step, os, version, state string, lines ...[]string) providertest.Job {
	name, key := p.cell(step, os, version)
	return providertest.Job{Name: name, StepKey: key, Step: "test", State: state, Log: p.log(concat(lines...))}
}

func (p provider) build(number int64, branch string, jobs ...providertest.Job) providertest.Build {
	b := providertest.Build{Provider: p.kind, Org: "acme", Repo: "billing", Number: number, Branch: branch, Jobs: jobs}
	if p.kind == providers.KindGitLab {
		b.Org, b.Repo = "", "acme/billing"
	}
	return b
}

// passingBuild is a build whose test cells all passed.
func (p provider) passingBuild(number int64, branch string) providertest.Build {
	return p.build(number, branch,
		p.job("test", "ubuntu", "3.12", "passed", waitForServices, passingTests),
		p.job("test", "ubuntu", "3.13", "passed", waitForServices, passingTests),
	)
}

// failingBuild is a build whose test cells all failed: no sibling passed.
func (p provider) failingBuild(number int64, branch string) providertest.Build {
	return p.build(number, branch,
		p.job("test", "ubuntu", "3.12", "failed", waitForServices, missingMigration),
		p.job("test", "ubuntu", "3.13", "failed", waitForServices, missingMigration),
	)
}

const testToken = "tok-BASELINE-7c1e55d0a9"

// analyzed is the build under test (the scenario's first), read through
// the real provider client, with the request counts reset.
type analyzed struct {
	fake   *providertest.Fake
	finder Finder
	build  providers.Build
}

func start(t *testing.T, sc providertest.Scenario) analyzed {
	t.Helper()
	sc.Token = testToken
	fake := providertest.New(t, sc)
	in, err := sources.Resolve(fake.WebURL(0), sources.Config{Getenv: fake.Getenv})
	require.NoError(t, err)
	f, ok := in.Source.(Finder)
	require.True(t, ok, "%T finds passing builds", in.Source)
	b, err := in.Source.Build(context.Background())
	require.NoError(t, err)
	fake.ResetCounts()
	return analyzed{fake: fake, finder: f, build: b}
}

func (a analyzed) job(t *testing.T, name string) providers.Job {
	t.Helper()
	for _, j := range a.build.Jobs {
		if j.Name == name {
			return j
		}
	}
	t.Fatalf("no job %q in %v", name, a.build.Jobs)
	return providers.Job{}
}

// apiRequests counts requests to the provider's API (not to the blob host).
func (a analyzed) apiRequests() int {
	return a.fake.Requests("/buildkite/") + a.fake.Requests("/github/") + a.fake.Requests("/gitlab/")
}

// requestsEnding counts API requests whose path ends with suffix.
func (a analyzed) requestsEnding(suffix string) int {
	n := 0
	for _, p := range a.fake.Paths() {
		path, count, _ := strings.Cut(p, " ")
		if strings.HasSuffix(path, suffix) {
			var c int
			fmt.Sscan(count, &c)
			n += c
		}
	}
	return n
}

// lookups is the number of requests a provider needs to find a passing
// build on one branch: the builds list, plus the run's (pipeline's) jobs.
func lookups(k providers.Kind) int {
	if k == providers.KindBuildkite {
		return 1 // jobs are embedded in the builds list
	}
	return 2
}

// defaultBranchRequests is what reading the default branch costs.
func defaultBranchRequests(k providers.Kind) int {
	if k == providers.KindBuildkite {
		return 0 // the build said
	}
	return 1
}

const redisLine = "ERROR: could not connect to redis at localhost:6379: Connection refused"
const migrationLine = "Error: billing has model changes without a migration; run `python manage.py makemigrations billing` and commit the result"

func TestSiblingMatrixJobChosen(t *testing.T) {
	for _, p := range provs {
		t.Run(string(p.kind), func(t *testing.T) {
			a := start(t, providertest.Scenario{Builds: []providertest.Build{p.build(105, "fix/invoice-tz",
				p.job("test", "windows", "3.12", "passed", waitForServices, passingTests),
				p.job("test", "ubuntu", "3.12", "passed", waitForServices, passingTests),
				p.job("test", "ubuntu", "3.13", "failed", waitForServices, missingMigration),
				p.job("test", "ubuntu", "3.14", "failed", waitForServices, missingMigration),
				providertest.Job{Name: "lint", StepKey: "lint", State: "passed", Log: p.log([]string{"##[group]Run ruff check .", "ruff check .", "##[endgroup]", "All checks passed!"})},
			)}})
			auto := New(a.finder, Options{Secrets: []string{testToken}})
			want, _ := p.cell("test", "ubuntu", "3.12")
			var models []*analysis.Baseline
			for _, v := range []string{"3.13", "3.14"} {
				name, _ := p.cell("test", "ubuntu", v)
				model, info, err := auto.Baseline(context.Background(), a.build, a.job(t, name))
				require.NoError(t, err)
				require.NotNil(t, model)
				require.Equal(t, KindSiblingJobs, info.Kind)
				require.Equal(t, "105", info.Build)
				require.Equal(t, a.build.URL, info.URL)
				require.Equal(t, fmt.Sprintf("passing job %q of the same build", want), info.Note,
					"the passing cell sharing the most matrix values, not the Windows one or lint")
				models = append(models, model)
			}
			require.Same(t, models[0], models[1], "one model for the group")
			require.Zero(t, models[0].Novelty(redisLine), "redis refused the passing cell too")
			require.Equal(t, 1.0, models[0].Novelty(migrationLine))
			require.Equal(t, 1, a.fake.LogRequests(), "one passing log for two failed cells")
			require.Equal(t, 1, a.apiRequests(), "no search for other builds")

			model, info, err := auto.Baseline(context.Background(), a.build, a.job(t, "lint"))
			require.NoError(t, err)
			require.Nil(t, model)
			require.Nil(t, info, "passed jobs get no baseline")
		})
	}
}

func TestPreviousPassingBuildChosen(t *testing.T) {
	for _, p := range provs {
		t.Run(string(p.kind), func(t *testing.T) {
			a := start(t, providertest.Scenario{Builds: []providertest.Build{
				p.failingBuild(105, "fix/invoice-tz"),
				p.passingBuild(106, "feature/other"), // newer, another branch
				p.failingBuild(104, "fix/invoice-tz"),
				p.passingBuild(103, "fix/invoice-tz"), // this one
				p.passingBuild(102, "main"),
			}})
			auto := New(a.finder, Options{})
			name, _ := p.cell("test", "ubuntu", "3.13")
			model, info, err := auto.Baseline(context.Background(), a.build, a.job(t, name))
			require.NoError(t, err)
			require.NotNil(t, model)
			require.Equal(t, KindPreviousBuild, info.Kind)
			require.Equal(t, "103", info.Build)
			require.Contains(t, info.URL, "103")
			// The group's first failed cell names the job used for the
			// whole group: the same cell in the passing build.
			first, _ := p.cell("test", "ubuntu", "3.12")
			require.Contains(t, info.Note, fmt.Sprintf("103 on fix/invoice-tz, passing job %q", first))
			require.Zero(t, model.Novelty(redisLine))

			// The other failed cell shares the search; it gets its group's
			// model: the same job, the same log.
			other, _ := p.cell("test", "ubuntu", "3.12")
			model2, info2, err := auto.Baseline(context.Background(), a.build, a.job(t, other))
			require.NoError(t, err)
			require.Same(t, model, model2)
			require.Equal(t, info, info2)
			require.Equal(t, lookups(p.kind)+1, a.apiRequests(), "one search and one log for the group")
			require.Equal(t, 1, a.fake.LogRequests())
		})
	}
}

func TestDefaultBranchFallback(t *testing.T) {
	for _, p := range provs {
		t.Run(string(p.kind), func(t *testing.T) {
			a := start(t, providertest.Scenario{DefaultBranch: "trunk", Builds: []providertest.Build{
				p.failingBuild(105, "fix/invoice-tz"),
				p.failingBuild(104, "fix/invoice-tz"),
				p.passingBuild(103, "main"),
				p.passingBuild(102, "trunk"),
			}})
			auto := New(a.finder, Options{})
			name, _ := p.cell("test", "ubuntu", "3.13")
			model, info, err := auto.Baseline(context.Background(), a.build, a.job(t, name))
			require.NoError(t, err)
			require.NotNil(t, model)
			require.Equal(t, KindPreviousBuild, info.Kind)
			require.Equal(t, "102", info.Build)
			require.Contains(t, info.Note, "102 on trunk (the default branch), passing job")
			// Two searches (the branch finds nothing, then trunk), the
			// default branch, the chosen build's jobs, one log.
			require.Equal(t, 2+defaultBranchRequests(p.kind)+(lookups(p.kind)-1)+1, a.apiRequests(), "%v", a.fake.Paths())
		})
	}
}

func TestNoBaselineFound(t *testing.T) {
	for _, p := range provs {
		t.Run(string(p.kind), func(t *testing.T) {
			a := start(t, providertest.Scenario{Builds: []providertest.Build{
				p.failingBuild(105, "fix/invoice-tz"),
				p.failingBuild(104, "main"),
			}})
			auto := New(a.finder, Options{})
			name, _ := p.cell("test", "ubuntu", "3.13")
			model, info, err := auto.Baseline(context.Background(), a.build, a.job(t, name))
			require.NoError(t, err, "a missing baseline is not an error")
			require.Nil(t, model)
			require.Equal(t, KindNone, info.Kind)
			word := buildWord(p.kind)
			require.Equal(t, fmt.Sprintf("looked for a passing job of the same step in this build (there is none); a passing %s on fix/invoice-tz (there is none); a passing %s on main, the default branch (there is none)", word, word), info.Note)
			require.Equal(t, 2+defaultBranchRequests(p.kind), a.apiRequests(), "%v", a.fake.Paths())
			require.Zero(t, a.fake.LogRequests())
		})
	}
}

func TestPassingBuildWithoutTheJob(t *testing.T) {
	p := provs[1]
	lint := providertest.Job{Name: "lint", State: "passed", Log: p.log([]string{"All checks passed!"})}
	a := start(t, providertest.Scenario{Builds: []providertest.Build{
		p.failingBuild(105, "main"),
		p.build(104, "main", lint),
	}})
	name, _ := p.cell("test", "ubuntu", "3.13")
	model, info, err := New(a.finder, Options{}).Baseline(context.Background(), a.build, a.job(t, name))
	require.NoError(t, err)
	require.Nil(t, model)
	require.Equal(t, KindNone, info.Kind)
	require.Equal(t, `looked for a passing job of the same step in this build (there is none); a passing run on main, the default branch (run 104 passed, but has no passing job of step "CI/test")`, info.Note)
}

// TestRequestsPerGroupAndCaching runs every failed job of two groups at
// once, twice, and then through a second Auto sharing the cache: one search
// and one log per group, once.
func TestRequestsPerGroupAndCaching(t *testing.T) {
	for _, p := range provs {
		t.Run(string(p.kind), func(t *testing.T) {
			shard := func(n int, state string, lines ...[]string) providertest.Job {
				name := fmt.Sprintf("e2e %d/3", n)
				if p.kind == providers.KindGitHubActions {
					name = fmt.Sprintf("e2e (%d)", n)
				}
				return providertest.Job{Name: name, StepKey: "e2e", State: state, Log: p.log(concat(lines...))}
			}
			failing := p.build(105, "fix/invoice-tz",
				p.job("test", "ubuntu", "3.12", "passed", waitForServices, passingTests),
				p.job("test", "ubuntu", "3.13", "failed", waitForServices, missingMigration),
				p.job("test", "ubuntu", "3.14", "failed", waitForServices, missingMigration),
				p.job("test", "macos", "3.14", "failed", waitForServices, missingMigration),
				shard(1, "failed", e2eTimeout), shard(2, "failed", e2eTimeout), shard(3, "failed", e2eTimeout),
			)
			previous := p.build(104, "fix/invoice-tz", shard(1, "passed", e2ePassing), shard(2, "passed", e2ePassing), shard(3, "passed", e2ePassing))
			a := start(t, providertest.Scenario{Builds: []providertest.Build{failing, previous}})
			cache := NewCache(nil)
			var failed []providers.Job
			for _, j := range a.build.Jobs {
				if j.Failed() {
					failed = append(failed, j)
				}
			}
			require.Len(t, failed, 6)

			runAll := func(auto *Auto) []*analysis.BaselineInfo {
				infos := make([]*analysis.BaselineInfo, len(failed))
				var wg sync.WaitGroup
				for i, j := range failed {
					wg.Add(1)
					go func() {
						defer wg.Done()
						model, info, err := auto.Baseline(context.Background(), a.build, j)
						require.NoError(t, err)
						require.NotNil(t, model, j.Name)
						infos[i] = info
					}()
				}
				wg.Wait()
				return infos
			}
			infos := runAll(New(a.finder, Options{Cache: cache}))
			for i, j := range failed {
				want := KindSiblingJobs
				if strings.HasPrefix(j.Name, "e2e") {
					want = KindPreviousBuild
				}
				require.Equal(t, want, infos[i].Kind, j.Name)
			}
			first := a.apiRequests()
			require.Equal(t, 1+lookups(p.kind)+1, first, "a sibling log, a search, a log from the previous build: %v", a.fake.Paths())
			require.Equal(t, 2, a.fake.LogRequests())

			runAll(New(a.finder, Options{Cache: cache}))
			require.Equal(t, first, a.apiRequests(), "a second analysis in the same process costs nothing")

			// A store-backed cache keeps models across processes: a new
			// process searches again but reads no log.
			store := newMapBacking()
			runAll(New(a.finder, Options{Cache: NewCache(store)}))
			require.Len(t, store.m, 2, "both models saved")
			a.fake.ResetCounts()
			runAll(New(a.finder, Options{Cache: NewCache(store)}))
			require.Equal(t, lookups(p.kind), a.apiRequests())
			require.Zero(t, a.fake.LogRequests())
		})
	}
}

// mapBacking is a Backing in memory, standing in for the distributed store.
type mapBacking struct {
	mu *sync.Mutex
	m  map[string]*analysis.Baseline
}

func newMapBacking() mapBacking {
	return mapBacking{mu: &sync.Mutex{}, m: map[string]*analysis.Baseline{}}
}

func (s mapBacking) LoadBaseline(_ context.Context, key string) (*analysis.Baseline, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.m[key]
	return b, ok, nil
}

func (s mapBacking) SaveBaseline(_ context.Context, key string, b *analysis.Baseline) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = b
	return nil
}

func TestCancellation(t *testing.T) {
	for _, p := range provs {
		t.Run(string(p.kind), func(t *testing.T) {
			slow := p.job("test", "ubuntu", "3.12", "passed", waitForServices, passingTests)
			slow.LogDelay = providertest.Duration(time.Minute)
			a := start(t, providertest.Scenario{Builds: []providertest.Build{p.build(105, "main",
				slow, p.job("test", "ubuntu", "3.13", "failed", waitForServices, missingMigration),
				p.job("test", "ubuntu", "3.14", "failed", waitForServices, missingMigration),
			)}})
			auto := New(a.finder, Options{})
			n13, _ := p.cell("test", "ubuntu", "3.13")
			n14, _ := p.cell("test", "ubuntu", "3.14")

			ctx, cancel := context.WithCancel(context.Background())
			errs := make(chan error, 2)
			began := time.Now()
			for _, name := range []string{n13, n14} {
				go func() {
					_, _, err := auto.Baseline(ctx, a.build, a.job(t, name))
					errs <- err
				}()
			}
			time.Sleep(200 * time.Millisecond)
			cancel()
			for range 2 {
				require.ErrorIs(t, <-errs, context.Canceled)
			}
			require.Less(t, time.Since(began), 10*time.Second, "the download stopped with the context")
			require.Equal(t, 1, a.fake.LogRequests(), "the waiting job shared the download")

			// An interrupted download is not remembered as a failure.
			ctx, cancel = context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			_, _, err := auto.Baseline(ctx, a.build, a.job(t, n13))
			require.ErrorIs(t, err, context.DeadlineExceeded)
			require.Equal(t, 2, a.fake.LogRequests())
		})
	}
}

func TestErrorsAreNotesWithoutSecrets(t *testing.T) {
	p := provs[1]
	a := start(t, providertest.Scenario{
		Builds: []providertest.Build{p.failingBuild(105, "main")},
		Faults: []providertest.Fault{{Path: "/actions/workflows/", Status: 403,
			Body: `{"message":"Resource not accessible by token ` + testToken + `"}`}},
	})
	name, _ := p.cell("test", "ubuntu", "3.13")
	model, info, err := New(a.finder, Options{Secrets: []string{testToken}}).Baseline(context.Background(), a.build, a.job(t, name))
	require.NoError(t, err)
	require.Nil(t, model)
	require.Equal(t, KindNone, info.Kind)
	// What was looked for and what came of it, not the chain of calls.
	require.Equal(t, "looked for a passing job of the same step in this build (there is none); "+
		"a passing run on main, the default branch (the search failed: GitHub answered 403 Forbidden: Resource not accessible by token "+analysis.Redacted+")", info.Note)
	require.NotContains(t, info.Note, testToken)
}

func TestUnreadableSiblingFallsBackToPreviousBuild(t *testing.T) {
	p := provs[2]
	gone := p.job("test", "ubuntu", "3.12", "passed", waitForServices, passingTests)
	gone.LogStatus = 404
	a := start(t, providertest.Scenario{Builds: []providertest.Build{
		p.build(105, "main", gone, p.job("test", "ubuntu", "3.13", "failed", waitForServices, missingMigration)),
		p.passingBuild(104, "main"),
	}})
	name, _ := p.cell("test", "ubuntu", "3.13")
	model, info, err := New(a.finder, Options{}).Baseline(context.Background(), a.build, a.job(t, name))
	require.NoError(t, err)
	require.NotNil(t, model)
	require.Equal(t, KindPreviousBuild, info.Kind)
	require.Equal(t, "104", info.Build)
}
