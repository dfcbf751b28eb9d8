package integrations

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/providertest"
)

// pluginFile is a Buildkite plugin's plugin.yml.
type pluginFile struct {
	Name          string   `json:"name"`
	Description   string   `json:"description"`
	Author        string   `json:"author"`
	Requirements  []string `json:"requirements"`
	Configuration struct {
		Properties map[string]struct {
			Type        string `json:"type"`
			Description string `json:"description"`
		} `json:"properties"`
		Required             []string `json:"required"`
		AdditionalProperties bool     `json:"additionalProperties"`
	} `json:"configuration"`
}

const hook = "buildkite/hooks/command"

// TestBuildkitePluginConfiguration: every option plugin.yml declares is
// read by the hook, and the hook reads no other.
func TestBuildkitePluginConfiguration(t *testing.T) {
	var p pluginFile
	decodeStrict(t, "buildkite/plugin.yml", &p)
	require.Equal(t, "destill", p.Name)
	require.False(t, p.Configuration.AdditionalProperties, "a misspelled option must be rejected")
	var declared []string
	for name, prop := range p.Configuration.Properties {
		require.NotEmpty(t, prop.Description, name)
		require.Contains(t, []string{"string", "integer", "boolean"}, prop.Type, name)
		// Buildkite passes option foo-bar as BUILDKITE_PLUGIN_DESTILL_FOO_BAR.
		declared = append(declared, strings.ToUpper(strings.ReplaceAll(name, "-", "_")))
	}
	var read []string
	for _, m := range regexp.MustCompile(`\$\(setting ([A-Z_]+) `).FindAllStringSubmatch(readFile(t, hook), -1) {
		read = append(read, m[1])
	}
	slices.Sort(declared)
	slices.Sort(read)
	require.Equal(t, declared, read)
}

// buildkiteJob is the environment of the job that runs the hook.
type buildkiteJob struct {
	fake      *providertest.Fake
	env       map[string]string
	noAgent   bool
	agentLogs string // directory the fake buildkite-agent writes to
}

// run runs the hook as the agent runs a plugin's command hook, with a fake
// buildkite-agent on PATH that records each call and its standard input.
func (j *buildkiteJob) run(t *testing.T) result {
	t.Helper()
	bin := t.TempDir()
	j.agentLogs = t.TempDir()
	if !j.noAgent {
		agent := "#!/bin/sh\nn=$(ls " + j.agentLogs + " | grep -c args)\n" +
			"echo \"$*\" > " + j.agentLogs + "/$n.args\ncat > " + j.agentLogs + "/$n.stdin\n"
		require.NoError(t, os.WriteFile(filepath.Join(bin, "buildkite-agent"), []byte(agent), 0o755))
	}
	env := baseEnv(t)
	env[0] = "PATH=" + bin + ":" + os.Getenv("PATH")
	env = append(env, "BUILDKITE=true", "CI=true",
		"BUILDKITE_BUILD_URL="+j.fake.WebURL(0),
		"BUILDKITE_API_URL="+j.fake.BuildkiteURL(),
		"BUILDKITE_API_TOKEN="+j.fake.Token(),
	)
	for k, v := range j.env {
		env = append(env, k+"="+v)
	}
	return runScript(t, hook, env)
}

// annotations are the fake agent's calls: arguments and body.
func (j *buildkiteJob) annotations(t *testing.T) [][2]string {
	t.Helper()
	var out [][2]string
	for i := 0; ; i++ {
		args, err := os.ReadFile(filepath.Join(j.agentLogs, strconv.Itoa(i)+".args"))
		if os.IsNotExist(err) {
			return out
		}
		require.NoError(t, err)
		out = append(out, [2]string{strings.TrimSpace(string(args)), readFile(t, filepath.Join(j.agentLogs, strconv.Itoa(i)+".stdin"))})
	}
}

func TestBuildkitePluginAnnotatesTheBuild(t *testing.T) {
	rs := newReleaseServer(t, release(t))
	fake := providertest.New(t, providertest.DemoBuildkite())
	j := &buildkiteJob{fake: fake, env: map[string]string{
		"BUILDKITE_PLUGIN_DESTILL_DOWNLOAD_URL": rs.base(),
		"BUILDKITE_PLUGIN_DESTILL_VERSION":      releaseVersion,
	}}
	res := j.run(t)
	require.Equal(t, 0, res.Code, res.Stdout+res.Stderr)
	require.Contains(t, res.Stdout, "--- :mag: destill "+releaseVersion+" on https://buildkite.com/acme/api/builds/4211")

	ann := j.annotations(t)
	require.Len(t, ann, 1)
	require.Equal(t, "annotate --style error --context destill", ann[0][0])
	body := ann[0][1]
	require.True(t, strings.HasPrefix(body, "## destill: https://buildkite.com/acme/api/builds/4211\n"), body)
	require.Contains(t, body, "--- FAIL: TestUploadRetry")
	require.Contains(t, body, "Test: TestUploadRetry (reports/junit/unit.xml)", "JUnit artifacts are read")
	require.Less(t, len(body), 1<<20, "Buildkite's annotation limit")
	require.Equal(t, []string{"/releases/download/" + releaseVersion + "/" + asset(), "/releases/download/" + releaseVersion + "/SHA256SUMS"}, rs.paths())
	requireNoToken(t, fake.Token(), res.Stdout, res.Stderr, body)
}

