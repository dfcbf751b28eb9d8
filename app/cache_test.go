package app

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/providertest"
)

// mainRun runs destill with args and the environment env.
func mainRun(t *testing.T, env []string, args ...string) run {
	t.Helper()
	streams, out, errOut := TestStreams("", env...)
	code := Main(context.Background(), append([]string{"destill"}, args...), streams)
	r := run{code: code, out: out.String(), err: errOut.String()}
	require.NotContains(t, r.out+r.err, secretToken, "the token leaked into the output")
	return r
}

// withCache returns fake's environment with the log cache in dir.
func withCache(fake *providertest.Fake, dir string, extra ...string) []string {
	return append(append(fake.Env(), "DESTILL_CACHE_DIR", dir), extra...)
}

// failedWithLog counts the jobs of build 0 a default analysis fetches.
func failedWithLog(fake *providertest.Fake) int {
	n := 0
	for _, j := range fake.Scenario().Builds[0].Jobs {
		if (j.State == "failed" || j.State == "timed_out") && !j.SoftFailed && !j.Retried && j.Log != "" {
			n++
		}
	}
	return n
}

func cacheFiles(t *testing.T, dir, kind string) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, kind, "*.zst"))
	return files
}

// providerDemos are a demo build of each provider.
var providerDemos = map[string]func() providertest.Scenario{
	"buildkite": providertest.DemoBuildkite, "github": providertest.DemoGitHubMatrix, "gitlab": providertest.DemoGitLab,
}

func TestSecondAnalysisDownloadsNoLog(t *testing.T) {
	t.Parallel()
	for name, demo := range providerDemos {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t, demo())
			dir := t.TempDir()
			env := withCache(fake, dir)
			first := analyzeURL(t, fake, fake.WebURL(0), env)
			require.Equal(t, 0, first.code, first.err)
			want := failedWithLog(fake)
			require.Equal(t, want, fake.LogRequests())
			require.Len(t, cacheFiles(t, dir, "logs"), want)
			require.Len(t, cacheFiles(t, dir, "results"), want)

			fake.ResetCounts()
			second := analyzeURL(t, fake, fake.WebURL(0), env)
			require.Equal(t, 0, second.code, second.err)
			require.Zero(t, fake.LogRequests(), "every log came from the cache")
			require.Zero(t, fake.Requests("/actions-results/"), "nor was any log or test report downloaded from blob storage")
			require.Positive(t, fake.Requests(""), "the build's metadata is still refreshed")
			require.Equal(t, first.out, second.out, "the same findings, byte for byte")
			require.Empty(t, second.err)

			// With the analysis results gone, the logs still come from
			// the cache and are analyzed again, to the same findings.
			require.NoError(t, os.RemoveAll(filepath.Join(dir, "results")))
			fake.ResetCounts()
			third := analyzeURL(t, fake, fake.WebURL(0), env)
			require.Equal(t, 0, third.code, third.err)
			require.Zero(t, fake.LogRequests())
			require.Equal(t, first.out, third.out)
		})
	}
}

func TestRunningBuildIsNeverCached(t *testing.T) {
	t.Parallel()
	fake := newFake(t, providertest.Scenario{Builds: []providertest.Build{{
		Provider: providers.KindGitHubActions, Org: "acme", Repo: "api", Number: 77,
		Jobs: []providertest.Job{
			{Name: "unit", State: "failed", Log: providertest.GitHubLog(providertest.FailingGoTest...)},
			{Name: "e2e", State: "running", Log: providertest.GitHubLog("still going")},
		},
	}}})
	dir := t.TempDir()
	for range 2 {
		fake.ResetCounts()
		r := analyzeURL(t, fake, fake.WebURL(0), withCache(fake, dir))
		require.Equal(t, 0, r.code, r.err)
		require.Equal(t, 1, fake.LogRequests(), "the failed job of a running build is fetched every time")
		require.Contains(t, strings.Join(r.rep.Notes, "\n"), "still running")
	}
	require.Empty(t, cacheFiles(t, dir, "logs"))
	require.Empty(t, cacheFiles(t, dir, "results"))
	require.Empty(t, cacheFiles(t, dir, "builds"))

	r := analyzeURL(t, fake, fake.WebURL(0), withCache(fake, dir), "--offline")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.err, "not in the cache")
}

