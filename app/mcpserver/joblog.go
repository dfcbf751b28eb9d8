package mcpserver

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/pipeline"
	"github.com/destill-dev/destill/providers"
)

// checkpointEvery is how many lines apart the index of a kept log points
// into the file: reading line n skips at most this many lines.
const checkpointEvery = 1024

// maxLineBytes caps the bytes of one line read back, as the analyzer does.
const maxLineBytes = analysis.DefaultMaxLineBytes

// errLogGone is returned when a kept log was deleted under a reader.
var errLogGone = errors.New("the kept log was deleted (its request was evicted); run analyze_build again")

// errOverCap stops copying a log that would take the analysis's kept logs
// beyond their cap.
var errOverCap = errors.New("over the cap of kept logs")

// logKeeper wraps a pipeline.Source: it remembers the build, and
// copies every log it streams to a file in dir (readable by the user only)
// with an index of line offsets, for the follow-up tools. The copies take
// at most maxBytes together: a log that would go beyond is not kept.
type logKeeper struct {
	src      pipeline.Source
	dir      string
	maxBytes int64
	secrets  []string
	log      *slog.Logger
	copied   atomic.Int64 // bytes written to the logs in dir

	mu       sync.Mutex
	build    *providers.Build
	logs     map[string]*fileLog
	bytes    int64
	tooLarge []string // jobs whose log was not kept for the cap
}

func newLogKeeper(src pipeline.Source, dir string, maxBytes int64, secrets []string, log *slog.Logger) *logKeeper {
	return &logKeeper{src: src, dir: dir, maxBytes: maxBytes, secrets: secrets, log: log, logs: map[string]*fileLog{}}
}

// Build returns the build, asking the wrapped source only once.
func (k *logKeeper) Build(ctx context.Context) (providers.Build, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.build != nil {
		return *k.build, nil
	}
	b, err := k.src.Build(ctx)
	if err != nil {
		return b, err
	}
	k.build = &b
	return b, nil
}

// OpenLog opens the job's log and copies it to a file as it is read. When
// the file cannot be written, the log is still analyzed, just not kept.
func (k *logKeeper) OpenLog(ctx context.Context, job providers.Job) (io.ReadCloser, error) {
	rc, err := k.src.OpenLog(ctx, job)
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(k.dir, "job-*.log") // mode 0600
	if err != nil {
		k.log.Warn("cannot keep job log; follow-up tools will not read it", "job", job.Name, "err", err)
		return rc, nil
	}
	return &teeReader{rc: rc, f: f, w: bufio.NewWriterSize(f, 256<<10), job: job, k: k}, nil
}

// TestReports passes on the wrapped source's test reports (JUnit
// artifacts), so that failed tests join the findings as in `destill
// analyze`.
func (k *logKeeper) TestReports(ctx context.Context, jobs []providers.Job) ([]providers.TestReport, error) {
	tr, ok := k.src.(pipeline.TestReporter)
	if !ok {
		return nil, nil
	}
	return tr.TestReports(ctx, jobs)
}

// keep registers a completely copied log.
func (k *logKeeper) keep(jobID string, l *fileLog) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if old := k.logs[jobID]; old != nil {
		k.bytes -= old.bytes
		os.Remove(old.path)
	}
	k.logs[jobID] = l
	k.bytes += l.bytes
}

// overCap returns the names of the jobs whose log was not kept because of
// the cap.
func (k *logKeeper) overCap() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Clone(k.tooLarge)
}

// kept returns the logs copied so far and their size.
func (k *logKeeper) kept() (map[string]*fileLog, int64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make(map[string]*fileLog, len(k.logs))
	for id, l := range k.logs {
		out[id] = l
	}
	return out, k.bytes
}

// teeReader copies what it reads to a file and indexes its lines.
type teeReader struct {
	rc      io.ReadCloser
	f       *os.File
	w       *bufio.Writer
	werr    error
	eof     bool
	counted int64 // bytes counted in k.copied
	ix      indexer
	job     providers.Job
	k       *logKeeper
}

func (t *teeReader) Read(p []byte) (int, error) {
	n, err := t.rc.Read(p)
	if n > 0 && t.werr == nil {
		if t.k.copied.Add(int64(n)) > t.k.maxBytes {
			t.k.copied.Add(-int64(n))
			t.werr = errOverCap
		} else {
			t.counted += int64(n)
			_, t.werr = t.w.Write(p[:n])
			t.ix.write(p[:n])
		}
	}
	if errors.Is(err, io.EOF) {
		t.eof = true
	}
	return n, err
}

