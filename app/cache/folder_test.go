package cache

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeClock is a settable clock for the store.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func newFolder(t *testing.T, max int64) (*Folder, *fakeClock) {
	t.Helper()
	clock := &fakeClock{t: time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)}
	st, err := Open(filepath.Join(t.TempDir(), "cache"), Options{MaxBytes: max, NowFunc: clock.now})
	require.NoError(t, err)
	return st, clock
}

// randomLog is n bytes that do not compress much, so entry sizes are
// predictable.
func randomLog(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(' ' + r.IntN(90))
		if i%80 == 79 {
			b[i] = '\n'
		}
	}
	return b
}

func logMeta(key string) Meta {
	return Meta{Kind: KindLog, Key: key, Provider: "github-actions", JobName: key}
}

func TestPutGetRoundTrip(t *testing.T) {
	t.Parallel()
	st, _ := newFolder(t, 0)
	for _, n := range []int{0, 1, 100, 3 << 20} {
		content := randomLog(uint64(n), n)
		key := fmt.Sprintf("job-%d", n)
		e, err := st.Put(logMeta(key), content)
		require.NoError(t, err)
		require.Equal(t, int64(n), e.RawSize)
		got, e2, err := st.Get(KindLog, key)
		require.NoError(t, err)
		require.True(t, bytes.Equal(content, got), "content of %d bytes reads back", n)
		require.Equal(t, e.Sum, e2.Sum)
		require.Equal(t, key, e2.JobName)
	}
	_, _, err := st.Get(KindLog, "never-written")
	require.ErrorIs(t, err, ErrNotFound)
}

func TestFilesAreOwnerOnly(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	st, _ := newFolder(t, 0)
	_, err := st.Put(logMeta("a"), []byte("secret token in a log\n"))
	require.NoError(t, err)
	w, err := st.Create(logMeta("b")) // a temporary file, not committed
	require.NoError(t, err)
	defer w.Abort()
	n := 0
	require.NoError(t, filepath.WalkDir(st.Dir(), func(path string, d fs.DirEntry, err error) error {
		require.NoError(t, err)
		info, err := d.Info()
		require.NoError(t, err)
		if d.IsDir() {
			require.Equal(t, fs.FileMode(0o700), info.Mode().Perm(), path)
		} else {
			require.Equal(t, fs.FileMode(0o600), info.Mode().Perm(), path)
			n++
		}
		return nil
	}))
	require.Equal(t, 2, n, "the entry and the temporary file")
}

func TestUncommittedWriteIsInvisible(t *testing.T) {
	t.Parallel()
	st, clock := newFolder(t, 0)
	w, err := st.Create(logMeta("job"))
	require.NoError(t, err)
	_, err = w.Write(randomLog(1, 1<<20))
	require.NoError(t, err)
	// A crash now leaves only the temporary file.
	_, _, err = st.Get(KindLog, "job")
	require.ErrorIs(t, err, ErrNotFound)
	entries, err := st.List()
	require.NoError(t, err)
	require.Empty(t, entries)

	// Prune removes temporary files left behind, once they are stale.
	tmp, _ := os.ReadDir(filepath.Join(st.Dir(), "tmp"))
	require.Len(t, tmp, 1)
	old := clock.t.Add(-2 * staleTemp)
	require.NoError(t, os.Chtimes(filepath.Join(st.Dir(), "tmp", tmp[0].Name()), old, old))
	clock.t = time.Now()
	_, err = st.Prune(PruneOptions{})
	require.NoError(t, err)
	tmp, _ = os.ReadDir(filepath.Join(st.Dir(), "tmp"))
	require.Empty(t, tmp)
}

