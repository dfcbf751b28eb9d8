package integrations

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/providertest"
	"github.com/destill-dev/destill/render"
)

// actionFile is a composite action's action.yml.
type actionFile struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Author      string `json:"author"`
	Branding    struct {
		Icon  string `json:"icon"`
		Color string `json:"color"`
	} `json:"branding"`
	Inputs map[string]struct {
		Description string `json:"description"`
		Required    bool   `json:"required"`
		Default     string `json:"default"`
	} `json:"inputs"`
	Runs struct {
		Using string       `json:"using"`
		Steps []actionStep `json:"steps"`
	} `json:"runs"`
}

type actionStep struct {
	Name  string            `json:"name"`
	ID    string            `json:"id"`
	If    string            `json:"if"`
	Shell string            `json:"shell"`
	Run   string            `json:"run"`
	Uses  string            `json:"uses"`
	Env   map[string]string `json:"env"`
}

// githubRun is the workflow run the emulated runner is in.
type githubRun struct {
	fake    *providertest.Fake
	build   int // index of the run in the fake's scenario
	inputs  map[string]string
	osName  string // RUNNER_OS (default: this machine's)
	summary string // path of $GITHUB_STEP_SUMMARY
}

// expression is the one form of ${{ }} the action may use: a context
// property. The emulator knows inputs.* and github.token.
var expression = regexp.MustCompile(`\$\{\{\s*([a-z]+)\.([A-Za-z0-9_-]+)\s*\}\}`)

// runAction runs action.yml's steps as a GitHub runner runs a composite
// action: inputs resolved against their defaults, step env evaluated, each
// `run` written to a file and run by bash with the runner's environment.
func runAction(t *testing.T, r *githubRun) result {
	t.Helper()
	var a actionFile
	decodeStrict(t, "github-action/action.yml", &a)
	require.Equal(t, "composite", a.Runs.Using)

	build := r.fake.Scenario().Builds[r.build]
	github := map[string]string{"token": "runner-token-for-" + build.Repo}
	eval := func(s string, inputs map[string]string) string {
		if strings.Contains(expression.ReplaceAllString(s, ""), "${{") {
			t.Fatalf("action.yml uses an expression the test cannot evaluate: %s", s)
		}
		return expression.ReplaceAllStringFunc(s, func(m string) string {
			sub := expression.FindStringSubmatch(m)
			switch sub[1] {
			case "inputs":
				v, ok := inputs[sub[2]]
				require.True(t, ok, "action.yml reads input %q it does not declare", sub[2])
				return v
			case "github":
				v, ok := github[sub[2]]
				require.True(t, ok, "the test does not know github.%s", sub[2])
				return v
			}
			t.Fatalf("unknown context in %s", m)
			return ""
		})
	}
	inputs := map[string]string{}
	for name, in := range a.Inputs {
		require.NotEmpty(t, in.Description, "input %s", name)
		inputs[name] = eval(in.Default, nil)
	}
	for k, v := range r.inputs {
		_, ok := a.Inputs[k]
		require.True(t, ok, "no input %q", k)
		inputs[k] = v
	}

	osName := r.osName
	if osName == "" {
		osName = runnerOS()
	}
	tmp := t.TempDir()
	r.summary = filepath.Join(tmp, "step_summary.md")
	require.NoError(t, os.WriteFile(r.summary, nil, 0o644))
	runner := append(baseEnv(t),
		"CI=true", "GITHUB_ACTIONS=true",
		"GITHUB_ACTION_PATH="+abs(t, "github-action"),
		"GITHUB_STEP_SUMMARY="+r.summary,
		"GITHUB_SERVER_URL=https://github.com",
		"GITHUB_API_URL="+r.fake.GitHubURL(),
		"GITHUB_REPOSITORY="+build.Org+"/"+build.Repo,
		fmt.Sprintf("GITHUB_RUN_ID=%d", build.Number),
		fmt.Sprintf("GITHUB_RUN_ATTEMPT=%d", max(build.Attempt, 1)),
		"RUNNER_OS="+osName, "RUNNER_ARCH="+runnerArch(), "RUNNER_TEMP="+tmp,
	)
	var res result
	for i, step := range a.Runs.Steps {
		require.Empty(t, step.Uses, "the emulator runs `run` steps only")
		require.Empty(t, step.If, "the emulator does not evaluate if:")
		require.Equal(t, "bash", step.Shell)
		env := slices.Clone(runner)
		for k, v := range step.Env {
			env = append(env, k+"="+eval(v, inputs))
		}
		script := filepath.Join(tmp, fmt.Sprintf("step%d.sh", i))
		require.NoError(t, os.WriteFile(script, []byte(step.Run), 0o644))
		res = runScript(t, script, env)
		if res.Code != 0 {
			break
		}
	}
	return res
}

