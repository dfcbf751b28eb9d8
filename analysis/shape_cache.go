package analysis

// shapeEntry is what a shapeCache holds.
type shapeEntry interface {
	// shapeKey returns the key the entry was stored under, and false when
	// the entry is empty.
	shapeKey() (uint64, bool)
}

// shapeCache is a direct-mapped cache of entries by shape key that starts
// at 2^shapeCacheStartBits entries and grows, as it fills, to the size
// its user asks for. A process that analyzes one log of a few hundred
// shapes touched every page of a full-size cache (96 pages for the class
// cache, at about 2 µs a page); a long log fills it within its first
// lines. Growing only moves entries, so what a lookup finds is what it
// would find in a full-size cache, or a miss that recomputes the same.
type shapeCache[E shapeEntry] struct {
	entries []E
	bits    uint // len(entries) is 2^bits
	used    int  // entries filled
}

// shapeCacheStartBits sizes a new shapeCache: 512 entries.
const shapeCacheStartBits = 9

// at returns the entry where key goes in a cache of at most 2^full
// entries: the one stored under key, or another.
func (c *shapeCache[E]) at(key uint64, full uint) *E {
	if c.entries == nil {
		c.bits = min(shapeCacheStartBits, full)
		c.entries = make([]E, 1<<c.bits)
	}
	return &c.entries[slot(key, c.bits)]
}

// store puts e under key (at e's place, as at returned it) and returns its
// place, which moves when the cache grows. The cache grows fourfold, up
// to 2^full entries, when more than half its entries are filled.
func (c *shapeCache[E]) store(key uint64, e E, full uint) *E {
	p := c.at(key, full)
	_, was := (*p).shapeKey()
	*p = e
	switch _, is := e.shapeKey(); {
	case is && !was:
		c.used++
	case was && !is:
		c.used--
	}
	if c.used <= len(c.entries)/2 || c.bits >= full {
		return p
	}
	old := c.entries
	c.bits = min(c.bits+2, full)
	c.entries = make([]E, 1<<c.bits)
	for _, o := range old {
		if k, filled := o.shapeKey(); filled {
			c.entries[slot(k, c.bits)] = o // (slots only split as bits grow: no two collide)
		}
	}
	return &c.entries[slot(key, c.bits)]
}
