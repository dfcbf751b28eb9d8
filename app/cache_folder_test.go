//go:build unix

package app

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/providers/providertest"
)

// TestCacheFolderOpenToOthers analyzes with a cache folder others can
// write to: one of ours is closed and used; one of another user is not
// used, with one line saying what to do.
func TestCacheFolderOpenToOthers(t *testing.T) {
	t.Parallel()
	fake := newFake(t, providertest.DemoGitLab())
	ours := filepath.Join(t.TempDir(), "cache")
	require.NoError(t, os.Mkdir(ours, 0o777))
	require.NoError(t, os.Chmod(ours, 0o777))
	r := analyzeURL(t, fake, fake.WebURL(0), withCache(fake, ours))
	require.Equal(t, 0, r.code, r.err)
	info, err := os.Stat(ours)
	require.NoError(t, err)
	require.Equal(t, fs.FileMode(0o700), info.Mode().Perm())
	require.NotEmpty(t, cacheFiles(t, ours, "logs"))

	theirs := "/" // a folder of another user: root's, or nobody's when we are root
	if os.Getuid() == 0 {
		theirs = filepath.Join(t.TempDir(), "theirs")
		require.NoError(t, os.Mkdir(theirs, 0o777))
		require.NoError(t, os.Chmod(theirs, 0o777))
		require.NoError(t, os.Chown(theirs, 65534, 65534))
	}
	r = analyzeURL(t, fake, fake.WebURL(0), withCache(fake, theirs))
	require.Equal(t, 0, r.code, r.err)
	require.Contains(t, r.err, "cache: cache folder "+theirs+" belongs to another user")
	require.Contains(t, r.err, "set DESTILL_CACHE_DIR to a folder of your own; continuing without it")
	require.Equal(t, 1, strings.Count(r.err, "\n"), r.err)
	require.Empty(t, cacheFiles(t, theirs, "logs"))
}
