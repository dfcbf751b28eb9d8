package app

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/pipeline"
	"github.com/destill-dev/destill/providers"
)

// rawLogs shows the raw log of a finding's job in the user's pager, at the
// finding's first line: the UI's l key. A local file is shown as it is
// (decompressed to a private temporary copy when it is gzip); standard
// input from its spool; a build URL's log is read again through the
// source, which serves it from the log cache, into a private temporary
// copy with the tokens destill was given redacted.
type rawLogs struct {
	src     pipeline.Source
	path    string // a local log file, or ""
	spool   *spool // standard input as read, or nil
	secrets []string
	getenv  func(string) string
	out     io.Writer // the terminal

	mu   sync.Mutex
	jobs map[string]providers.Job // the jobs whose logs were read, by ID
}

func newRawLogs(streams *Streams, src pipeline.Source, path string, sp *spool, secrets []string) *rawLogs {
	return &rawLogs{src: src, path: path, spool: sp, secrets: secrets, getenv: streams.Getenv, out: streams.Out, jobs: map[string]providers.Job{}}
}

// read is pipeline.Options.JobResultFunc: it remembers the jobs whose logs
// were read.
func (r *rawLogs) read(job providers.Job, _ analysis.JobResult) {
	r.mu.Lock()
	r.jobs[job.ID] = job
	r.mu.Unlock()
}

// show runs the pager on f's log at f's first line; it returns when the
// pager ends.
func (r *rawLogs) show(ctx context.Context, f *analysis.Finding) error {
	path, cleanup, err := r.file(ctx, f)
	if err != nil {
		return err
	}
	defer cleanup()
	return runPager(ctx, r.getenv, r.out, path, f.LineStart)
}

// file returns a file holding f's raw log, and what removes it if it is a
// copy.
func (r *rawLogs) file(ctx context.Context, f *analysis.Finding) (string, func(), error) {
	switch {
	case r.spool != nil:
		return r.spool.path(), func() {}, nil
	case r.path != "" && !gzipped(r.path):
		return r.path, func() {}, nil
	}
	r.mu.Lock()
	job, ok := r.jobs[f.JobID]
	r.mu.Unlock()
	if !ok {
		return "", nil, fmt.Errorf("the log of job %q was not read", f.JobName)
	}
	rc, err := r.src.OpenLog(ctx, job)
	if err != nil {
		return "", nil, err
	}
	defer rc.Close()
	dir, err := os.MkdirTemp("", "destill-log-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	path := filepath.Join(dir, safeFileName(job.Name)+".log")
	if err := copyRedacted(path, rc, r.secrets); err != nil {
		cleanup()
		return "", nil, err
	}
	return path, cleanup, nil
}

// copyRedacted writes the lines of rc to a new private file at path, with
// secrets redacted line by line, so line numbers stay those of the log.
func copyRedacted(path string, rc io.Reader, secrets []string) error {
	out, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	red := analysis.NewRedactor(secrets...)
	w := bufio.NewWriter(out)
	br := bufio.NewReaderSize(rc, 64<<10)
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			if _, werr := w.WriteString(red.Redact(line)); werr != nil {
				out.Close()
				return werr
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			out.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// gzipped reports whether the file at path starts with gzip's magic bytes.
func gzipped(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var magic [2]byte
	n, _ := io.ReadFull(f, magic[:])
	return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b
}

func safeFileName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r < ' ' {
			return '_'
		}
		return r
	}, s)
	if len(s) > 80 {
		s = s[:80]
	}
	if s == "" || s == "." || s == ".." {
		s = "job"
	}
	return s
}

// pagerArgv is the command that shows path at line: $PAGER (default less),
// with +LINE for the pagers and editors that take it.
func pagerArgv(pager, path string, line int) []string {
	argv := strings.Fields(pager)
	if len(argv) == 0 {
		argv = []string{"less"}
	}
	switch filepath.Base(argv[0]) {
	case "less", "more", "most", "vi", "vim", "nvim", "view", "nano", "emacs":
		if line > 0 {
			argv = append(argv, "+"+strconv.Itoa(line))
		}
	}
	return append(argv, path)
}

// runPager runs the pager on path at line, on the terminal: its keys come
// from /dev/tty (standard input may be the log itself), its output goes to
// out.
func runPager(ctx context.Context, getenv func(string) string, out io.Writer, path string, line int) error {
	argv := pagerArgv(getenv("PAGER"), path, line)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	if tty, err := os.Open("/dev/tty"); err == nil {
		defer tty.Close()
		cmd.Stdin = tty
	} else {
		cmd.Stdin = os.Stdin
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w", strings.Join(argv[:len(argv)-1], " "), err)
	}
	return nil
}
