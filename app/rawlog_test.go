package app

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/providers"
)

// oneLogSource serves one job's log, counting how often it was opened.
type oneLogSource struct {
	log    string
	opened int
}

func (s *oneLogSource) Build(context.Context) (providers.Build, error) {
	return providers.Build{Jobs: []providers.Job{{ID: "j1", Name: "test / unit", HasLog: true}}}, nil
}

func (s *oneLogSource) OpenLog(context.Context, providers.Job) (io.ReadCloser, error) {
	s.opened++
	return io.NopCloser(strings.NewReader(s.log)), nil
}

func TestPagerArgv(t *testing.T) {
	for _, tc := range []struct {
		pager string
		want  string
	}{
		{"", "less +42 /tmp/x.log"},
		{"less -R", "less -R +42 /tmp/x.log"},
		{"/usr/bin/most", "/usr/bin/most +42 /tmp/x.log"},
		{"bat --paging=always", "bat --paging=always /tmp/x.log"},
	} {
		require.Equal(t, tc.want, strings.Join(pagerArgv(tc.pager, "/tmp/x.log", 42), " "), tc.pager)
	}
}

// TestRawLogOfABuildJob: a build's job log is read again through the
// source (the log cache, for a build URL) into a private copy, with the
// tokens destill was given redacted and every line where it was; the copy
// is gone once the pager is done.
func TestRawLogOfABuildJob(t *testing.T) {
	const token = "ghp_0123456789abcdefghijklmnopqrstuvwxyz"
	src := &oneLogSource{log: "step one\nGITHUB_TOKEN=" + token + " make test\nerror: boom\n"}
	streams, _, _ := TestStreams("")
	raw := newRawLogs(streams, src, "", nil, []string{token})
	f := &analysis.Finding{JobID: "j1", JobName: "test / unit", LineStart: 3}

	_, _, err := raw.file(context.Background(), f)
	require.ErrorContains(t, err, `the log of job "test / unit" was not read`)

	raw.read(providers.Job{ID: "j1", Name: "test / unit", HasLog: true}, analysis.JobResult{})
	path, cleanup, err := raw.file(context.Background(), f)
	require.NoError(t, err)
	info, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	lines := strings.Split(string(data), "\n")
	require.Len(t, lines, 4)
	require.Equal(t, "error: boom", lines[2], "line 3 is still line 3")
	require.NotContains(t, string(data), token)
	require.Contains(t, lines[1], analysis.Redacted)
	cleanup()
	_, err = os.Stat(path)
	require.True(t, os.IsNotExist(err), "the copy is removed")
	require.Equal(t, 1, src.opened)
}