func (t *teeReader) Close() error {
	err := t.rc.Close()
	if t.werr == nil {
		t.werr = t.w.Flush()
	}
	if cerr := t.f.Close(); t.werr == nil {
		t.werr = cerr
	}
	if t.werr == nil && t.eof {
		t.k.keep(t.job.ID, t.ix.finish(t.f.Name(), t.k.secrets))
		return err
	}
	os.Remove(t.f.Name())
	t.k.copied.Add(-t.counted)
	switch {
	case errors.Is(t.werr, errOverCap):
		t.k.log.Warn("job log too large to keep; follow-up tools will not read it", "job", t.job.Name, "cap_bytes", t.k.maxBytes)
		t.k.mu.Lock()
		t.k.tooLarge = append(t.k.tooLarge, strconv.Quote(t.job.Name))
		t.k.mu.Unlock()
	case t.werr != nil:
		t.k.log.Warn("cannot keep job log; follow-up tools will not read it", "job", t.job.Name, "err", t.werr)
	}
	// else the read was cut short: the analysis reports it
	return err
}

// checkpoint is where a line of a kept log starts.
type checkpoint struct {
	offset int64
	inKey  bool // the line is inside a private key block
}

// indexer counts the lines of a stream and records a checkpoint every
// checkpointEvery lines, with the key-block state there so a window read
// from the middle of the log redacts key blocks that began before it.
type indexer struct {
	lines   int
	offset  int64
	partial []byte // the current line so far, up to maxLineBytes
	open    bool   // bytes were seen after the last newline
	inKey   bool
	cps     []checkpoint
}

func (ix *indexer) write(p []byte) {
	if ix.cps == nil {
		ix.cps = []checkpoint{{}}
	}
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			ix.add(p)
			ix.offset += int64(len(p))
			return
		}
		ix.add(p[:i])
		ix.offset += int64(i + 1)
		ix.endLine()
		p = p[i+1:]
	}
}

func (ix *indexer) add(p []byte) {
	ix.open = ix.open || len(p) > 0
	if room := maxLineBytes - len(ix.partial); room > 0 {
		ix.partial = append(ix.partial, p[:min(room, len(p))]...)
	}
}

func (ix *indexer) endLine() {
	ix.inKey = pemStep(ix.inKey, ix.partial)
	ix.partial = ix.partial[:0]
	ix.open = false
	ix.lines++
	if ix.lines%checkpointEvery == 0 {
		ix.cps = append(ix.cps, checkpoint{offset: ix.offset, inKey: ix.inKey})
	}
}

// finish ends the stream and returns the kept log.
func (ix *indexer) finish(path string, secrets []string) *fileLog {
	if ix.cps == nil {
		ix.cps = []checkpoint{{}}
	}
	lines := ix.lines
	if ix.open {
		lines++ // a last line without a newline
	}
	return &fileLog{path: path, lines: lines, bytes: ix.offset, cps: ix.cps, secrets: secrets}
}

// fileLog is a job log kept on disk: a JobLog.
type fileLog struct {
	path    string
	lines   int
	bytes   int64
	cps     []checkpoint // cps[k] is where line k*checkpointEvery+1 starts
	secrets []string
}

// Lines returns how many lines the log has.
func (l *fileLog) Lines() int { return l.lines }

// Scan reads lines from..to, cleaned and redacted.
func (l *fileLog) Scan(ctx context.Context, from, to int, fn func(n int, text string) bool) error {
	from = max(from, 1)
	to = min(to, l.lines)
	if from > to {
		return nil
	}
	k := min((from-1)/checkpointEvery, len(l.cps)-1)
	cp := l.cps[k]
	f, err := os.Open(l.path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return errLogGone
		}
		return fmt.Errorf("read kept log: %w", err)
	}
	defer f.Close()
	if _, err := f.Seek(cp.offset, io.SeekStart); err != nil {
		return fmt.Errorf("read kept log: %w", err)
	}
	lr := newLineRedactor(l.secrets, cp.inKey)
	rd := lineReader{r: bufio.NewReaderSize(f, 64<<10)}
	for n := k*checkpointEvery + 1; n <= to; n++ {
		if n%checkpointEvery == 1 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		raw, err := rd.next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("read kept log: %w", err)
		}
		if n < from {
			lr.skip(raw)
			continue
		}
		if !fn(n, lr.line(raw)) {
			return nil
		}
	}
	return nil
}

// lineReader reads lines of at most maxLineBytes (the rest of a longer
// line is skipped), without their newline.
type lineReader struct {
	r   *bufio.Reader
	buf []byte
}

func (lr *lineReader) next() ([]byte, error) {
	lr.buf = lr.buf[:0]
	for {
		chunk, err := lr.r.ReadSlice('\n')
		if room := maxLineBytes - len(lr.buf); room > 0 {
			lr.buf = append(lr.buf, chunk[:min(room, len(chunk))]...)
		}
		switch {
		case err == nil:
			return bytes.TrimSuffix(lr.buf, []byte("\n")), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && len(chunk) > 0:
			return lr.buf, nil
		case errors.Is(err, io.EOF) && len(lr.buf) > 0:
			return lr.buf, nil
		default:
			return nil, err
		}
	}
}
