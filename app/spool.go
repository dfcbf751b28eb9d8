package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/destill-dev/destill/app/pipeline"
	"github.com/destill-dev/destill/providers"
)

// maxSpoolBytes caps what a spool keeps of standard input: past it the
// analysis goes on, but the preview and the pager see only the start.
const maxSpoolBytes = 1 << 30

// spool keeps standard input on disk as it is read, in a folder only the
// user can read, deleted when the command ends: the interactive UI previews
// findings from it while the input still flows, and the l key shows it in
// a pager. Standard input cannot be read twice.
type spool struct {
	dir string
	f   *os.File

	mu   sync.Mutex
	n    int64 // bytes written
	full bool  // maxSpoolBytes reached
	err  error // the first write error: the spool stops there
}

func newSpool() (*spool, error) {
	dir, err := os.MkdirTemp("", "destill-stdin-")
	if err != nil {
		return nil, fmt.Errorf("keep standard input for the UI: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "stdin.log"), os.O_CREATE|os.O_RDWR|os.O_EXCL, 0o600)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("keep standard input for the UI: %w", err)
	}
	return &spool{dir: dir, f: f}, nil
}

// write keeps p, unless the spool is full or failed.
func (s *spool) write(p []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.full || s.err != nil {
		return
	}
	if room := maxSpoolBytes - s.n; int64(len(p)) > room {
		p, s.full = p[:room], true
	}
	n, err := s.f.Write(p)
	s.n += int64(n)
	s.err = err
}

// size is how many bytes the spool holds, readable with section.
func (s *spool) size() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// section reads the first n bytes kept.
func (s *spool) section(n int64) io.Reader { return io.NewSectionReader(s.f, 0, n) }

// path is the spool's file.
func (s *spool) path() string { return s.f.Name() }

// remove deletes the spool.
func (s *spool) remove() {
	s.f.Close()
	os.RemoveAll(s.dir)
}

// spooled is a Source whose logs are kept in sp as they are read (the
// source of standard input, which has one job).
type spooled struct {
	pipeline.Source
	sp *spool
}

func (s spooled) OpenLog(ctx context.Context, job providers.Job) (io.ReadCloser, error) {
	rc, err := s.Source.OpenLog(ctx, job)
	if err != nil {
		return nil, err
	}
	return spoolReader{rc, s.sp}, nil
}

type spoolReader struct {
	io.ReadCloser
	sp *spool
}

func (r spoolReader) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	if n > 0 {
		r.sp.write(p[:n])
	}
	return n, err
}