func TestDamagedCacheFileIsFetchedAgain(t *testing.T) {
	t.Parallel()
	fake := newFake(t, providertest.DemoBuildkite())
	dir := t.TempDir()
	env := withCache(fake, dir)
	first := analyzeURL(t, fake, fake.WebURL(0), env)
	require.Equal(t, 0, first.code, first.err)
	logs := cacheFiles(t, dir, "logs")
	require.Len(t, logs, 2)

	// A crash (or full disk) left the first log cut in half, and a bit of
	// the second flipped. Neither is trusted.
	data, err := os.ReadFile(logs[0])
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(logs[0], data[:len(data)/2], 0o600))
	data, err = os.ReadFile(logs[1])
	require.NoError(t, err)
	data[len(data)/3] ^= 0x20
	require.NoError(t, os.WriteFile(logs[1], data, 0o600))
	// Without the analysis results, the flipped log would be read.
	require.NoError(t, os.RemoveAll(filepath.Join(dir, "results")))

	fake.ResetCounts()
	second := analyzeURL(t, fake, fake.WebURL(0), env)
	require.Equal(t, 0, second.code, second.err)
	require.Equal(t, 2, fake.LogRequests(), "both damaged logs were fetched again")
	require.Equal(t, first.out, second.out)
	require.Contains(t, second.err, "was damaged")
	require.Equal(t, 2, strings.Count(second.err, "\n"), "one line per damaged entry")

	fake.ResetCounts()
	third := analyzeURL(t, fake, fake.WebURL(0), env)
	require.Equal(t, 0, third.code, third.err)
	require.Zero(t, fake.LogRequests(), "the fresh copies were kept")
}

func TestCacheHitOnDamagedResultReanalyzes(t *testing.T) {
	t.Parallel()
	fake := newFake(t, providertest.DemoGitLab())
	dir := t.TempDir()
	env := withCache(fake, dir)
	first := analyzeURL(t, fake, fake.WebURL(0), env)
	require.Equal(t, 0, first.code, first.err)
	for _, p := range cacheFiles(t, dir, "results") {
		data, _ := os.ReadFile(p)
		require.NoError(t, os.WriteFile(p, data[:len(data)-3], 0o600))
	}
	fake.ResetCounts()
	second := analyzeURL(t, fake, fake.WebURL(0), env)
	require.Equal(t, 0, second.code, second.err)
	require.Zero(t, fake.LogRequests())
	require.Equal(t, first.out, second.out)
}

func TestNoCacheFetchesEverythingAgain(t *testing.T) {
	t.Parallel()
	fake := newFake(t, providertest.DemoGitHubMatrix())
	dir := t.TempDir()
	env := withCache(fake, dir)
	first := analyzeURL(t, fake, fake.WebURL(0), env)
	require.Equal(t, 0, first.code, first.err)
	fake.ResetCounts()
	second := analyzeURL(t, fake, fake.WebURL(0), env, "--no-cache")
	require.Equal(t, 0, second.code, second.err)
	require.Equal(t, 12, fake.LogRequests())
	require.Equal(t, 12+1, fake.Requests("/actions-results/"), "12 logs and the test report artifact")
	require.Equal(t, first.out, second.out)

	r := analyzeURL(t, fake, fake.WebURL(0), env, "--no-cache", "--offline")
	require.Equal(t, 2, r.code)
	require.Contains(t, r.err, "--offline and --no-cache contradict each other")
}

func TestOfflineAnalysisUsesNoNetworkAndNoToken(t *testing.T) {
	t.Parallel()
	fake := newFake(t, providertest.DemoGitHubMatrix())
	dir := t.TempDir()
	// --no-baseline: offline, passing builds are not searched for, so
	// compare with a run that did not search either.
	first := analyzeURL(t, fake, fake.WebURL(0), withCache(fake, dir), "--no-baseline")
	require.Equal(t, 0, first.code, first.err)

	fake.ResetCounts()
	noToken := []string{"GITHUB_API_URL", fake.GitHubURL(), "DESTILL_CACHE_DIR", dir}
	offline := analyzeURL(t, fake, fake.WebURL(0), noToken, "--offline", "--no-baseline")
	require.Equal(t, 0, offline.code, offline.err)
	require.Zero(t, fake.Requests(""), "not one request")
	require.Equal(t, first.out, offline.out)

	// One job of the build, offline.
	job := fake.Scenario().Builds[0].Jobs[4]
	one := analyzeURL(t, fake, fake.WebURL(0)+"/job/"+job.ID, noToken, "--offline")
	require.Equal(t, 0, one.code, one.err)
	require.Equal(t, 1, one.rep.Summary.JobsAnalyzed)
	require.Zero(t, fake.Requests(""))

	// A build never fetched: a one-line error, exit 1.
	other := analyzeURL(t, fake, "https://github.com/acme/api/actions/runs/1", noToken, "--offline")
	require.Equal(t, 1, other.code)
	require.Equal(t, 1, strings.Count(other.err, "\n"), other.err)
	require.Contains(t, other.err, "is not in the cache")
	require.Contains(t, other.err, "run once without --offline")

	// Offline needs a cache folder.
	r := analyzeURL(t, fake, fake.WebURL(0), []string{"GITHUB_API_URL", fake.GitHubURL()}, "--offline")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.err, "DESTILL_CACHE_DIR")
}

