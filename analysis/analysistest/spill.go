package analysistest

import (
	"errors"
	"io"
)

// MemSpill is an analysis.Spill in memory, which can fail as a file can.
type MemSpill struct {
	Data []byte
	// Last is the length of the last write; Truncated counts truncations.
	Last, Truncated int
	// Room makes a write that would end past it fail, as on a full disk
	// (0: never); Full makes every write fail.
	Room int
	Full bool
	// FailReads makes every read fail.
	FailReads bool
}

// ErrFull is the error of a write that does not fit.
var ErrFull = errors.New("no space left on device")

// ErrRead is the error of a failed read.
var ErrRead = errors.New("input/output error")

// WriteAt writes p at off, which is at most the length written.
func (m *MemSpill) WriteAt(p []byte, off int64) (int, error) {
	end := int(off) + len(p)
	switch {
	case off > int64(len(m.Data)):
		return 0, errors.New("a write past the end")
	case m.Full || m.Room > 0 && end > m.Room:
		return 0, ErrFull
	}
	m.Data = append(m.Data[:off], p...)[:max(len(m.Data), end)]
	m.Last = len(p)
	return len(p), nil
}

// ReadAt reads what was written at off.
func (m *MemSpill) ReadAt(p []byte, off int64) (int, error) {
	if m.FailReads {
		return 0, ErrRead
	}
	if off >= int64(len(m.Data)) {
		return 0, io.EOF
	}
	n := copy(p, m.Data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// Truncate drops what was written past size.
func (m *MemSpill) Truncate(size int64) error {
	m.Data = m.Data[:size]
	m.Truncated++
	return nil
}
