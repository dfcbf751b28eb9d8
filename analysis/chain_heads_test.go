package analysis

import (
	"math/rand/v2"
	"testing"
)

// TestChainHeads: the heads found by rank are the ones pushed last under
// each hash, for every hash, however many hashes are in use and wherever
// they fall (the first and last of a word, the first and last word).
func TestChainHeads(t *testing.T) {
	tests := []struct {
		name   string
		hashes []uint16
	}{
		{"none", nil},
		{"one", []uint16{4711}},
		{"ends", []uint16{0, 63, 64, 65535, 65472}},
		{"shared", []uint16{7, 7, 7, 9, 7}},
		{"random", randomHashes(300)},
		{"dense", randomHashes(20000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := chainBuilder{}
			want := map[uint16]uint16{}
			next := make([]uint16, len(tt.hashes))
			for i, h := range tt.hashes {
				next[i] = b.push(h, i)
				if next[i] != want[h] {
					t.Fatalf("push %d under %d displaced %d, want %d", i, h, next[i], want[h])
				}
				want[h] = uint16(i + 1)
			}
			c := b.heads()
			for h := range 1 << 16 {
				if got := c.head(uint32(h)); got != want[uint16(h)] {
					t.Fatalf("head(%d) = %d, want %d", h, got, want[uint16(h)])
				}
			}
		})
	}
}

func randomHashes(n int) []uint16 {
	r := rand.New(rand.NewPCG(1, 2))
	out := make([]uint16, n)
	for i := range out {
		out[i] = uint16(r.IntN(1 << 16))
	}
	return out
}