func TestOfflineWithoutTokenStillRedactsIt(t *testing.T) {
	t.Parallel()
	line := "error: registry rejected credentials " + secretToken
	require.Contains(t, analysis.NewRedactor().Redact(line), secretToken, "only the token variable's value redacts it")
	fake := newFake(t, providertest.Scenario{Builds: []providertest.Build{{
		Provider: providers.KindGitLab, Repo: "acme/api", Number: 55,
		Jobs: []providertest.Job{{Name: "publish", State: "failed", Log: providertest.GitLabLog(line, "ERROR: Job failed: exit code 1")}},
	}}})
	dir := t.TempDir()
	first := analyzeURL(t, fake, fake.WebURL(0), withCache(fake, dir), "--no-baseline") // fails the test if the token shows
	require.Equal(t, 0, first.code, first.err)
	require.Contains(t, first.out, "registry rejected credentials")

	// Offline, with no token in the environment, the analysis that
	// redacted it is reused; the log is not analyzed again without it.
	noToken := []string{"GITLAB_API_URL", fake.GitLabURL(), "DESTILL_CACHE_DIR", dir}
	offline := analyzeURL(t, fake, fake.WebURL(0), noToken, "--offline", "--no-baseline")
	require.Equal(t, 0, offline.code, offline.err)
	require.Equal(t, first.out, offline.out)
}

func TestCacheFilesAreOwnerOnly(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	fake := newFake(t, providertest.DemoBuildkite())
	dir := filepath.Join(t.TempDir(), "destill")
	r := analyzeURL(t, fake, fake.WebURL(0), withCache(fake, dir), "--no-history")
	require.Equal(t, 0, r.code, r.err)
	files := 0
	require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		require.NoError(t, err)
		info, err := d.Info()
		require.NoError(t, err)
		if d.IsDir() {
			require.Equal(t, fs.FileMode(0o700), info.Mode().Perm(), path)
		} else {
			require.Equal(t, fs.FileMode(0o600), info.Mode().Perm(), path)
			files++
		}
		return nil
	}))
	require.Equal(t, 2+2+1+1, files, "2 logs, 2 results, the build, the test reports")
}

func TestCacheSizeCapIsRespected(t *testing.T) {
	t.Parallel()
	sc := providertest.DemoGitHubMatrix()
	for i := range sc.Builds[0].Jobs {
		sc.Builds[0].Jobs[i].LogSize = 256 << 10
	}
	fake := newFake(t, sc)
	dir := t.TempDir()
	r := analyzeURL(t, fake, fake.WebURL(0), withCache(fake, dir), "--cache-size", "40KiB")
	require.Equal(t, 0, r.code, r.err)
	var total int64
	require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if info, _ := d.Info(); info != nil && !d.IsDir() {
			total += info.Size()
		}
		return nil
	}))
	require.LessOrEqual(t, total, int64(40<<10))
	require.NotEmpty(t, cacheFiles(t, dir, "logs"), "the most recent entries are kept")

	off := analyzeURL(t, fake, fake.WebURL(0), withCache(fake, t.TempDir(), "DESTILL_CACHE_SIZE", "0"))
	require.Equal(t, 0, off.code, off.err)

	bad := analyzeURL(t, fake, fake.WebURL(0), withCache(fake, dir), "--cache-size", "lots")
	require.Equal(t, 2, bad.code)
	require.Contains(t, bad.err, "not a size")
	bad = analyzeURL(t, fake, fake.WebURL(0), withCache(fake, dir, "DESTILL_CACHE_SIZE", "lots"))
	require.Equal(t, 1, bad.code)
	require.Contains(t, bad.err, "DESTILL_CACHE_SIZE")
}

