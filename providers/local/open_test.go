package local

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/iotest"
	"time"
)

// blockingReader blocks in Read until the test ends: a terminal nobody
// types into.
type blockingReader struct{ release chan struct{} }

func (b blockingReader) Read(p []byte) (int, error) {
	<-b.release
	return 0, io.EOF
}

func TestStoppableReadsEverythingInOrder(t *testing.T) {
	t.Parallel()
	want := strings.Repeat("0123456789abcdef\n", 100_000) // several chunks
	for name, r := range map[string]io.Reader{
		"plain":       strings.NewReader(want),
		"one byte":    iotest.OneByteReader(strings.NewReader(want[:5000])),
		"data+EOF":    iotest.DataErrReader(strings.NewReader(want)),
		"half reads":  iotest.HalfReader(strings.NewReader(want)),
		"empty input": strings.NewReader(""),
	} {
		t.Run(name, func(t *testing.T) {
			s := NewStoppable(context.Background(), r, nil)
			defer s.Close()
			got, err := io.ReadAll(s)
			if err != nil {
				t.Fatal(err)
			}
			exp := want
			switch name {
			case "one byte":
				exp = want[:5000]
			case "empty input":
				exp = ""
			}
			if string(got) != exp {
				t.Fatalf("read %d bytes, want %d", len(got), len(exp))
			}
		})
	}
}

func TestStoppableStopsWaitingWhenCtxEnds(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	br := blockingReader{release: make(chan struct{})}
	defer close(br.release)
	// Some input, then nothing: the first read takes part of it.
	s := NewStoppable(ctx, io.MultiReader(strings.NewReader("first line\nsecond"), br), nil)
	if n, err := s.Read(make([]byte, 4)); n != 4 || err != nil {
		t.Fatalf("first read: %d, %v", n, err)
	}
	if _, err := io.ReadFull(s, make([]byte, 13)); err != nil {
		t.Fatalf("the rest of the input: %v", err)
	}
	errc := make(chan error, 1)
	go func() {
		_, err := s.Read(make([]byte, 10))
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Read kept waiting after ctx ended")
	}
	if _, err := s.Read(make([]byte, 10)); !errors.Is(err, context.Canceled) {
		t.Fatalf("a later read: %v, want context.Canceled", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestOpenStopsOnNamedPipes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	nobody := filepath.Join(dir, "nobody.fifo")
	silent := filepath.Join(dir, "silent.fifo")
	for _, p := range []string{nobody, silent} {
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	w, err := os.OpenFile(silent, os.O_RDWR, 0) // a writer that never writes
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()

	// Nobody opens the pipe for writing: Open returns when ctx ends.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := Open(ctx, nobody); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Open of a pipe nobody writes to: %v, want the deadline", err)
	}

	// A writer that writes nothing: the read returns when ctx ends.
	ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	r, err := Open(ctx, silent)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Read(make([]byte, 10)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("read of a silent pipe: %v, want the deadline", err)
	}
	// Closing it releases the read still waiting on the pipe.
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}

	// What is written comes through.
	if _, err := w.WriteString("hello\n"); err != nil {
		t.Fatal(err)
	}
	r2, err := Open(context.Background(), silent)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	buf := make([]byte, 6)
	if _, err := io.ReadFull(r2, buf); err != nil || string(buf) != "hello\n" {
		t.Fatalf("read %q, %v", buf, err)
	}
}

func TestOpenStopsRegularFilesAtTheNextRead(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "a.log")
	if err := os.WriteFile(path, []byte(strings.Repeat("x\n", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Read(make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := r.Read(make([]byte, 10)); !errors.Is(err, context.Canceled) {
		t.Fatalf("read after cancel: %v, want context.Canceled", err)
	}
}

func TestOpenRegularRefusesAllButRegularFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "p.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "ok.log")
	if err := os.WriteFile(file, []byte("fine\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.log")
	if err := os.Symlink(file, link); err != nil {
		t.Fatal(err)
	}
	devLink := filepath.Join(dir, "zero.log")
	if err := os.Symlink("/dev/zero", devLink); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path, want string
	}{
		{"/dev/zero", "is a device, not a regular file"},
		{"/dev/null", "is a device, not a regular file"},
		{devLink, "is a device, not a regular file"},
		{fifo, "is a named pipe, not a regular file"},
		{dir, "is a directory"},
		{filepath.Join(dir, "missing.log"), "does not exist"},
		{file, ""},
		{link, ""},
	} {
		r, err := OpenRegular(context.Background(), tc.path)
		if tc.want == "" {
			if err != nil {
				t.Fatalf("%s: %v", tc.path, err)
			}
			r.Close()
			continue
		}
		if err == nil {
			r.Close()
			t.Fatalf("%s was opened", tc.path)
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("%s: %v, want %q", tc.path, err, tc.want)
		}
	}
	// File with RegularOnly refuses them in Build too.
	if _, err := (File{Path: fifo, RegularOnly: true}).Build(context.Background()); err == nil || !strings.Contains(err.Error(), "named pipe") {
		t.Fatalf("Build of a FIFO: %v", err)
	}
}
