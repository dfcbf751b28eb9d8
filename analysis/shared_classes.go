package analysis

import "sync/atomic"

// sharedClassBits sizes a sharedClasses: 2^16 entries, 512 KiB.
const sharedClassBits = 16

// sharedClasses is a class cache the workers of one ParallelAnalyzer
// share, behind each worker's own classCache: a line shape a worker has
// not seen is classified again only if no worker has. Each worker's cache
// holds 8,192 shapes, and a log's segments go to whichever worker is free:
// on the 111 MB of corpus logs two workers classified 61,563 lines for
// 46,063 shapes, a fifth of them a shape the other worker (or an evicted
// entry) already had. Entries never change once stored, so a load sees
// either nothing or a whole entry.
type sharedClasses struct {
	slots [1 << sharedClassBits]atomic.Pointer[classified]
}

// load returns what was stored under key, or nil.
func (s *sharedClasses) load(key uint64) *classified {
	c := s.slots[slot(key, sharedClassBits)].Load()
	if c == nil || c.key != key {
		return nil
	}
	return c
}

// store keeps c under its key, replacing what shared its slot.
func (s *sharedClasses) store(c classified) {
	s.slots[slot(c.key, sharedClassBits)].Store(&c)
}