func TestCacheUnusableFolderDoesNotFailAnalysis(t *testing.T) {
	t.Parallel()
	fake := newFake(t, providertest.DemoGitLab())
	file := filepath.Join(t.TempDir(), "a-file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	r := analyzeURL(t, fake, fake.WebURL(0), withCache(fake, filepath.Join(file, "cache")))
	require.Equal(t, 0, r.code, r.err)
	require.Contains(t, r.err, "continuing without it")
	require.Equal(t, 1, strings.Count(r.err, "\n"))
}

func TestViewRendersTheSavedFindings(t *testing.T) {
	t.Parallel()
	fake := newFake(t, providertest.DemoGitHubMatrix())
	url := fake.WebURL(0)
	dir := t.TempDir()
	saved := filepath.Join(dir, "result.json")
	js := mainRun(t, fake.Env(), "analyze", "--format", "json", url)
	require.Equal(t, 0, js.code, js.err)
	require.NoError(t, os.WriteFile(saved, []byte(js.out), 0o600))

	fake.ResetCounts()
	for _, format := range []string{"text", "markdown", "json"} {
		live := mainRun(t, fake.Env(), "analyze", "--format", format, url)
		require.Equal(t, 0, live.code, live.err)
		// No token, no API: only the file.
		viewed := mainRun(t, nil, "view", "--format", format, saved)
		require.Equal(t, 0, viewed.code, viewed.err)
		require.Equal(t, live.out, viewed.out, "view %s renders what analyze printed", format)
		again := mainRun(t, nil, "analyze", "--cache", saved, "--format", format)
		require.Equal(t, 0, again.code, again.err)
		require.Equal(t, live.out, again.out, "analyze --cache is the same as view")
	}
	require.Contains(t, mainRun(t, nil, "view", saved).out, "--- FAIL: TestUploadRetry")

	top := mainRun(t, nil, "view", "--top", "1", saved)
	require.Equal(t, 0, top.code, top.err)
	require.Contains(t, top.out, "more finding(s)")

	// A gzip-compressed result reads too.
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(js.out))
	require.NoError(t, zw.Close())
	require.NoError(t, os.WriteFile(saved+".gz", buf.Bytes(), 0o600))
	gz := mainRun(t, nil, "view", "--format", "json", saved+".gz")
	require.Equal(t, 0, gz.code, gz.err)
	require.Equal(t, js.out, gz.out)
}

func TestViewRejectsWhatIsNotASavedResult(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	for _, tc := range []struct {
		name, path string
		code       int
		want       string
	}{
		{"missing", filepath.Join(dir, "nope.json"), 2, "does not exist"},
		{"a directory", dir, 2, "is a directory"},
		{"a log file", write("build.log", "--- FAIL: TestX\nFAIL\n"), 2, "not a saved destill result (it is not JSON)"},
		{"empty", write("empty.json", ""), 2, "it is empty"},
		{"other JSON", write("other.json", `{"name": "package.json"}`), 2, `no "schema" field`},
		{"a JSON array", write("array.json", `[1, 2]`), 2, "not JSON"},
		{"cut short", write("cut.json", `{"schema": "destill.findings/v1", "findings": [{"rank": 1`), 1, "is damaged: invalid JSON"},
		{"newer schema", write("v2.json", `{"schema": "destill.findings/v2"}`), 1, `"destill.findings/v2" document`},
		{"wrong types", write("types.json", `{"schema": "destill.findings/v1", "findings": "many"}`), 1, "is damaged"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, args := range [][]string{{"view", tc.path}, {"analyze", "--cache", tc.path}} {
				r := mainRun(t, nil, args...)
				require.Equal(t, tc.code, r.code, r.err)
				require.Contains(t, r.err, tc.want)
				lines := 1
				if tc.code == 2 {
					lines = 2 // and "Run 'destill … --help' for usage."
				}
				require.Equal(t, lines, strings.Count(r.err, "\n"), r.err)
				require.Empty(t, r.out)
			}
		})
	}
	r := mainRun(t, nil, "view")
	require.Equal(t, 2, r.code)
	r = mainRun(t, nil, "analyze", "--cache", "x.json", "https://github.com/a/b/actions/runs/1")
	require.Equal(t, 2, r.code)
	require.Contains(t, r.err, "give no build URL or log file with it")
}

