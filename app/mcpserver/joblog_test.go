package mcpserver

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/providers"
)

// genLog is a log that exercises the kept-log index: private key blocks
// across index checkpoints (one begins in an ANSI-coloured line), CRLF
// line ends, a line longer than the analyzer keeps, tokens, and no
// newline at the end.
func genLog() string {
	var b strings.Builder
	for n := 1; n <= 3000; n++ {
		switch {
		case n == 1020:
			b.WriteString("2026-03-01T10:00:00.0000000Z -----BEGIN RSA PRIVATE KEY-----\n")
		case n > 1020 && n < 1030:
			fmt.Fprintf(&b, "MIIEpAIBAAKCAQEA%04dsecretkeymaterial\n", n)
		case n == 1030:
			b.WriteString("-----END RSA PRIVATE KEY-----\n")
		case n == 2040:
			b.WriteString("\x1b[31m-----BEGIN\x1b[0m EC PRIVATE KEY-----\r\n")
		case n > 2040 && n < 2060:
			fmt.Fprintf(&b, "ecsecret%04d\r\n", n)
		case n == 2060:
			b.WriteString("-----END EC PRIVATE KEY-----\r\n")
		case n == 2500:
			b.WriteString(strings.Repeat("x", analysis.DefaultMaxLineBytes+100) + " tail\n")
		case n%97 == 0:
			fmt.Fprintf(&b, "using token ghp_%036d at step %d\n", n, n)
		case n == 3000:
			b.WriteString("last line without a newline")
		default:
			fmt.Fprintf(&b, "\x1b[32mline %d\x1b[0m ok\n", n)
		}
	}
	return b.String()
}

// expectedLines is what a reader of the whole log must see: each line
// cleaned, then the block redacted as analysis.Redactor.RedactLines does.
func expectedLines(log string) []string {
	raw := strings.Split(log, "\n")
	var cleaned []string
	for _, l := range raw {
		if len(l) > analysis.DefaultMaxLineBytes {
			l = l[:analysis.DefaultMaxLineBytes]
		}
		cleaned = append(cleaned, analysis.Clean(l).Text)
	}
	return analysis.NewRedactor(envSecret).RedactLines(cleaned)
}

// keepLog streams log through a logKeeper, as the pipeline does, and
// returns the kept log.
func keepLog(t *testing.T, log string) *fileLog {
	t.Helper()
	dir := t.TempDir()
	src := &fakeSource{logs: map[string]string{"j": log}}
	k := newLogKeeper(src, dir, DefaultMaxLogBytes, []string{envSecret}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	rc, err := k.OpenLog(context.Background(), providers.Job{ID: "j", Name: "job"})
	require.NoError(t, err)
	a := analysis.NewAnalyzer(analysis.Options{})
	// Small reads, so lines and checkpoints straddle them.
	_, err = io.CopyBuffer(a, struct{ io.Reader }{rc}, make([]byte, 777))
	require.NoError(t, err)
	require.NoError(t, rc.Close())
	logs, size := k.kept()
	require.Len(t, logs, 1)
	l := logs["j"]
	require.Equal(t, int64(len(log)), size)
	require.Equal(t, a.Result().Lines, l.Lines(), "the kept log numbers lines as the analyzer does")
	return l
}

func scanAll(t *testing.T, l JobLog, from, to int) ([]int, []string) {
	t.Helper()
	var ns []int
	var texts []string
	require.NoError(t, l.Scan(context.Background(), from, to, func(n int, text string) bool {
		ns = append(ns, n)
		texts = append(texts, text)
		return true
	}))
	return ns, texts
}

func TestKeptLogReadsWhatTheAnalyzerSaw(t *testing.T) {
	t.Parallel()
	log := genLog()
	want := expectedLines(log)
	l := keepLog(t, log)
	require.Equal(t, 3000, l.Lines())

	ns, got := scanAll(t, l, 1, l.Lines())
	require.Len(t, got, 3000)
	require.Equal(t, 1, ns[0])
	require.Equal(t, 3000, ns[len(ns)-1])
	require.Equal(t, want, got)
	require.Equal(t, analysis.Redacted, got[1024], "inside the key block at the checkpoint")
	require.Equal(t, "last line without a newline", got[2999])
	require.Contains(t, got[96], "using token [REDACTED]")

	// Windows from anywhere, especially inside key blocks past a
	// checkpoint, read the same as the whole.
	for _, w := range [][2]int{{1, 1}, {1024, 1026}, {1025, 1031}, {1029, 1031}, {2048, 2049}, {2050, 2070}, {2047, 3100}, {2999, 3000}, {-5, 3}} {
		ns, got := scanAll(t, l, w[0], w[1])
		from, to := max(w[0], 1), min(w[1], 3000)
		require.Len(t, got, to-from+1, "window %v", w)
		require.Equal(t, from, ns[0])
		require.Equal(t, want[from-1:to], got, "window %v", w)
	}
	_, got = scanAll(t, l, 3001, 3010)
	require.Empty(t, got)
}

func TestKeptLogScanStops(t *testing.T) {
	t.Parallel()
	l := keepLog(t, genLog())
	var n int
	require.NoError(t, l.Scan(context.Background(), 10, 3000, func(int, string) bool { n++; return n < 5 }))
	require.Equal(t, 5, n)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, l.Scan(ctx, 1, 3000, func(int, string) bool { return true }), context.Canceled)

	require.NoError(t, os.Remove(l.path))
	require.ErrorIs(t, l.Scan(context.Background(), 1, 3000, func(int, string) bool { return true }), errLogGone)
}

