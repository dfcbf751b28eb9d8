package analysis

import (
	"encoding/binary"
	"math/rand"
	"testing"
)

// checkWordTest compares a word-at-a-time test with its byte-wise
// statement: every byte value in every position among each filler, then
// a million random words (from random when set).
func checkWordTest(t *testing.T, name string, got func(uint64) bool, byteWise func(byte) bool, fills []byte, random func(*rand.Rand) uint64) {
	t.Helper()
	want := func(w uint64) bool {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], w)
		for _, c := range b {
			if byteWise(c) {
				return true
			}
		}
		return false
	}
	for _, fill := range fills {
		for pos := 0; pos < 8; pos++ {
			for c := 0; c < 256; c++ {
				var b [8]byte
				for i := range b {
					b[i] = fill
				}
				b[pos] = byte(c)
				w := binary.LittleEndian.Uint64(b[:])
				if g, w2 := got(w), want(w); g != w2 {
					t.Fatalf("%s(%q) = %v, want %v", name, b[:], g, w2)
				}
			}
		}
	}
	rng := rand.New(rand.NewSource(1))
	for range 1_000_000 {
		w := rng.Uint64()
		if random != nil {
			w = random(rng)
		}
		if g, w2 := got(w), want(w); g != w2 {
			t.Fatalf("%s(%#x) = %v, want %v", name, w, g, w2)
		}
	}
}

func TestHasDigit(t *testing.T) {
	t.Parallel()
	// Fillers just outside the digit range and in the upper half.
	checkWordTest(t, "hasDigit", hasDigit, digit, []byte{'/', ':', 0x00, 0x7f, 0x80, 0xb0, 0xff, 'a'}, nil)
}

func TestAnyControl(t *testing.T) {
	t.Parallel()
	control := func(c byte) bool { return c < 0x20 || c == 0x7f || c == 0xef }
	checkWordTest(t, "anyControl", anyControl, control, []byte{' ', 'a', 0x7e, 0x80, 0xee, 0xf0, 0xff},
		func(rng *rand.Rand) uint64 {
			if rng.Intn(2) == 0 {
				return rng.Uint64()
			}
			return rng.Uint64() | 0x2020202020202020 // mostly printable, so the other bytes decide
		})
}
func TestDigitRun(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewSource(1))
	pool := []byte("0123456789/:a\x00\x80\xb0\xff")
	for range 100_000 {
		b := make([]byte, rng.Intn(24))
		for i := range b {
			if rng.Intn(4) == 0 {
				b[i] = pool[rng.Intn(len(pool))]
			} else {
				b[i] = '0' + byte(rng.Intn(10))
			}
		}
		want := 0
		for want < len(b) && b[want] >= '0' && b[want] <= '9' {
			want++
		}
		if got := digitRun(b); got != want {
			t.Fatalf("digitRun(%q) = %d, want %d", b, got, want)
		}
	}
}

// TestLowerWord: every byte value in every position among fillers, and a
// million random words, lowered as a byte loop lowers them.
func TestLowerWord(t *testing.T) {
	t.Parallel()
	byteWise := func(w uint64) uint64 {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], w)
		for i, c := range b {
			if c >= 'A' && c <= 'Z' {
				b[i] = c + 'a' - 'A'
			}
		}
		return binary.LittleEndian.Uint64(b[:])
	}
	check := func(w uint64) {
		if got, want := lowerWord(w), byteWise(w); got != want {
			t.Fatalf("lowerWord(%#x) = %#x, want %#x", w, got, want)
		}
	}
	for _, fill := range []byte{'@', 'A', 'Z', '[', 'a', 0x00, 0x7f, 0x80, 0xc1, 0xda, 0xff} {
		for pos := range 8 {
			for c := range 256 {
				b := [8]byte{fill, fill, fill, fill, fill, fill, fill, fill}
				b[pos] = byte(c)
				check(binary.LittleEndian.Uint64(b[:]))
			}
		}
	}
	rng := rand.New(rand.NewSource(2))
	for range 1_000_000 {
		check(rng.Uint64())
	}
	if got := string(appendLower([]byte("x"), []byte("Hello, WORLD: Ärger 123 ZZ"))); got != "xhello, world: Ärger 123 zz" {
		t.Errorf("appendLower = %q", got)
	}
}
