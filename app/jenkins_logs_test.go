package app

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/internal/needs"
	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/providertest"
)

// jenkinsLog is a Jenkins console log on disk, served as the console of
// a freestyle build named job.
type jenkinsLog struct{ job, path string }

// requireSameFindingsThroughJenkins serves each log as a Jenkins build's
// console and analyzes it by URL and from disk: the findings must be the
// same, but for the names of the job and its link.
func requireSameFindingsThroughJenkins(t *testing.T, logs []jenkinsLog) {
	t.Helper()
	var sc providertest.Scenario
	for i, l := range logs {
		data, err := os.ReadFile(l.path)
		require.NoError(t, err)
		sc.Builds = append(sc.Builds, providertest.Build{Provider: providers.KindJenkins, Repo: l.job, Number: int64(100 + i),
			Freestyle: true, Jobs: []providertest.Job{{Name: l.job, State: "failed", Log: string(data)}}})
	}
	fake := newFake(t, sc)
	for i, l := range logs {
		byURL := analyzeURL(t, fake, fake.WebURL(i), nil, "--no-baseline", "--no-cache")
		require.Equal(t, 0, byURL.code, byURL.err)
		fromDisk := mainRun(t, nil, "analyze", "--json", l.path)
		require.Equal(t, 0, fromDisk.code, fromDisk.err)
		var want analysis.Report
		require.NoError(t, json.Unmarshal([]byte(fromDisk.out), &want))
		require.NotEmpty(t, want.Findings, l.path)
		got, wantF := withoutJob(byURL.rep.Findings), withoutJob(want.Findings)
		require.Len(t, got, len(wantF), l.path)
		for k := range wantF {
			require.Equal(t, wantF[k], got[k], "%s: finding %d", l.path, k+1)
		}
	}
}

// withoutJob drops what names the job a finding was in: a file's name or
// a Jenkins job's, and its link.
func withoutJob(fs []analysis.Finding) []analysis.Finding {
	out := make([]analysis.Finding, len(fs))
	for i, f := range fs {
		f.JobID, f.JobName, f.URL = "", "", ""
		var jobs []analysis.FindingJob
		for _, j := range f.Jobs {
			j.JobID, j.JobName, j.URL = "", "", ""
			jobs = append(jobs, j)
		}
		f.Jobs = jobs
		out[i] = f
	}
	return out
}

// TestJenkinsLogThroughFakeEqualsFromDisk is the always-on version of the
// corpus check, on a Pipeline console written for these tests.
func TestJenkinsLogThroughFakeEqualsFromDisk(t *testing.T) {
	t.Parallel()
	requireSameFindingsThroughJenkins(t, []jenkinsLog{{job: "billing", path: "testdata/jenkins/pipeline-maven.log"}})
}

// TestJenkinsCorpusThroughFakeEqualsFromDisk serves the cidiff corpus's
// Jenkins logs ($DESTILL_CORPUS, else ../shared/corpus/cidiff from the
// repository) through the Jenkins fake: each gives the findings it gives
// read from disk. Without the corpus it skips, but fails under CI.
func TestJenkinsCorpusThroughFakeEqualsFromDisk(t *testing.T) {
	t.Parallel()
	dir := os.Getenv("DESTILL_CORPUS")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "corpus", "cidiff")
	}
	if _, err := os.Stat(filepath.Join(dir, "cases.jsonl")); err != nil {
		if sub := filepath.Join(dir, "cidiff"); fileExists(filepath.Join(sub, "cases.jsonl")) {
			dir = sub
		}
	}
	f, err := os.Open(filepath.Join(dir, "cases.jsonl"))
	if err != nil {
		needs.Missing(t, "the cidiff corpus", fmt.Sprintf("no cidiff corpus in %q", dir), "set DESTILL_CORPUS=dir (or put it at ../shared/corpus/cidiff)")
	}
	defer f.Close()
	var logs []jenkinsLog
	safe := regexp.MustCompile(`[^A-Za-z0-9_.-]`)
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var c struct{ ID, Log, CI string }
		require.NoError(t, json.Unmarshal(sc.Bytes(), &c))
		if c.CI == "jenkins" {
			logs = append(logs, jenkinsLog{job: safe.ReplaceAllString(c.ID, "_"), path: filepath.Join(dir, c.Log)})
		}
	}
	require.NoError(t, sc.Err())
	require.NotEmpty(t, logs, "the corpus has Jenkins logs")
	requireSameFindingsThroughJenkins(t, logs)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
