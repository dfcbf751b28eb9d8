package pipeline

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// spillFile is a build's analysis.Spill: a temporary file, readable by
// the user only, created at the first write (most builds never write
// one) and removed at once where an open file can be, so that nothing is
// left behind should the process be killed.
type spillFile struct {
	dir  string // "" for os.TempDir()
	f    *os.File
	name string // the file's name, while it still has one
}

func (s *spillFile) WriteAt(p []byte, off int64) (int, error) {
	if s.f == nil {
		f, err := os.CreateTemp(s.dir, "destill-spill-*") // mode 0600
		if err != nil {
			return 0, fmt.Errorf("create a temporary file: %w; set TMPDIR to a writable directory", err)
		}
		s.f, s.name = f, f.Name()
		if os.Remove(s.name) == nil {
			s.name = "" // gone from the directory; its space is freed on Close
		}
	}
	n, err := s.f.WriteAt(p, off)
	if err != nil {
		return n, fmt.Errorf("write to a temporary file: %w; free space in the temporary directory or set TMPDIR", err)
	}
	return n, nil
}

func (s *spillFile) ReadAt(p []byte, off int64) (int, error) {
	if s.f == nil {
		return 0, io.EOF // nothing was written
	}
	return s.f.ReadAt(p, off)
}

func (s *spillFile) Truncate(size int64) error {
	if s.f == nil {
		return nil
	}
	return s.f.Truncate(size)
}

// Close closes and removes the file.
func (s *spillFile) Close() error {
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	if s.name != "" {
		err = errors.Join(err, os.Remove(s.name))
	}
	s.f, s.name = nil, ""
	return err
}

// SpillNote is the report's note for a build whose lower-ranked
// candidates and step headers stayed in memory because writing them to a
// temporary file failed with err: the findings are complete, the memory
// larger.
func SpillNote(err error) string {
	return fmt.Sprintf("lower-ranked candidates and step headers were kept in memory, not in a temporary file: %s", err)
}
