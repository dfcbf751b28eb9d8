package analysis

import "bytes"

// DefaultMaxLineBytes is the longest line prefix kept; the rest of a longer
// line is dropped (the line still counts as one line).
const DefaultMaxLineBytes = 64 << 10

// LineSplitter cuts a byte stream, fed in pieces of any size, into lines.
// Lines end at '\n'; the '\n' is not part of the line. A line longer than
// MaxLine keeps only its first MaxLine bytes and is reported as truncated.
// Memory stays bounded by MaxLine whatever the input.
type LineSplitter struct {
	// MaxLine caps the bytes kept of one line; 0 means DefaultMaxLineBytes.
	MaxLine int

	partial  []byte
	dropping bool // the current line is over MaxLine: skip to its '\n'
}

// Write feeds p and calls emit for each line it completes. The slice passed
// to emit is only valid during the call.
func (s *LineSplitter) Write(p []byte, emit func(line []byte, truncated bool)) {
	s.WriteRuns(p, emit, nil)
}

// WriteRuns is Write, except that a run of empty lines ("\n" or "\r\n")
// that starts a line is passed to blanks as its count, in one call (or in
// several, when it spans writes). blanks nil is Write.
func (s *LineSplitter) WriteRuns(p []byte, emit func(line []byte, truncated bool), blanks func(n int)) {
	max := s.MaxLine
	if max <= 0 {
		max = DefaultMaxLineBytes
	}
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i <= 1 && blanks != nil && len(s.partial) == 0 && !s.dropping {
			if n, k := blankRun(p); n > 0 {
				blanks(n)
				p = p[k:]
				continue
			}
		}
		if i < 0 {
			s.keep(p, max)
			return
		}
		if s.dropping {
			emit(s.partial, true)
			s.partial = s.partial[:0]
			s.dropping = false
		} else if len(s.partial) > 0 {
			s.keep(p[:i], max)
			if s.dropping {
				emit(s.partial, true)
				s.dropping = false
			} else {
				emit(s.partial, false)
			}
			s.partial = s.partial[:0]
		} else if i > max {
			emit(p[:max], true)
		} else {
			emit(p[:i], false)
		}
		p = p[i+1:]
	}
}

// keep appends p to the partial line, up to max bytes.
func (s *LineSplitter) keep(p []byte, max int) {
	if s.dropping {
		return
	}
	room := max - len(s.partial)
	if len(p) > room {
		s.partial = append(s.partial, p[:room]...)
		s.dropping = true
		return
	}
	s.partial = append(s.partial, p...)
}

// Flush emits the last line when the input did not end with '\n'.
func (s *LineSplitter) Flush(emit func(line []byte, truncated bool)) {
	if len(s.partial) > 0 || s.dropping {
		emit(s.partial, s.dropping)
	}
	s.partial = s.partial[:0]
	s.dropping = false
}

// blankRun counts the empty lines ("\n" or "\r\n") p starts with, and the
// bytes they take.
func blankRun(p []byte) (lines, bytes int) {
	for bytes < len(p) {
		switch {
		case p[bytes] == '\n':
			bytes++
		case p[bytes] == '\r' && bytes+1 < len(p) && p[bytes+1] == '\n':
			bytes += 2
		default:
			return lines, bytes
		}
		lines++
	}
	return lines, bytes
}
