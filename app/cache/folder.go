package cache

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/zstd"
)

// Kinds of entries.
const (
	// KindLog is a finished job's raw log.
	KindLog = "log"
	// KindBuild is a finished build's metadata (providers.Build as JSON).
	KindBuild = "build"
	// KindTests is the test reports of a finished build's jobs.
	KindTests = "tests"
	// KindResult is what analyzing one log with some options found.
	KindResult = "result"
	// KindHistory is what history keeps of a build (its jobs and their
	// fingerprints), or which builds a window held.
	KindHistory = "history"
)

// kindDirs maps each kind to its folder under the store's root.
var kindDirs = map[string]string{KindLog: "logs", KindBuild: "builds", KindTests: "tests", KindResult: "results", KindHistory: "history"}

// DefaultMaxBytes is the default size cap: 2 GiB of compressed entries.
const DefaultMaxBytes int64 = 2 << 30

// staleTemp is how old an unfinished temporary file must be before prune
// and eviction treat it as left behind by a crash.
const staleTemp = time.Hour

// Folder is a folder of cache entries. It is safe for concurrent use, and
// several processes may share one folder: entries appear whole or not at
// all, and every reader verifies what it reads.
type Folder struct {
	dir string
	max int64
	now func() time.Time

	mu   sync.Mutex
	size int64 // bytes of entries on disk; -1 until first counted
}

// Options configure a Folder.
type Options struct {
	// MaxBytes caps the bytes the entries take on disk; the least recently
	// used are evicted past it. 0 or less: no cap.
	MaxBytes int64
	// NowFunc is the clock (nil: time.Now).
	NowFunc func() time.Time
}

// Open opens (creating if needed) the store in dir. The folders it creates
// are readable by the owner only; a folder of another user is refused, and
// one of ours that others could open is closed first (see makePrivate).
func Open(dir string, opts Options) (*Folder, error) {
	if dir == "" {
		return nil, errors.New("no cache folder")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create cache folder: %w", err)
	}
	if err := makePrivate(dir, os.Getuid()); err != nil {
		return nil, err
	}
	now := opts.NowFunc
	if now == nil {
		now = time.Now
	}
	return &Folder{dir: dir, max: opts.MaxBytes, now: now, size: -1}, nil
}

// Dir is the store's folder.
func (s *Folder) Dir() string { return s.dir }

// MaxBytes is the store's size cap (0 or less: none).
func (s *Folder) MaxBytes() int64 { return s.max }

// Entry is one entry of the store.
type Entry struct {
	Meta
	// Path is the entry's file.
	Path string
	// Size is the bytes the file takes; RawSize the bytes of its content.
	Size    int64
	RawSize int64
	// Sum is the hex SHA-256 of the file's header and compressed content:
	// it changes whenever the content does.
	Sum string
	// LastUsed is when the entry was last written or read.
	LastUsed time.Time
	// Damaged is set on a file that is not a whole entry.
	Damaged bool
}

func (s *Folder) path(kind, key string) (string, error) {
	d, ok := kindDirs[kind]
	if !ok {
		return "", fmt.Errorf("unknown cache entry kind %q", kind)
	}
	h := sha256.Sum256([]byte(kind + "\x00" + key))
	return filepath.Join(s.dir, d, hex.EncodeToString(h[:])+".zst"), nil
}

// ensureDir creates a folder of the store, owner-only.
func ensureDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return os.Chmod(dir, 0o700)
}

// Writer writes one entry. Nothing is visible under the entry's name until
// Commit; Abort (or a crash) leaves only a temporary file, which no reader
// ever trusts.
type Writer struct {
	s     *Folder
	meta  Meta
	final string
	f     *os.File
	sink  *payloadSink
	enc   *zstd.Encoder
	raw   int64
	err   error
	ended bool
}

// payloadSink is where the compressed bytes go: the file and the hash.
type payloadSink struct {
	f *os.File
	h hash.Hash
	n int64
}

func (p *payloadSink) Write(b []byte) (int, error) {
	n, err := p.f.Write(b)
	p.h.Write(b[:n])
	p.n += int64(n)
	return n, err
}

