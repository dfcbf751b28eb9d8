package analysis

import (
	"bytes"
	"io"
)

// Bounds of a RedactWriter's line buffer.
const (
	// redactStreamLine is the longest line redacted whole; a longer one is
	// redacted in pieces of this size.
	redactStreamLine = 1 << 20
	// redactStreamOverlap is how much of a piece is redacted again with the
	// next one: a secret shorter than this across two pieces is still
	// recognized whole.
	redactStreamOverlap = 8 << 10
)

// RedactWriter writes a log to W with every line redacted as Redactor's
// RedactLines does (private key blocks included), keeping the lines and
// their ends as they are otherwise. Lines are read with a bounded buffer;
// Close writes the last line when it has no newline.
type RedactWriter struct {
	w     io.Writer
	r     *Redactor
	line  []byte
	inKey bool
	err   error
}

// NewRedactWriter returns a RedactWriter to w that also removes the given
// literal secrets.
func NewRedactWriter(w io.Writer, secrets ...string) *RedactWriter {
	return &RedactWriter{w: w, r: NewRedactor(secrets...)}
}

// Write redacts the complete lines of p and writes them on: the lines it
// leaves as they are in one piece, as p gave them.
func (w *RedactWriter) Write(p []byte) (int, error) {
	n := len(p)
	pending := 0 // p[:pending] are lines not written yet, unchanged
	for len(p) > pending && w.err == nil {
		rest := p[pending:]
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			w.write(p[:pending])
			w.line = append(w.line, rest...)
			if len(w.line) >= redactStreamLine {
				w.flushPiece()
			}
			return w.result(n)
		}
		if len(w.line) > 0 {
			w.line = append(w.line, rest[:i+1]...)
			w.writeLine(w.line)
			w.line = w.line[:0]
			p = rest[i+1:]
			continue
		}
		line := rest[:i+1]
		// A key block's first line holds "-----BEGIN", a keyword.
		if body := trimLineEnd(line); !w.inKey && !w.r.mayNeedRedaction(body) {
			pending += i + 1
			continue
		}
		w.write(p[:pending])
		w.writeLine(line)
		p = rest[i+1:]
		pending = 0
	}
	w.write(p[:pending])
	return w.result(n)
}

func (w *RedactWriter) result(n int) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	return n, nil
}

// trimLineEnd returns line without its "\n" or "\r\n".
func trimLineEnd(line []byte) []byte {
	line = bytes.TrimSuffix(line, []byte("\n"))
	return bytes.TrimSuffix(line, []byte("\r"))
}

// Close writes the last line if it has no newline. It does not close W.
func (w *RedactWriter) Close() error {
	if len(w.line) > 0 && w.err == nil {
		w.writeLine(w.line)
		w.line = w.line[:0]
	}
	return w.err
}

// writeLine redacts one line (with its '\n', if any) and writes it.
func (w *RedactWriter) writeLine(line []byte) {
	body, end := line, []byte(nil)
	if bytes.HasSuffix(body, []byte("\n")) {
		body, end = body[:len(body)-1], body[len(body)-1:]
		if bytes.HasSuffix(body, []byte("\r")) {
			body, end = body[:len(body)-1], line[len(body)-1:]
		}
	}
	w.write(w.redact(body))
	w.write(end)
}

// flushPiece redacts the buffered start of a line too long to hold and
// writes all of it but the overlap, which stays for the next piece.
func (w *RedactWriter) flushPiece() {
	red := w.redact(w.line)
	keep := min(redactStreamOverlap, len(red))
	w.write(red[:len(red)-keep])
	w.line = append(w.line[:0], red[len(red)-keep:]...)
}

// redact returns line redacted, following private key blocks.
func (w *RedactWriter) redact(line []byte) []byte {
	switch {
	case w.inKey:
		if isPEMEnd(line) {
			w.inKey = false
		}
		return []byte(Redacted)
	case isPEMBegin(line) && !isPEMEnd(line):
		w.inKey = true
		return []byte(Redacted)
	}
	if !w.r.mayNeedRedaction(line) {
		return line
	}
	return []byte(w.r.Redact(string(line)))
}

func (w *RedactWriter) write(b []byte) {
	if w.err == nil && len(b) > 0 {
		_, w.err = w.w.Write(b)
	}
}