func (r *githubRun) summaryText(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(r.summary)
	require.NoError(t, err)
	return string(b)
}

func TestGitHubActionWritesTheJobSummary(t *testing.T) {
	dir := release(t)
	rs := newReleaseServer(t, dir)
	fake := providertest.New(t, providertest.DemoGitHubMatrix())
	r := &githubRun{fake: fake, inputs: map[string]string{"download-url": rs.base(), "github-token": fake.Token()}}
	res := runAction(t, r)
	require.Equal(t, 0, res.Code, res.Stdout+res.Stderr)

	sum := r.summaryText(t)
	require.True(t, strings.HasPrefix(sum, "## destill: "), sum)
	require.Contains(t, sum, "--- FAIL: TestUploadRetry")
	require.Contains(t, sum, "in 12 jobs", "the matrix failure is one finding")
	require.Contains(t, sum, "Generated by destill "+releaseVersion)
	require.LessOrEqual(t, len(sum), render.GitHubSummaryLimit)
	requireNoToken(t, fake.Token(), sum, res.Stdout, res.Stderr)

	require.Contains(t, res.Stdout, "destill: destill version "+releaseVersion+" ("+asset()+", sha256 ")
	require.Contains(t, res.Stdout, "::group::destill findings for https://github.com/acme/api/actions/runs/9876543210/attempts/2")
	require.Equal(t, []string{"/releases/latest/download/" + asset(), "/releases/latest/download/SHA256SUMS"}, rs.paths())
	require.NotZero(t, fake.LogRequests(), "the run's logs were read from the fake API")
}

func TestGitHubActionPinnedVersion(t *testing.T) {
	rs := newReleaseServer(t, release(t))
	fake := providertest.New(t, providertest.DemoGitHubMatrix())
	r := &githubRun{fake: fake, inputs: map[string]string{
		"download-url": rs.base(), "github-token": fake.Token(), "version": releaseVersion, "top": "1",
		"run-url": fake.WebURL(0) + "/attempts/2",
	}}
	res := runAction(t, r)
	require.Equal(t, 0, res.Code, res.Stdout+res.Stderr)
	require.Equal(t, []string{"/releases/download/" + releaseVersion + "/" + asset(), "/releases/download/" + releaseVersion + "/SHA256SUMS"}, rs.paths())
	sum := r.summaryText(t)
	require.Contains(t, sum, "| 1 |")
	require.Contains(t, sum, "<b>#1</b>", "the top finding keeps its lines")
	require.NotContains(t, sum, "| 2 |", "top: 1 lists one finding")
}

func TestGitHubActionRefusesATamperedBinary(t *testing.T) {
	rs := newReleaseServer(t, release(t))
	rs.tamper = []byte("#!/bin/sh\necho pwned > /dev/stderr\n")
	fake := providertest.New(t, providertest.DemoGitHubMatrix())
	r := &githubRun{fake: fake, inputs: map[string]string{"download-url": rs.base(), "github-token": fake.Token()}}
	res := runAction(t, r)
	require.Equal(t, 1, res.Code)
	require.Regexp(t, `^::error title=destill::checksum mismatch for `+asset()+` of destill latest \(got [0-9a-f]{64}, SHA256SUMS says [0-9a-f]{64}\): not running it\n$`, res.Stdout)
	require.NotContains(t, res.Stdout+res.Stderr, "pwned")
	require.Empty(t, r.summaryText(t))
	require.Zero(t, fake.Requests(""), "nothing ran")
}

