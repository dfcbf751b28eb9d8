package cache

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// An entry file is:
//
//	magic            8 bytes  "DSTLC\x00\x00\x01"
//	header length    4 bytes  big endian
//	header           JSON (Meta)
//	payload          zstd stream of the raw content
//	trailer         56 bytes: payload length (8), raw length (8),
//	                 SHA-256 of header and payload (32), "DSTLEND1"
//
// The trailer is written last, so a file cut short anywhere has none, and
// its hash covers everything a reader trusts.
const (
	fileMagic    = "DSTLC\x00\x00\x01"
	trailerMagic = "DSTLEND1"
	trailerSize  = 8 + 8 + 32 + 8
	maxHeader    = 64 << 10
)

// ErrNotFound is returned for an entry the store does not hold.
var ErrNotFound = errors.New("not in the cache")

// ErrCorrupt is returned for an entry whose file is damaged (cut short by
// a crash, altered); the store removes such files.
var ErrCorrupt = errors.New("cache entry is damaged")

// Meta describes an entry; it is stored in the entry's header.
type Meta struct {
	// Kind is what the entry holds: KindLog, KindBuild, KindTests or
	// KindResult.
	Kind string `json:"kind"`
	// Key identifies the entry within its kind.
	Key string `json:"key"`
	// Provider, Build, Job and JobName say, for people, what it belongs to.
	Provider string `json:"provider,omitempty"`
	Build    string `json:"build,omitempty"`
	Job      string `json:"job,omitempty"`
	JobName  string `json:"job_name,omitempty"`
	// Created is when the entry was written.
	Created time.Time `json:"created"`
}

// trailer is the fixed-size end of an entry file.
type trailer struct {
	payloadLen int64
	rawLen     int64
	sum        [32]byte
}

func (t trailer) encode() []byte {
	b := make([]byte, 0, trailerSize)
	b = binary.BigEndian.AppendUint64(b, uint64(t.payloadLen))
	b = binary.BigEndian.AppendUint64(b, uint64(t.rawLen))
	b = append(b, t.sum[:]...)
	return append(b, trailerMagic...)
}

func decodeTrailer(b []byte) (trailer, error) {
	if len(b) != trailerSize || string(b[trailerSize-8:]) != trailerMagic {
		return trailer{}, fmt.Errorf("%w: no trailer (cut short?)", ErrCorrupt)
	}
	t := trailer{
		payloadLen: int64(binary.BigEndian.Uint64(b[0:8])),
		rawLen:     int64(binary.BigEndian.Uint64(b[8:16])),
	}
	copy(t.sum[:], b[16:48])
	if t.payloadLen < 0 || t.rawLen < 0 {
		return trailer{}, fmt.Errorf("%w: bad lengths", ErrCorrupt)
	}
	return t, nil
}

// encodeHeader returns the magic, the header length and the header.
func encodeHeader(m Meta) ([]byte, error) {
	js, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	if len(js) > maxHeader {
		return nil, fmt.Errorf("cache entry header too large (%d bytes)", len(js))
	}
	var b bytes.Buffer
	b.WriteString(fileMagic)
	binary.Write(&b, binary.BigEndian, uint32(len(js)))
	b.Write(js)
	return b.Bytes(), nil
}

// layout is where the parts of an entry file are.
type layout struct {
	meta      Meta
	headerLen int64 // magic, length and header
	trailer   trailer
	fileSize  int64
}

// readLayout reads an entry file's header and trailer and checks that
// their lengths add up to the file's size. It does not read the payload.
func readLayout(r io.ReaderAt, size int64) (layout, error) {
	var l layout
	l.fileSize = size
	if size < int64(len(fileMagic))+4+trailerSize {
		return l, fmt.Errorf("%w: %d bytes is too short", ErrCorrupt, size)
	}
	head := make([]byte, len(fileMagic)+4)
	if _, err := r.ReadAt(head, 0); err != nil {
		return l, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if string(head[:len(fileMagic)]) != fileMagic {
		return l, fmt.Errorf("%w: not a destill cache file", ErrCorrupt)
	}
	hlen := int64(binary.BigEndian.Uint32(head[len(fileMagic):]))
	if hlen > maxHeader || int64(len(head))+hlen+trailerSize > size {
		return l, fmt.Errorf("%w: bad header length", ErrCorrupt)
	}
	js := make([]byte, hlen)
	if _, err := r.ReadAt(js, int64(len(head))); err != nil {
		return l, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if err := json.Unmarshal(js, &l.meta); err != nil {
		return l, fmt.Errorf("%w: bad header: %v", ErrCorrupt, err)
	}
	l.headerLen = int64(len(head)) + hlen
	tb := make([]byte, trailerSize)
	if _, err := r.ReadAt(tb, size-trailerSize); err != nil {
		return l, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	t, err := decodeTrailer(tb)
	if err != nil {
		return l, err
	}
	if l.headerLen+t.payloadLen+trailerSize != size {
		return l, fmt.Errorf("%w: size %d does not match its trailer", ErrCorrupt, size)
	}
	l.trailer = t
	return l, nil
}
