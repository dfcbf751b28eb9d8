package analysis

import (
	"math/rand/v2"
	"testing"
)

type testShape struct{ key, value uint64 }

func (e testShape) shapeKey() (uint64, bool) { return e.key, e.key != 0 }

// TestShapeCacheGrows: a shapeCache grows fourfold when half full, up to
// the size asked for; store returns the entry's place after growing; what
// it holds under a key is what was last stored under it, and growing loses
// none of it.
func TestShapeCacheGrows(t *testing.T) {
	tests := []struct {
		name     string
		full     uint
		keys     int
		wantBits uint
	}{
		{"empty", 13, 0, 0},
		{"small", 13, 200, shapeCacheStartBits},
		{"grown once", 13, 500, shapeCacheStartBits + 2},
		{"full size", 13, 5000, 13},
		{"smaller than the start", 6, 100, 6},
		{"not a power of four", 12, 3000, 12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c shapeCache[testShape]
			last := map[uint64]testShape{}
			r := rand.New(rand.NewPCG(3, 4))
			for i := range tt.keys {
				key := r.Uint64()%uint64(tt.keys*3/4+1) + 1 // some keys again
				e := testShape{key, uint64(i)}
				before := c.used
				kept := c.held()
				p := c.store(key, e, tt.full)
				if *p != e || p != c.at(key, tt.full) {
					t.Fatalf("store(%x) returned %v at another place than at", key, *p)
				}
				if c.used < before || len(c.held()) < len(kept) {
					t.Fatalf("store(%x): %d entries held, %d before", key, c.used, before)
				}
				last[key] = e
			}
			if c.bits != tt.wantBits {
				t.Errorf("bits = %d, want %d", c.bits, tt.wantBits)
			}
			held := c.held()
			if len(held) != c.used {
				t.Errorf("used = %d, %d entries filled", c.used, len(held))
			}
			for _, e := range held {
				if last[e.key] != e {
					t.Errorf("holds %v under %x, last stored %v", e, e.key, last[e.key])
				}
				if got := *c.at(e.key, tt.full); got != e {
					t.Errorf("holds %v where at(%x) does not look: it finds %v", e, e.key, got)
				}
			}
		})
	}
}

// held returns the entries c holds.
func (c *shapeCache[E]) held() []E {
	var out []E
	for _, e := range c.entries {
		if _, ok := e.shapeKey(); ok {
			out = append(out, e)
		}
	}
	return out
}