// Create starts writing the entry meta describes (Kind and Key set).
func (s *Folder) Create(meta Meta) (*Writer, error) {
	final, err := s.path(meta.Kind, meta.Key)
	if err != nil {
		return nil, err
	}
	if meta.Created.IsZero() {
		meta.Created = s.now().UTC()
	}
	head, err := encodeHeader(meta)
	if err != nil {
		return nil, err
	}
	tmpDir := filepath.Join(s.dir, "tmp")
	if err := ensureDir(tmpDir); err != nil {
		return nil, fmt.Errorf("create cache folder: %w", err)
	}
	f, err := os.CreateTemp(tmpDir, meta.Kind+"-*.part") // mode 0600
	if err != nil {
		return nil, fmt.Errorf("create cache file: %w", err)
	}
	w := &Writer{s: s, meta: meta, final: final, f: f, sink: &payloadSink{f: f, h: sha256.New()}}
	if _, err := w.sink.Write(head); err != nil {
		w.Abort()
		return nil, fmt.Errorf("write cache file: %w", err)
	}
	w.sink.n = 0
	w.enc, err = zstd.NewWriter(w.sink, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	if err != nil {
		w.Abort()
		return nil, err
	}
	return w, nil
}

// Write compresses p into the entry.
func (w *Writer) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	if w.ended {
		return 0, errors.New("cache entry already committed or aborted")
	}
	n, err := w.enc.Write(p)
	w.raw += int64(n)
	if err != nil {
		w.err = fmt.Errorf("write cache file: %w", err)
	}
	return n, w.err
}

// Commit finishes the entry and puts it in place, replacing any entry of
// the same kind and key. The file is not synced to disk: a crash may lose
// it or leave it damaged, which readers detect (the entry is then fetched
// again), so durability is not worth an fsync per log. An entry larger
// than the store's cap is dropped.
func (w *Writer) Commit() (Entry, error) { return w.commit(true) }

// CommitIfAbsent is Commit, except that a whole entry of the same kind and
// key already in place (another run filled it meanwhile) is kept, and
// returned, instead of this one: runs filling one entry at once agree on
// one, and what they key on its Sum stays reachable.
func (w *Writer) CommitIfAbsent() (Entry, error) { return w.commit(false) }

func (w *Writer) commit(replace bool) (Entry, error) {
	if w.ended {
		return Entry{}, errors.New("cache entry already committed or aborted")
	}
	if w.err != nil {
		w.Abort()
		return Entry{}, w.err
	}
	w.ended = true
	fail := func(err error) (Entry, error) {
		w.f.Close()
		os.Remove(w.f.Name())
		return Entry{}, fmt.Errorf("write cache file: %w", err)
	}
	if err := w.enc.Close(); err != nil {
		return fail(err)
	}
	t := trailer{payloadLen: w.sink.n, rawLen: w.raw}
	copy(t.sum[:], w.sink.h.Sum(nil))
	if _, err := w.f.Write(t.encode()); err != nil {
		return fail(err)
	}
	info, err := w.f.Stat()
	if err != nil {
		return fail(err)
	}
	if err := w.f.Close(); err != nil {
		return fail(err)
	}
	size := info.Size()
	if w.s.max > 0 && size > w.s.max {
		os.Remove(w.f.Name())
		return Entry{}, fmt.Errorf("cache entry of %d bytes is larger than the cache's cap (%d bytes)", size, w.s.max)
	}
	if err := ensureDir(filepath.Dir(w.final)); err != nil {
		return fail(err)
	}
	used := w.s.now()
	_ = os.Chtimes(w.f.Name(), used, used) // the store's clock decides what is least recently used
	e := Entry{
		Meta: w.meta, Path: w.final, Size: size, RawSize: w.raw,
		Sum: hex.EncodeToString(t.sum[:]), LastUsed: used,
	}
	if !replace {
		if placed, ok := w.placeIfAbsent(e); ok {
			return placed, nil
		}
	}
	var replaced int64
	if old, err := os.Stat(w.final); err == nil {
		replaced = old.Size()
	}
	if err := os.Rename(w.f.Name(), w.final); err != nil {
		os.Remove(w.f.Name())
		return Entry{}, fmt.Errorf("write cache file: %w", err)
	}
	w.s.added(size - replaced)
	return e, nil
}

// placeIfAbsent links the finished temporary file in as e unless a whole
// entry is in place already, which it returns instead. ok is false when
// neither worked (no hard links on this file system): the caller then
// renames.
func (w *Writer) placeIfAbsent(e Entry) (Entry, bool) {
	tmp := w.f.Name()
	for range 3 {
		err := os.Link(tmp, w.final)
		if err == nil {
			os.Remove(tmp)
			w.s.added(e.Size)
			return e, true
		}
		if !errors.Is(err, fs.ErrExist) {
			return Entry{}, false
		}
		if there, err := w.s.Lookup(w.meta.Kind, w.meta.Key); err == nil {
			os.Remove(tmp)
			w.s.Touch(there)
			return there, true
		} // damaged, and now removed (or gone): link again
	}
	return Entry{}, false
}

