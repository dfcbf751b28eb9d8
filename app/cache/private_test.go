//go:build unix

package cache

import (
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// nobody is a user ID that is not the test's.
const nobody = 65534

// TestOpenClosesAnOpenFolderOfOurs opens a store in a world-writable
// folder of ours into which others have put things: it is closed, and
// what is not ours is dropped before anything is read.
func TestOpenClosesAnOpenFolderOfOurs(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "cache")
	logs := filepath.Join(dir, "logs")
	require.NoError(t, os.MkdirAll(logs, 0o700))
	require.NoError(t, os.Chmod(dir, 0o777))
	require.NoError(t, os.Chmod(logs, 0o777))
	ours := filepath.Join(logs, "ours.zst")
	require.NoError(t, os.WriteFile(ours, []byte("x"), 0o600))
	link := filepath.Join(logs, "planted.zst")
	require.NoError(t, os.Symlink("/etc/passwd", link))
	theirs := filepath.Join(logs, "theirs.zst")
	require.NoError(t, os.WriteFile(theirs, []byte("x"), 0o666))
	asRoot := os.Getuid() == 0
	if asRoot { // only root can give a file away
		require.NoError(t, os.Chown(theirs, nobody, nobody))
	}

	st, err := Open(dir, Options{})
	require.NoError(t, err)
	require.Equal(t, dir, st.Dir())
	for _, d := range []string{dir, logs} {
		info, err := os.Stat(d)
		require.NoError(t, err)
		require.Equal(t, fs.FileMode(0o700), info.Mode().Perm(), d)
	}
	_, err = os.Lstat(link)
	require.ErrorIs(t, err, fs.ErrNotExist, "a link is never an entry")
	_, err = os.Stat(theirs)
	require.Equal(t, asRoot, os.IsNotExist(err), "another user's file is dropped")
	_, err = os.Stat(ours)
	require.NoError(t, err, "our own entries stay")
}

// TestOpenRefusesAFolderOfAnotherUser opens a store in a folder that is
// not ours: one line says what to do, and nothing is written there.
func TestOpenRefusesAFolderOfAnotherUser(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "cache")
	require.NoError(t, os.Mkdir(dir, 0o777))
	require.NoError(t, os.Chmod(dir, 0o777))
	err := makePrivate(dir, os.Getuid()+1)
	require.EqualError(t, err, "cache folder "+dir+" belongs to another user (uid "+strconv.Itoa(os.Getuid())+"): remove it, or set DESTILL_CACHE_DIR to a folder of your own")
	info, _ := os.Stat(dir)
	require.Equal(t, fs.FileMode(0o777), info.Mode().Perm(), "left as it is")

	// A real folder of another user: one made so as root, else the root
	// folder.
	theirs := "/"
	if os.Getuid() == 0 {
		theirs = filepath.Join(t.TempDir(), "theirs")
		require.NoError(t, os.Mkdir(theirs, 0o777))
		require.NoError(t, os.Chown(theirs, nobody, nobody))
	}
	_, err = Open(theirs, Options{})
	require.ErrorContains(t, err, "belongs to another user")
	require.ErrorContains(t, err, "set DESTILL_CACHE_DIR to a folder of your own")
	if theirs != "/" {
		ents, _ := os.ReadDir(theirs)
		require.Empty(t, ents, "nothing created")
	}
}
