package analysis

import (
	"math/bits"
	"slices"
)

// chainHeads maps the 16-bit hashes of a keyword table to the first
// keyword chained under each: a bitset of the hashes in use and the heads
// of those hashes in hash order, found by rank. It takes 10 KiB where a
// table of heads took 128: a process that analyzes one log touched every
// page of its tables, at about 2 µs a page, before reading a line.
type chainHeads struct {
	bits  [1 << 16 / 64]uint64 // hash → in use
	rank  [1 << 16 / 64]uint16 // hashes in use in the words before
	heads []uint16             // 1 + the first keyword of each hash in use
}

// chainBuilder collects the chains of a keyword table as it is built.
type chainBuilder map[uint16]uint16

// push chains keyword i (from 0) under hash h and returns the head it
// displaces (1 + a keyword; 0: none), which becomes i's next.
func (b chainBuilder) push(h uint16, i int) uint16 {
	old := b[h]
	b[h] = uint16(i + 1)
	return old
}

// heads returns the heads the builder collected.
func (b chainBuilder) heads() *chainHeads {
	c := new(chainHeads)
	hs := make([]uint16, 0, len(b))
	for h := range b {
		hs = append(hs, h)
	}
	slices.Sort(hs)
	c.heads = make([]uint16, len(hs))
	for i, h := range hs {
		c.bits[h/64] |= 1 << (h % 64)
		c.heads[i] = b[h]
	}
	n := 0
	for w, word := range c.bits {
		c.rank[w] = uint16(n)
		n += bits.OnesCount64(word)
	}
	return c
}

// head returns 1 + the first keyword chained under h, or 0.
func (c *chainHeads) head(h uint32) uint16 {
	w, bit := c.bits[h/64], uint64(1)<<(h%64)
	if w&bit == 0 {
		return 0
	}
	return c.heads[int(c.rank[h/64])+bits.OnesCount64(w&(bit-1))]
}
