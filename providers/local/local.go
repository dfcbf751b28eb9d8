// Package local reads logs from files and standard input as one-job builds.
package local

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/destill-dev/destill/providers"
)

// File is a log file on disk, plain or gzip-compressed.
type File struct {
	Path string
	// RegularOnly refuses anything but a regular file (see OpenRegular):
	// for a path that someone else chose.
	RegularOnly bool
}

// Build returns a build of one job: the file.
func (f File) Build(ctx context.Context) (providers.Build, error) {
	info, err := os.Stat(f.Path)
	if err != nil {
		return providers.Build{}, fmt.Errorf("read log file: %w", pathError(err))
	}
	if info.IsDir() {
		return providers.Build{}, fmt.Errorf("read log file: %s is a directory; pass a log file", f.Path)
	}
	if f.RegularOnly {
		if err := regularOnly(f.Path, info.Mode()); err != nil {
			return providers.Build{}, fmt.Errorf("read log file: %w", err)
		}
	}
	name := filepath.Base(f.Path)
	return providers.Build{
		Provider: providers.KindFile,
		ID:       f.Path,
		State:    "failed",
		Jobs:     []providers.Job{{ID: name, Name: name, State: providers.JobFailed, HasLog: true}},
	}, nil
}

// OpenLog opens the file, decompressing it when it is gzip. Reading stops
// when ctx ends, even on a named pipe nobody writes to.
func (f File) OpenLog(ctx context.Context, job providers.Job) (io.ReadCloser, error) {
	open := Open
	if f.RegularOnly {
		open = OpenRegular
	}
	fh, err := open(ctx, f.Path)
	if err != nil {
		return nil, fmt.Errorf("read log file: %w", err)
	}
	r, err := MaybeGunzip(fh)
	if err != nil {
		fh.Close()
		return nil, fmt.Errorf("read log file %s: %w", f.Path, err)
	}
	return r, nil
}

func pathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		switch {
		case errors.Is(err, os.ErrNotExist):
			return fmt.Errorf("%s does not exist; check the path", pe.Path)
		case errors.Is(err, os.ErrPermission):
			return fmt.Errorf("%s is not readable; check its permissions", pe.Path)
		}
	}
	return err
}

// Stdin is a log piped into destill.
type Stdin struct {
	R io.Reader
}

// Build returns a build of one job: standard input.
func (s Stdin) Build(ctx context.Context) (providers.Build, error) {
	return providers.Build{
		Provider: providers.KindStdin,
		ID:       "stdin",
		State:    "failed",
		Jobs:     []providers.Job{{ID: "stdin", Name: "stdin", State: providers.JobFailed, HasLog: true}},
	}, nil
}

// OpenLog returns standard input, decompressing it when it is gzip.
// Reading stops when ctx ends, even while nothing comes.
func (s Stdin) OpenLog(ctx context.Context, job providers.Job) (io.ReadCloser, error) {
	r, err := MaybeGunzip(NewStoppable(ctx, s.R, nil))
	if err != nil {
		return nil, fmt.Errorf("read standard input: %w", err)
	}
	return r, nil
}

// MaybeGunzip returns r, transparently decompressed when it starts with the
// gzip magic bytes. Closing the result closes r.
func MaybeGunzip(r io.ReadCloser) (io.ReadCloser, error) {
	// The magic is read, not peeked through a buffer: a plain log is then
	// read straight into the analyzer's segments, without a copy.
	var magic [2]byte
	n, err := io.ReadFull(r, magic[:])
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, err
	}
	whole := io.MultiReader(bytes.NewReader(magic[:n]), r)
	if n == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(bufio.NewReaderSize(whole, 64<<10))
		if err != nil {
			return nil, fmt.Errorf("not a valid gzip stream: %w", err)
		}
		return &readCloser{Reader: zr, close: func() error { zr.Close(); return r.Close() }}, nil
	}
	return &readCloser{Reader: whole, close: r.Close}, nil
}

type readCloser struct {
	io.Reader
	close func() error
}

func (r *readCloser) Close() error { return r.close() }
