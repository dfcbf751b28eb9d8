package pipeline

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/analysis/analysistest"
	"github.com/destill-dev/destill/providers"
)

// TestSpillFile: the file is created at the first write, gone from its
// directory at once, reads back what was written, and a directory that
// cannot hold it gives an error that says what to do.
func TestSpillFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := &spillFile{dir: dir}
	_, err := s.ReadAt(make([]byte, 1), 0)
	require.ErrorIs(t, err, io.EOF, "nothing written yet")
	at := int64(0)
	for _, p := range []string{"abc", "defg", "hi"} {
		n, err := s.WriteAt([]byte(p), at)
		require.NoError(t, err)
		require.Equal(t, len(p), n)
		at += int64(n)
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "the file is removed from its directory at once")
	buf := make([]byte, 4)
	n, err := s.ReadAt(buf, 3)
	require.NoError(t, err)
	require.Equal(t, "defg", string(buf[:n]))
	require.NoError(t, s.Truncate(7))
	n, err = s.ReadAt(buf, 5)
	require.ErrorIs(t, err, io.EOF, "truncated")
	require.Equal(t, "fg", string(buf[:n]))
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "closing twice")

	missing := &spillFile{dir: filepath.Join(dir, "missing")}
	_, err = missing.WriteAt([]byte("abc"), 0)
	require.ErrorContains(t, err, "set TMPDIR to a writable directory")
}

// sharedBuild is a build of jobs failed jobs whose logs each hold the
// same perJob distinct error lines: a finding lists every job, and most
// jobs' candidates lose their lines to the budget and are packed.
func sharedBuild(jobs, perJob int) stringSource {
	src := stringSource{build: providers.Build{Provider: providers.KindBuildkite}, logs: map[string]string{}}
	var b strings.Builder
	for i := range perJob {
		fmt.Fprintf(&b, "compiling unit %d\nerror: cannot frob %s\n", i, letters(i))
	}
	for j := range jobs {
		id := fmt.Sprintf("job-%02d", j)
		src.build.Jobs = append(src.build.Jobs, providers.Job{ID: id, Name: id, State: providers.JobFailed, HasLog: true})
		src.logs[id] = b.String()
	}
	return src
}

// TestRunSpillsLowerRankedCandidates: a large build's packed candidates
// go to the spill and are read back for its findings, which are those of
// a run that kept them in memory (its write failed, which its notes say);
// a spill that cannot be read back fails the run with an error that says
// what to do; and the temporary file leaves nothing behind.
func TestRunSpillsLowerRankedCandidates(t *testing.T) {
	t.Parallel()
	src := sharedBuild(6, 1200)
	opts := Options{Concurrency: 3}

	spilled := &analysistest.MemSpill{}
	opts.spill = spilled
	got, err := Run(context.Background(), src, opts, nil)
	require.NoError(t, err)
	require.NotEmpty(t, spilled.Data, "nothing was spilled")
	require.NotContains(t, strings.Join(got.Notes, "\n"), "kept in memory")
	require.Len(t, got.Findings[0].Jobs, 6, "a finding lists every job, with the lines of those packed")

	opts.spill = &analysistest.MemSpill{Full: true}
	inMemory, err := Run(context.Background(), src, opts, nil)
	require.NoError(t, err)
	require.Contains(t, inMemory.Notes, SpillNote(analysistest.ErrFull))
	// (Not require.Equal: its diff of thousands of findings takes minutes.)
	require.True(t, reflect.DeepEqual(inMemory.Findings, got.Findings), "the spilled findings differ from those kept in memory")

	opts.spill = nil
	opts.TempDir = t.TempDir()
	inFile, err := Run(context.Background(), src, opts, nil)
	require.NoError(t, err)
	require.True(t, reflect.DeepEqual(inMemory.Findings, inFile.Findings), "the findings read back from a file differ")
	entries, err := os.ReadDir(opts.TempDir)
	require.NoError(t, err)
	require.Empty(t, entries, "the temporary file is gone")

	opts.spill = &failingReads{}
	_, err = Run(context.Background(), src, opts, nil)
	require.ErrorIs(t, err, analysistest.ErrRead)
	require.ErrorContains(t, err, "set TMPDIR")
}

// failingReads is a MemSpill that fails every read once something was
// written.
type failingReads struct{ analysistest.MemSpill }

func (s *failingReads) WriteAt(p []byte, off int64) (int, error) {
	s.FailReads = true
	return s.MemSpill.WriteAt(p, off)
}

var _ analysis.Spill = (*failingReads)(nil)