// Abort drops the entry.
func (w *Writer) Abort() {
	if w.ended {
		return
	}
	w.ended = true
	if w.enc != nil {
		w.enc.Close()
	}
	w.f.Close()
	os.Remove(w.f.Name())
}

// Put writes a whole entry at once.
func (s *Folder) Put(meta Meta, content []byte) (Entry, error) {
	w, err := s.Create(meta)
	if err != nil {
		return Entry{}, err
	}
	if _, err := w.Write(content); err != nil {
		w.Abort()
		return Entry{}, err
	}
	return w.Commit()
}

// Lookup returns the entry of kind and key from its header and trailer,
// without reading or verifying its content. It does not count as a use.
func (s *Folder) Lookup(kind, key string) (Entry, error) {
	p, err := s.path(kind, key)
	if err != nil {
		return Entry{}, err
	}
	f, err := os.Open(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Entry{}, ErrNotFound
		}
		return Entry{}, err
	}
	defer f.Close()
	e, _, err := s.entryOf(f)
	if errors.Is(err, ErrCorrupt) {
		os.Remove(p)
	}
	return e, err
}

func (s *Folder) entryOf(f *os.File) (Entry, layout, error) {
	info, err := f.Stat()
	if err != nil {
		return Entry{}, layout{}, err
	}
	e := Entry{Path: f.Name(), Size: info.Size(), LastUsed: info.ModTime()}
	l, err := readLayout(f, info.Size())
	if err != nil {
		e.Damaged = true
		return e, l, err
	}
	e.Meta = l.meta
	e.RawSize = l.trailer.rawLen
	e.Sum = hex.EncodeToString(l.trailer.sum[:])
	return e, l, nil
}

// Touch marks e as used now, for the least-recently-used eviction.
func (s *Folder) Touch(e Entry) {
	now := s.now()
	_ = os.Chtimes(e.Path, now, now)
}

// Reader reads an entry's content, verified.
type Reader struct {
	Entry Entry
	f     *os.File
	dec   *zstd.Decoder
	got   int64
}