// cutReader fails after a few bytes, like a dropped download.
type cutReader struct{ n int }

func (c *cutReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		return 0, io.ErrUnexpectedEOF
	}
	n := min(len(p), c.n)
	for i := range p[:n] {
		p[i] = 'x'
	}
	c.n -= n
	return n, nil
}

func (c *cutReader) Close() error { return nil }

type cutSource struct{ fakeSource }

func (c *cutSource) OpenLog(ctx context.Context, job providers.Job) (io.ReadCloser, error) {
	return &cutReader{n: 100}, nil
}

func TestKeptLogDropsCutDownloads(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	k := newLogKeeper(&cutSource{}, dir, DefaultMaxLogBytes, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	rc, err := k.OpenLog(context.Background(), providers.Job{ID: "j"})
	require.NoError(t, err)
	_, err = io.Copy(io.Discard, rc)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	require.NoError(t, rc.Close())
	logs, _ := k.kept()
	require.Empty(t, logs)
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	require.Empty(t, files, "a partial copy is deleted")
}

func TestPEMStepMatchesRedactLines(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		lines []string
	}{
		{"plain block", []string{"a", "-----BEGIN PRIVATE KEY-----", "abc", "-----END PRIVATE KEY-----", "b"}},
		{"inline block", []string{"-----BEGIN PRIVATE KEY----- abc -----END PRIVATE KEY-----", "b"}},
		{"timestamps", []string{"2026-03-01T10:00:00.0000000Z -----BEGIN EC PRIVATE KEY-----", "2026-03-01T10:00:00.0000000Z abc", "2026-03-01T10:00:00.0000000Z -----END EC PRIVATE KEY-----", "b"}},
		{"escapes inside the marker", []string{"-----BEGIN\x1b[0m PRIVATE KEY-----", "abc", "-----END PRIVATE\x1b[1m KEY-----", "b"}},
		{"carriage return redraw", []string{"progress 10%\r-----BEGIN PRIVATE KEY-----", "abc", "-----END PRIVATE KEY-----\r\n", "b"}},
		{"public key", []string{"-----BEGIN PUBLIC KEY-----", "abc", "-----END PUBLIC KEY-----"}},
		{"unterminated", []string{"-----BEGIN PRIVATE KEY-----", "abc", "def"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var cleaned []string
			for _, l := range tc.lines {
				cleaned = append(cleaned, analysis.Clean(l).Text)
			}
			want := analysis.NewRedactor().RedactLines(cleaned)
			lr := newLineRedactor(nil, false)
			inKey := false
			for i, l := range tc.lines {
				require.Equal(t, want[i], lr.line([]byte(l)), "line %d", i)
				inKey = pemStep(inKey, []byte(l))
				require.Equal(t, lr.inKey, inKey, "line %d: pemStep and line disagree", i)
			}
		})
	}
}
