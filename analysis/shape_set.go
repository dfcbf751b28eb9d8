package analysis

// shapeSet is a set of line shapes (lineShape). Past the cap every line
// that may open a block asks it, so a bitset of the shapes' top bits,
// built on the first question, turns most lines away before the map.
type shapeSet struct {
	m    map[uint64]struct{}
	bits []uint64 // 1<<shapeSetBits bits; nil until has is first called
}

// shapeSetBits sizes the bitset: 8 KiB, a 6% false positive rate at the
// cap's 4,000 shapes.
const shapeSetBits = 16

// add puts shape in the set.
func (s *shapeSet) add(shape uint64) {
	if s.m == nil {
		s.m = make(map[uint64]struct{})
	}
	s.m[shape] = struct{}{}
	if s.bits != nil {
		s.setBit(shape)
	}
}

// has reports whether shape is in the set.
func (s *shapeSet) has(shape uint64) bool {
	if s.bits == nil {
		s.bits = make([]uint64, 1<<shapeSetBits/64)
		for k := range s.m {
			s.setBit(k)
		}
	}
	i := shape >> (64 - shapeSetBits)
	if s.bits[i/64]&(1<<(i%64)) == 0 {
		return false
	}
	_, ok := s.m[shape]
	return ok
}

func (s *shapeSet) setBit(shape uint64) {
	i := shape >> (64 - shapeSetBits)
	s.bits[i/64] |= 1 << (i % 64)
}