// Open opens the entry of kind and key for reading and marks it used.
// Before anything is served, the whole file is checked against its
// trailer; a damaged file is removed and ErrCorrupt returned. A missing
// entry is ErrNotFound.
func (s *Folder) Open(kind, key string) (*Reader, error) {
	p, err := s.path(kind, key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	e, l, err := s.entryOf(f)
	if err == nil {
		err = verify(f, l)
	}
	if err == nil && (e.Kind != kind || e.Key != key) {
		err = fmt.Errorf("%w: holds %s %q", ErrCorrupt, e.Kind, e.Key)
	}
	if err != nil {
		f.Close()
		if errors.Is(err, ErrCorrupt) {
			os.Remove(p)
		}
		return nil, err
	}
	dec, err := zstd.NewReader(bufio.NewReaderSize(io.NewSectionReader(f, l.headerLen, l.trailer.payloadLen), bufSize(l.trailer.payloadLen)),
		zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
	if err != nil {
		f.Close()
		return nil, err
	}
	s.Touch(e)
	return &Reader{Entry: e, f: f, dec: dec}, nil
}

// bufSize is the read buffer for n bytes of a file: 256 KiB, or less for
// a small entry (a history record, an analysis), which is read often.
func bufSize(n int64) int {
	return int(min(max(n, 4<<10), 256<<10))
}

// verify hashes the header and payload and compares with the trailer.
func verify(f *os.File, l layout) error {
	h := sha256.New()
	if _, err := io.Copy(h, bufio.NewReaderSize(io.NewSectionReader(f, 0, l.headerLen+l.trailer.payloadLen), bufSize(l.headerLen+l.trailer.payloadLen))); err != nil {
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if string(h.Sum(nil)) != string(l.trailer.sum[:]) {
		return fmt.Errorf("%w: checksum mismatch", ErrCorrupt)
	}
	return nil
}

// Read returns the entry's raw content. Its length is checked at the end.
func (r *Reader) Read(p []byte) (int, error) {
	n, err := r.dec.Read(p)
	r.got += int64(n)
	if err == io.EOF && r.got != r.Entry.RawSize {
		return n, fmt.Errorf("%w: content is %d bytes, want %d", ErrCorrupt, r.got, r.Entry.RawSize)
	}
	if err != nil && err != io.EOF {
		err = fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return n, err
}

// Close closes the entry.
func (r *Reader) Close() error {
	r.dec.Close()
	return r.f.Close()
}

// Get reads a whole (small) entry.
func (s *Folder) Get(kind, key string) ([]byte, Entry, error) {
	r, err := s.Open(kind, key)
	if err != nil {
		return nil, Entry{}, err
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, Entry{}, err
	}
	return b, r.Entry, nil
}

// List returns every entry, most recently used first. Damaged files are
// listed with Damaged set.
func (s *Folder) List() ([]Entry, error) {
	var out []Entry
	err := s.walk(func(path string, info fs.FileInfo) {
		f, err := os.Open(path)
		if err != nil {
			return
		}
		defer f.Close()
		e, _, _ := s.entryOf(f)
		out = append(out, e)
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].LastUsed.After(out[j].LastUsed) })
	return out, err
}

// walk calls fn for every entry file (not temporary files).
func (s *Folder) walk(fn func(path string, info fs.FileInfo)) error {
	var errs []error
	for _, d := range kindDirs {
		ents, err := os.ReadDir(filepath.Join(s.dir, d))
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
			continue
		}
		for _, de := range ents {
			if !de.Type().IsRegular() || !strings.HasSuffix(de.Name(), ".zst") {
				continue
			}
			info, err := de.Info()
			if err != nil {
				continue
			}
			fn(filepath.Join(s.dir, d, de.Name()), info)
		}
	}
	return errors.Join(errs...)
}

// fileInfo is an entry file's path, size and last use, for eviction.
type fileInfo struct {
	path string
	size int64
	used time.Time
}

func (s *Folder) files() ([]fileInfo, int64) {
	var out []fileInfo
	var total int64
	s.walk(func(path string, info fs.FileInfo) {
		out = append(out, fileInfo{path: path, size: info.Size(), used: info.ModTime()})
		total += info.Size()
	})
	return out, total
}

// added accounts for a new entry of size bytes and evicts past the cap.
func (s *Folder) added(size int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.size < 0 {
		_, s.size = s.files()
	} else {
		s.size += size
	}
	if s.max > 0 && s.size > s.max {
		s.evictLocked(s.max)
	}
}

// evictLocked removes the least recently used entries until they take at
// most limit bytes, and returns how many and how many bytes it removed.
func (s *Folder) evictLocked(limit int64) (int, int64) {
	files, total := s.files()
	sort.Slice(files, func(i, j int) bool { return files[i].used.Before(files[j].used) })
	n, freed := 0, int64(0)
	for _, f := range files {
		if total <= limit {
			break
		}
		if err := os.Remove(f.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			continue
		}
		total -= f.size
		freed += f.size
		n++
	}
	s.size = total
	return n, freed
}

// PruneOptions say what Prune removes besides what the cap requires.
type PruneOptions struct {
	// OlderThan removes entries not used for this long (0: none).
	OlderThan time.Duration
	// All removes every entry.
	All bool
}

// PruneResult says what Prune removed.
type PruneResult struct {
	Removed int
	Freed   int64
	// Kept and KeptBytes are what is left.
	Kept      int
	KeptBytes int64
}

// Prune removes entries not used for opts.OlderThan (or all of them), the
// temporary files that crashed runs left behind, then the least recently
// used entries past the cap.
func (s *Folder) Prune(opts PruneOptions) (PruneResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var res PruneResult
	now := s.now()
	if tmp, err := os.ReadDir(filepath.Join(s.dir, "tmp")); err == nil {
		for _, de := range tmp {
			info, err := de.Info()
			if err != nil || (!opts.All && now.Sub(info.ModTime()) < staleTemp) {
				continue
			}
			if os.Remove(filepath.Join(s.dir, "tmp", de.Name())) == nil {
				res.Freed += info.Size()
			}
		}
	}
	files, _ := s.files()
	var firstErr error
	for _, f := range files {
		if opts.All || (opts.OlderThan > 0 && now.Sub(f.used) > opts.OlderThan) {
			if err := os.Remove(f.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				if firstErr == nil {
					firstErr = fmt.Errorf("remove cache entry: %w", err)
				}
				continue
			}
			res.Removed++
			res.Freed += f.size
		}
	}
	if s.max > 0 {
		n, freed := s.evictLocked(s.max)
		res.Removed += n
		res.Freed += freed
	}
	files, total := s.files()
	s.size = total
	res.Kept, res.KeptBytes = len(files), total
	return res, firstErr
}