// TestBuildkiteCommandStep: the same script as a plain command step, with
// DESTILL_* settings and a preinstalled binary.
func TestBuildkiteCommandStep(t *testing.T) {
	dir := release(t)
	fake := providertest.New(t, providertest.DemoBuildkite())
	j := &buildkiteJob{fake: fake, env: map[string]string{
		"DESTILL_BINARY": filepath.Join(dir, asset()), "DESTILL_CONTEXT": "why-it-failed", "DESTILL_TOP": "1",
		"DESTILL_DOWNLOAD_URL": "http://127.0.0.1:1/never-used",
	}}
	res := j.run(t)
	require.Equal(t, 0, res.Code, res.Stdout+res.Stderr)
	ann := j.annotations(t)
	require.Len(t, ann, 1)
	require.Equal(t, "annotate --style error --context why-it-failed", ann[0][0])
	require.Contains(t, ann[0][1], "| 1 |")
	require.NotContains(t, ann[0][1], "| 2 |")
}

func TestBuildkitePluginFailures(t *testing.T) {
	dir := release(t)
	passed := providertest.Scenario{Builds: []providertest.Build{{
		Provider: providers.KindBuildkite, Org: "acme", Repo: "api", Number: 9,
		Jobs: []providertest.Job{{Name: "test", StepKey: "test", State: "passed", Log: providertest.BuildkiteLog("ok")}},
	}}}
	for _, tc := range []struct {
		name     string
		scenario providertest.Scenario
		env      map[string]string
		noAgent  bool
		tamper   bool
		code     int
		out      string // regexp on stdout+stderr
		annotate string // the annotate call's arguments, "" for none
		body     string // regexp on its body
	}{
		{name: "build passed", scenario: passed, code: 0, out: `No failed job to explain: build passed: nothing to analyze`},
		{
			name: "rejected token", scenario: providertest.DemoBuildkite(), env: map[string]string{"BUILDKITE_API_TOKEN": "bkua_wrong0000"}, code: 0,
			out: `destill could not analyze https://buildkite.com/acme/api/builds/4211: .*BUILDKITE_API_TOKEN`, annotate: "annotate --style warning --context destill",
			body: `^\*\*destill\*\* could not analyze this build: .*BUILDKITE_API_TOKEN.*\n$`,
		},
		{
			name: "rejected token, fail-on-error", scenario: providertest.DemoBuildkite(), env: map[string]string{"BUILDKITE_API_TOKEN": "bkua_wrong0000", "BUILDKITE_PLUGIN_DESTILL_FAIL_ON_ERROR": "true"}, code: 1,
			out: `could not analyze`, annotate: "annotate --style warning --context destill", body: `could not analyze this build`,
		},
		{
			name: "no token", scenario: providertest.DemoBuildkite(), env: map[string]string{"BUILDKITE_API_TOKEN": ""}, code: 1,
			out: `^destill: BUILDKITE_API_TOKEN is not set: give the step an API access token with read_builds and read_build_logs`,
		},
		{name: "no agent", scenario: providertest.DemoBuildkite(), noAgent: true, code: 1, out: `^destill: buildkite-agent not found on PATH`},
		{name: "tampered binary", scenario: providertest.DemoBuildkite(), tamper: true, code: 1, out: `^destill: checksum mismatch for ` + asset() + ` of destill latest .*: not running it\n$`},
		{name: "bad option", scenario: providertest.DemoBuildkite(), env: map[string]string{"BUILDKITE_PLUGIN_DESTILL_TOP": "all"}, code: 1, out: `^destill: top must be a number, got 'all'\n$`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs := newReleaseServer(t, dir)
			if tc.tamper {
				rs.tamper = []byte("#!/bin/sh\necho pwned\n")
			}
			fake := providertest.New(t, tc.scenario)
			env := map[string]string{"BUILDKITE_PLUGIN_DESTILL_DOWNLOAD_URL": rs.base()}
			for k, v := range tc.env {
				env[k] = v
			}
			j := &buildkiteJob{fake: fake, env: env, noAgent: tc.noAgent}
			res := j.run(t)
			require.Equal(t, tc.code, res.Code, res.Stdout+res.Stderr)
			require.Regexp(t, tc.out, res.Stdout+res.Stderr)
			require.NotContains(t, res.Stdout+res.Stderr, "pwned")
			ann := j.annotations(t)
			if tc.annotate == "" {
				require.Empty(t, ann)
			} else {
				require.Len(t, ann, 1)
				require.Equal(t, tc.annotate, ann[0][0])
				require.Regexp(t, tc.body, ann[0][1])
			}
			for _, a := range ann {
				requireNoToken(t, fake.Token(), a[1])
				require.NotContains(t, a[1], "bkua_wrong0000")
			}
			requireNoToken(t, fake.Token(), res.Stdout, res.Stderr)
			require.NotContains(t, res.Stdout+res.Stderr, "bkua_wrong0000")
		})
	}
}