func TestDamagedEntriesAreDetectedAndRemoved(t *testing.T) {
	t.Parallel()
	content := randomLog(7, 2<<20)
	for _, tc := range []struct {
		name   string
		damage func(path string, data []byte) []byte
		want   string
	}{
		{"cut short by a crash", func(_ string, d []byte) []byte { return d[:len(d)/2] }, "no trailer"},
		{"cut before the trailer's end", func(_ string, d []byte) []byte { return d[:len(d)-1] }, "no trailer"},
		{"empty", func(_ string, d []byte) []byte { return nil }, "too short"},
		{"a byte of the log changed", func(_ string, d []byte) []byte { d[len(d)/2] ^= 0x40; return d }, "checksum mismatch"},
		{"a byte of the header changed", func(_ string, d []byte) []byte { d[20] ^= 0x01; return d }, ""},
		{"trailer lengths changed", func(_ string, d []byte) []byte { d[len(d)-trailerSize+7]++; return d }, "does not match"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st, _ := newFolder(t, 0)
			e, err := st.Put(logMeta("job"), content)
			require.NoError(t, err)
			data, err := os.ReadFile(e.Path)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(e.Path, tc.damage(e.Path, data), 0o600))

			_, err = st.Open(KindLog, "job")
			require.ErrorIs(t, err, ErrCorrupt)
			require.Contains(t, err.Error(), tc.want)
			_, err = os.Stat(e.Path)
			require.ErrorIs(t, err, fs.ErrNotExist, "a damaged entry is removed")
			_, err = st.Open(KindLog, "job")
			require.ErrorIs(t, err, ErrNotFound)
		})
	}
}

func TestReaderChecksLengthAtEnd(t *testing.T) {
	t.Parallel()
	st, _ := newFolder(t, 0)
	e, err := st.Put(logMeta("job"), []byte("line one\nline two\n"))
	require.NoError(t, err)
	r, err := st.Open(KindLog, "job")
	require.NoError(t, err)
	r.Entry.RawSize++ // as if the trailer promised more than the payload holds
	_, err = io.ReadAll(r)
	require.ErrorIs(t, err, ErrCorrupt)
	r.Close()
	require.FileExists(t, e.Path)
}

func TestEvictionKeepsUnderCapLeastRecentlyUsedFirst(t *testing.T) {
	t.Parallel()
	const size = 100 << 10
	probe, _ := newFolder(t, 0)
	e, err := probe.Put(logMeta("probe"), randomLog(0, size))
	require.NoError(t, err)
	per := e.Size // the on-disk size of one entry
	max := 5*per + per/2

	st, clock := newFolder(t, max)
	for i := range 5 {
		clock.t = clock.t.Add(time.Minute)
		_, err := st.Put(logMeta(fmt.Sprint(i)), randomLog(uint64(i), size))
		require.NoError(t, err)
	}
	// Use entry 0 again: it becomes the most recently used.
	clock.t = clock.t.Add(time.Minute)
	r, err := st.Open(KindLog, "0")
	require.NoError(t, err)
	r.Close()
	for i := 5; i < 8; i++ {
		clock.t = clock.t.Add(time.Minute)
		_, err := st.Put(logMeta(fmt.Sprint(i)), randomLog(uint64(i), size))
		require.NoError(t, err)
	}
	entries, err := st.List()
	require.NoError(t, err)
	var total int64
	var kept []string
	for _, e := range entries {
		total += e.Size
		kept = append(kept, e.Key)
	}
	require.LessOrEqual(t, total, max, "the cap holds")
	require.ElementsMatch(t, []string{"0", "4", "5", "6", "7"}, kept, "1, 2 and 3 were the least recently used")

	// An entry larger than the whole cap is not kept at all.
	_, err = st.Put(logMeta("huge"), randomLog(99, int(max)+size))
	require.Error(t, err)
	_, _, err = st.Get(KindLog, "huge")
	require.ErrorIs(t, err, ErrNotFound)
	entries, _ = st.List()
	require.Len(t, entries, 5, "and evicts nothing")
}

func TestEvictionCountsEntriesOfOtherProcesses(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "cache")
	a, err := Open(dir, Options{})
	require.NoError(t, err)
	for i := range 4 {
		_, err := a.Put(logMeta(fmt.Sprint(i)), randomLog(uint64(i), 50<<10))
		require.NoError(t, err)
	}
	entries, _ := a.List()
	one := entries[0].Size
	b, err := Open(dir, Options{MaxBytes: 3 * one})
	require.NoError(t, err)
	_, err = b.Put(logMeta("new"), randomLog(9, 50<<10))
	require.NoError(t, err)
	entries, _ = b.List()
	var total int64
	for _, e := range entries {
		total += e.Size
	}
	require.LessOrEqual(t, total, 3*one+one/10)
	_, _, err = b.Get(KindLog, "new")
	require.NoError(t, err, "the newest entry survives")
}

