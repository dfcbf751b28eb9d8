package local

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// Open opens path for reading so that ctx's end stops the open and every
// read. A regular file is read directly, checking ctx before each read;
// anything else (a named pipe, a terminal, a device) may block in open or
// read for as long as nobody writes to it, so it is opened and read in a
// goroutine the caller stops waiting for when ctx ends (see NewStoppable).
func Open(ctx context.Context, path string) (io.ReadCloser, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, pathError(err)
	}
	if info.Mode().IsRegular() {
		f, err := os.Open(path)
		if err != nil {
			return nil, pathError(err)
		}
		return &contextReader{ctx: ctx, r: f, close: f.Close}, nil
	}
	if info.IsDir() {
		return nil, fmt.Errorf("%s is a directory; pass a log file", path)
	}
	type opened struct {
		f   *os.File
		err error
	}
	ch := make(chan opened, 1)
	go func() {
		f, err := os.Open(path) // a named pipe waits here for a writer
		ch <- opened{f, err}
	}()
	select {
	case o := <-ch:
		if o.err != nil {
			return nil, pathError(o.err)
		}
		return NewStoppable(ctx, o.f, o.f.Close), nil
	case <-ctx.Done():
		go func() {
			if o := <-ch; o.f != nil {
				o.f.Close()
			}
		}()
		return nil, ctx.Err()
	}
}

// OpenRegular opens path only if it is a regular file, once symbolic links
// are followed: never a device (/dev/zero never ends), a named pipe (it
// blocks) or a terminal (/dev/stdin may be the caller's own input). The
// file is opened without blocking and checked again once open, so that
// nothing swapped in between is read.
func OpenRegular(ctx context.Context, path string) (io.ReadCloser, error) {
	if err := CheckRegular(path); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, pathError(err)
	}
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		return nil, regularOnly(path, info.Mode())
	}
	return &contextReader{ctx: ctx, r: f, close: f.Close}, nil
}

// CheckRegular returns an error naming what path is, unless it is a
// regular file once symbolic links are followed.
func CheckRegular(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return pathError(err)
	}
	return regularOnly(path, info.Mode())
}

// regularOnly returns an error naming what path is when it is not a
// regular file.
func regularOnly(path string, mode fs.FileMode) error {
	var what string
	switch {
	case mode.IsRegular():
		return nil
	case mode.IsDir():
		return fmt.Errorf("%s is a directory; pass a log file", path)
	case mode&fs.ModeNamedPipe != 0:
		what = "a named pipe"
	case mode&fs.ModeSocket != 0:
		what = "a socket"
	case mode&fs.ModeDevice != 0:
		what = "a device"
	default:
		what = "not a file"
	}
	return fmt.Errorf("%s is %s, not a regular file; only log files can be read here", path, what)
}

// contextReader is a reader that stops at the first read after ctx ends.
type contextReader struct {
	ctx   context.Context
	r     io.Reader
	close func() error
}

func (c *contextReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

func (c *contextReader) Close() error { return c.close() }