func TestGitHubActionFailures(t *testing.T) {
	dir := release(t)
	passed := providertest.Scenario{Builds: []providertest.Build{{
		Provider: providers.KindGitHubActions, Org: "acme", Repo: "api", Number: 555,
		Jobs: []providertest.Job{{Name: "test", State: "passed", Log: providertest.GitHubLog("ok")}},
	}}}
	for _, tc := range []struct {
		name     string
		scenario providertest.Scenario
		inputs   map[string]string
		osName   string
		code     int
		stdout   string // a regexp
		summary  string // a regexp ("" : the summary stays empty)
	}{
		{
			name: "run passed", scenario: passed, code: 0,
			stdout: `(?m)^::notice title=destill::no failed job to explain in https://github.com/acme/api/actions/runs/555/attempts/1 \(build passed: nothing to analyze`,
		},
		{
			name: "rejected token", scenario: providertest.DemoGitHubMatrix(), inputs: map[string]string{"github-token": "ghp_wrongtoken000"}, code: 0,
			stdout:  `(?m)^::warning title=destill::could not analyze https://github.com/acme/api/actions/runs/9876543210/attempts/2: .*GITHUB_TOKEN`,
			summary: `^> \*\*destill\*\* could not analyze this run: .*GITHUB_TOKEN.*\n$`,
		},
		{
			name: "rejected token, fail-on-error", scenario: providertest.DemoGitHubMatrix(), inputs: map[string]string{"github-token": "ghp_wrongtoken000", "fail-on-error": "true"}, code: 1,
			stdout:  `(?m)^::warning title=destill::could not analyze`,
			summary: `could not analyze this run`,
		},
		{
			name: "unknown version", scenario: providertest.DemoGitHubMatrix(), inputs: map[string]string{"version": "v0.0.0-nope"}, code: 1,
			stdout: `^::error title=destill::could not download http://127\.0\.0\.1:\d+/releases/download/v0\.0\.0-nope/` + asset() + `: check the version input \(v0\.0\.0-nope\)\n$`,
		},
		{
			name: "windows runner", scenario: providertest.DemoGitHubMatrix(), osName: "Windows", code: 1,
			stdout: `^::error title=destill::destill has no release for Windows runners: run this job on Linux or macOS \(runs-on: ubuntu-latest\)\n$`,
		},
		{
			name: "bad top", scenario: providertest.DemoGitHubMatrix(), inputs: map[string]string{"top": "ten"}, code: 1,
			stdout: `^::error title=destill::input top must be a number, got 'ten'\n$`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs := newReleaseServer(t, dir)
			fake := providertest.New(t, tc.scenario)
			inputs := map[string]string{"download-url": rs.base(), "github-token": fake.Token()}
			for k, v := range tc.inputs {
				inputs[k] = v
			}
			r := &githubRun{fake: fake, inputs: inputs, osName: tc.osName}
			res := runAction(t, r)
			require.Equal(t, tc.code, res.Code, res.Stdout+res.Stderr)
			require.Regexp(t, tc.stdout, res.Stdout)
			if tc.summary == "" {
				require.Empty(t, r.summaryText(t))
			} else {
				require.Regexp(t, tc.summary, r.summaryText(t))
			}
			requireNoToken(t, fake.Token(), res.Stdout, res.Stderr, r.summaryText(t))
			require.NotContains(t, res.Stdout+res.Stderr+r.summaryText(t), "ghp_wrongtoken000")
		})
	}
}

// TestGitHubActionHugeRun: a run whose findings would fill megabytes still
// gives a summary GitHub accepts (at most 65,535 bytes), best findings
// first, with a note of what was left out.
func TestGitHubActionHugeRun(t *testing.T) {
	rs := newReleaseServer(t, release(t))
	b := providertest.Build{Provider: providers.KindGitHubActions, Org: "acme", Repo: "monorepo", Number: 777}
	for j := range 40 {
		var lines []string
		for e := range 40 {
			// Distinct words (not numbers, which findings are normalized
			// over) make every line its own finding.
			w := word(j*40 + e)
			lines = append(lines, fmt.Sprintf("error: package %s: undefined: %s `%s` | <b>%s</b> %s",
				w, strings.Repeat(w+"_symbol ", 20), strings.Repeat("x", 200), strings.Repeat("ü", 100), w))
		}
		lines = append(lines, "##[error]Process completed with exit code 1.")
		b.Jobs = append(b.Jobs, providertest.Job{Name: fmt.Sprintf("shard %02d (%s)", j, strings.Repeat("long job name ", 20)), State: "failed", Log: providertest.GitHubLog(lines...)})
	}
	fake := providertest.New(t, providertest.Scenario{Builds: []providertest.Build{b}})
	r := &githubRun{fake: fake, inputs: map[string]string{"download-url": rs.base(), "github-token": fake.Token(), "top": "2000"}}
	res := runAction(t, r)
	require.Equal(t, 0, res.Code, res.Stdout+res.Stderr)
	sum := r.summaryText(t)
	require.LessOrEqual(t, len(sum), render.GitHubSummaryLimit)
	require.Greater(t, len(sum), render.GitHubSummaryLimit/2, "the budget is used, not wasted:\n%s", sum)
	require.Contains(t, sum, "| 1 |")
	require.Contains(t, sum, "<b>#1</b>", "the top finding keeps its lines")
	require.Regexp(t, `_\d+ more finding\(s\) did not fit\._|_Details of \d+ finding\(s\) left out`, sum)
}

// word spells n in letters: 0 a, 1 b, ... 26 ba.
func word(n int) string {
	s := ""
	for {
		s = string(rune('a'+n%26)) + s
		n /= 26
		if n == 0 {
			return "w" + s
		}
	}
}
