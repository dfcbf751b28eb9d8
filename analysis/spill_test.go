package analysis

import (
	"errors"
	"io"
)

// memSpill is a Spill in memory; it fails to write once failWriteAt bytes
// would be written (0: never), and fails every read once failReads is
// set.
type memSpill struct {
	data        []byte
	last        int // the length of the last write
	truncated   int // how many times it was truncated
	failWriteAt int
	failReads   bool
}

func (m *memSpill) WriteAt(p []byte, off int64) (int, error) {
	if off > int64(len(m.data)) {
		return 0, errors.New("a write past the end")
	}
	if end := int(off) + len(p); m.failWriteAt > 0 && end > m.failWriteAt {
		return 0, errors.New("no space left on device")
	}
	m.data = append(m.data[:off], p...)[:max(len(m.data), int(off)+len(p))]
	m.last = len(p)
	return len(p), nil
}

func (m *memSpill) ReadAt(p []byte, off int64) (int, error) {
	if m.failReads {
		return 0, errors.New("input/output error")
	}
	if off >= int64(len(m.data)) {
		return 0, io.EOF
	}
	n := copy(p, m.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (m *memSpill) Truncate(size int64) error {
	m.data = m.data[:size]
	m.truncated++
	return nil
}