func TestCacheLsAndPrune(t *testing.T) {
	t.Parallel()
	fake := newFake(t, providertest.DemoBuildkite())
	dir := t.TempDir()
	env := withCache(fake, dir)

	empty := mainRun(t, env, "cache", "ls")
	require.Equal(t, 0, empty.code, empty.err)
	require.Contains(t, empty.out, "the cache is empty")

	r := analyzeURL(t, fake, fake.WebURL(0), env, "--no-history")
	require.Equal(t, 0, r.code, r.err)

	ls := mainRun(t, env, "cache", "ls")
	require.Equal(t, 0, ls.code, ls.err)
	require.Contains(t, ls.out, "KIND")
	require.Contains(t, ls.out, `job ":go: Unit tests"`)
	require.Contains(t, ls.out, "6 entries")
	require.Contains(t, ls.out, "cap 2.0 GiB")

	lsJSON := mainRun(t, env, "cache", "ls", "--format", "json")
	require.Equal(t, 0, lsJSON.code, lsJSON.err)
	var doc cacheListJSON
	require.NoError(t, json.Unmarshal([]byte(lsJSON.out), &doc))
	require.Equal(t, dir, doc.Dir)
	require.Len(t, doc.Entries, 6)
	kinds := map[string]int{}
	for _, e := range doc.Entries {
		kinds[e.Kind]++
		require.Positive(t, e.Size)
	}
	require.Equal(t, map[string]int{"log": 2, "result": 2, "build": 1, "tests": 1}, kinds)

	p := mainRun(t, env, "cache", "prune", "--older-than", "7d")
	require.Equal(t, 0, p.code, p.err)
	require.Contains(t, p.out, "removed 0 entries")
	p = mainRun(t, env, "cache", "prune", "--cache-size", "1B")
	require.Equal(t, 0, p.code, p.err)
	require.Contains(t, p.out, "removed 6 entries", "nothing fits a cap of one byte")

	analyzeURL(t, fake, fake.WebURL(0), env, "--no-history")
	p = mainRun(t, env, "cache", "prune", "--all")
	require.Equal(t, 0, p.code, p.err)
	require.Contains(t, p.out, "removed 6 entries")
	require.Contains(t, p.out, "0 entries (0 B) kept")

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"cache", "prune", "--older-than", "7x"}, 2, `"7x" is not a duration`},
		{[]string{"cache", "prune", "--older-than", "-3d"}, 2, "is not a duration"},
		{[]string{"cache", "prune", "--older-than", "0"}, 2, "--all removes everything"},
		{[]string{"cache", "prune", "--all", "--older-than", "1d"}, 2, "contradict"},
		{[]string{"cache", "prune", "7d"}, 2, "did you mean --older-than 7d"},
		{[]string{"cache", "prune", "--cache-size", "big"}, 2, "not a size"},
		{[]string{"cache", "ls", "--format", "yaml"}, 2, "use text or json"},
		{[]string{"cache", "ls", "extra"}, 2, "takes no arguments"},
		{[]string{"cache", "clear"}, 2, "unknown cache command"},
		{[]string{"cache", "ls", "--bogus"}, 2, "bogus"},
	} {
		r := mainRun(t, env, tc.args...)
		require.Equal(t, tc.code, r.code, "%v: %s", tc.args, r.err)
		require.Contains(t, r.err, tc.want, tc.args)
		require.Equal(t, 2, strings.Count(r.err, "\n"), "%v: one line and the usage hint: %s", tc.args, r.err)
	}

	// No cache folder at all (no HOME, no DESTILL_CACHE_DIR).
	none := mainRun(t, nil, "cache", "ls")
	require.Equal(t, 1, none.code)
	require.Contains(t, none.err, "DESTILL_CACHE_DIR")
}

func TestCachedAnalysisIsStillComparedWithBaseline(t *testing.T) {
	t.Parallel()
	fake := newFake(t, providertest.DemoGitHubMatrix())
	dir := t.TempDir()
	env := withCache(fake, dir)
	passing := filepath.Join(t.TempDir(), "passing.log")
	require.NoError(t, os.WriteFile(passing, []byte(providertest.GitHubLog(
		"##[group]Run go test ./...", "error: failed to fetch https://proxy.golang.org: dial tcp: i/o timeout", "ok  \tgithub.com/acme/api/internal/upload\t0.4s")), 0o600))

	plain := analyzeURL(t, fake, fake.WebURL(0), env)
	require.Equal(t, 0, plain.code, plain.err)
	fake.ResetCounts()
	first := analyzeURL(t, fake, fake.WebURL(0), env, "--baseline", passing)
	require.Equal(t, 0, first.code, first.err)
	require.Zero(t, fake.LogRequests(), "the logs and their analysis came from the cache")
	require.NotEqual(t, plain.out, first.out, "the baseline changed the report")
	second := analyzeURL(t, fake, fake.WebURL(0), env, "--baseline", passing, "--no-cache")
	require.Equal(t, 0, second.code, second.err)
	require.Equal(t, second.out, first.out, "a cached analysis compares with the baseline as a fresh one does")
}
