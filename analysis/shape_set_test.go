package analysis

import "testing"

// TestShapeSet: a shape is in the set whether it was added before or after
// the bitset was built; shapes that share the bitset's bits with one in
// it, and shapes never added, are not.
func TestShapeSet(t *testing.T) {
	t.Parallel()
	const top = 1 << (64 - shapeSetBits) // shapes that differ below this share a bit
	var s shapeSet
	s.add(5 * top)
	if !s.has(5 * top) { // builds the bitset
		t.Fatal("a shape added before the first question is missing")
	}
	s.add(9*top + 1)
	tests := []struct {
		shape uint64
		want  bool
	}{
		{5 * top, true},
		{9*top + 1, true},
		{5*top + 1, false}, // its bit is set, the map says no
		{9 * top, false},
		{7 * top, false},
		{0, false},
	}
	for _, tt := range tests {
		if got := s.has(tt.shape); got != tt.want {
			t.Errorf("has(%#x) = %v, want %v", tt.shape, got, tt.want)
		}
	}
}