func TestPrune(t *testing.T) {
	t.Parallel()
	st, clock := newFolder(t, 0)
	start := clock.t
	for i := range 4 {
		clock.t = start.Add(time.Duration(i) * 24 * time.Hour)
		_, err := st.Put(logMeta(fmt.Sprint(i)), randomLog(uint64(i), 1000))
		require.NoError(t, err)
	}
	clock.t = start.Add(10 * 24 * time.Hour) // day 10: entries are 10, 9, 8, 7 days old
	res, err := st.Prune(PruneOptions{OlderThan: 8*24*time.Hour + time.Hour})
	require.NoError(t, err)
	require.Equal(t, 2, res.Removed)
	require.Equal(t, 2, res.Kept)
	require.Positive(t, res.Freed)
	res, err = st.Prune(PruneOptions{All: true})
	require.NoError(t, err)
	require.Equal(t, 2, res.Removed)
	require.Zero(t, res.Kept)
	entries, _ := st.List()
	require.Empty(t, entries)
}

func TestListShowsDamagedFiles(t *testing.T) {
	t.Parallel()
	st, _ := newFolder(t, 0)
	e, err := st.Put(logMeta("ok"), []byte("fine\n"))
	require.NoError(t, err)
	bad := filepath.Join(filepath.Dir(e.Path), strings.Repeat("0", 64)+".zst")
	require.NoError(t, os.WriteFile(bad, []byte("DSTLC\x00\x00\x01 and then nothing"), 0o600))
	entries, err := st.List()
	require.NoError(t, err)
	require.Len(t, entries, 2)
	damaged := 0
	for _, e := range entries {
		if e.Damaged {
			damaged++
		}
	}
	require.Equal(t, 1, damaged)
}

func TestOpenRejectsEntryUnderAnotherKey(t *testing.T) {
	t.Parallel()
	st, _ := newFolder(t, 0)
	a, err := st.Put(logMeta("a"), []byte("log a\n"))
	require.NoError(t, err)
	b, err := st.Put(logMeta("b"), []byte("log b\n"))
	require.NoError(t, err)
	data, _ := os.ReadFile(a.Path)
	require.NoError(t, os.WriteFile(b.Path, data, 0o600)) // a file copied over another
	_, err = st.Open(KindLog, "b")
	require.True(t, errors.Is(err, ErrCorrupt), "%v", err)
}

// TestCommitIfAbsentKeepsTheFirst commits two entries of one key: with
// CommitIfAbsent the one in place stays and is returned, with Commit the
// new one replaces it; the store's count of bytes stays true.
func TestCommitIfAbsentKeepsTheFirst(t *testing.T) {
	t.Parallel()
	st, clock := newFolder(t, 0)
	write := func(content string) *Writer {
		w, err := st.Create(logMeta("job"))
		require.NoError(t, err)
		_, err = w.Write([]byte(content))
		require.NoError(t, err)
		return w
	}
	first, second := write("first"), write("second")
	e1, err := first.CommitIfAbsent()
	require.NoError(t, err)
	clock.t = clock.t.Add(time.Minute)
	e2, err := second.CommitIfAbsent()
	require.NoError(t, err)
	require.Equal(t, e1.Sum, e2.Sum, "the second run gets the first's entry")
	got, _, err := st.Get(KindLog, "job")
	require.NoError(t, err)
	require.Equal(t, "first", string(got))

	e3, err := write("third").Commit()
	require.NoError(t, err)
	require.NotEqual(t, e1.Sum, e3.Sum)
	got, _, err = st.Get(KindLog, "job")
	require.NoError(t, err)
	require.Equal(t, "third", string(got))

	tmp, _ := os.ReadDir(filepath.Join(st.Dir(), "tmp"))
	require.Empty(t, tmp, "no temporary file left")
	_, onDisk := st.files()
	st.mu.Lock()
	counted := st.size
	st.mu.Unlock()
	require.Equal(t, onDisk, counted, "a replaced entry's bytes are not counted twice")
}
