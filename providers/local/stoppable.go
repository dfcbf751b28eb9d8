package local

import (
	"context"
	"io"
	"os"
	"sync"
)

// stoppableChunk is how much one read of the wrapped reader may return.
const stoppableChunk = 256 << 10

// Stoppable is a reader whose reads return as soon as its context ends,
// even while the reader it wraps blocks (standard input, a pipe, a
// terminal: no signal interrupts such a read). A goroutine of its own
// reads ahead into two buffers; when ctx ends or Stoppable is closed, the
// caller stops waiting and that goroutine ends after its current read,
// or with the process if that read never returns.
type Stoppable struct {
	ctx   context.Context
	full  chan chunk  // chunks read, in order
	free  chan []byte // buffers the reader may fill
	stop  chan struct{}
	once  sync.Once
	close func() error

	cur chunk // the chunk being consumed
	off int
}

type chunk struct {
	buf []byte
	n   int
	err error
}

// NewStoppable starts reading r. close, when not nil, is called by Close
// (a file that can be closed under a blocked read is then released).
func NewStoppable(ctx context.Context, r io.Reader, close func() error) *Stoppable {
	s := &Stoppable{ctx: ctx, full: make(chan chunk), free: make(chan []byte, 2), stop: make(chan struct{}), close: close}
	s.free <- make([]byte, stoppableChunk)
	s.free <- make([]byte, stoppableChunk)
	go s.pump(r)
	return s
}

func (s *Stoppable) pump(r io.Reader) {
	for {
		var buf []byte
		select {
		case buf = <-s.free:
		case <-s.stop:
			return
		case <-s.ctx.Done():
			return
		}
		n, err := r.Read(buf)
		select {
		case s.full <- chunk{buf: buf, n: n, err: err}:
		case <-s.stop:
			return
		case <-s.ctx.Done():
			return
		}
		if err != nil {
			return
		}
	}
}

// Read implements io.Reader.
func (s *Stoppable) Read(p []byte) (int, error) {
	for s.off == s.cur.n {
		if s.cur.err != nil {
			return 0, s.cur.err
		}
		if s.cur.buf != nil {
			s.free <- s.cur.buf
		}
		var next chunk
		select {
		case next = <-s.full:
		case <-s.ctx.Done():
			next = chunk{err: s.ctx.Err()}
		case <-s.stop:
			next = chunk{err: os.ErrClosed}
		}
		s.cur, s.off = next, 0
	}
	n := copy(p, s.cur.buf[s.off:s.cur.n])
	s.off += n
	return n, nil
}

// Close stops the reading goroutine and calls the close function.
func (s *Stoppable) Close() error {
	var err error
	s.once.Do(func() {
		close(s.stop)
		if s.close != nil {
			err = s.close()
		}
	})
	return err
}
