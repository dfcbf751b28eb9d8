package analysis

import (
	"encoding/binary"
	"math/rand"
	"testing"
)

func TestHasDigit(t *testing.T) {
	t.Parallel()
	naive := func(w uint64) bool {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], w)
		for _, c := range b {
			if digit(c) {
				return true
			}
		}
		return false
	}
	// Every byte value in every position, among fillers that sit just
	// outside the digit range and in the upper half.
	for _, fill := range []byte{'/', ':', 0x00, 0x7f, 0x80, 0xb0, 0xff, 'a'} {
		for pos := 0; pos < 8; pos++ {
			for c := 0; c < 256; c++ {
				var b [8]byte
				for i := range b {
					b[i] = fill
				}
				b[pos] = byte(c)
				w := binary.LittleEndian.Uint64(b[:])
				if got, want := hasDigit(w), naive(w); got != want {
					t.Fatalf("hasDigit(%q) = %v, want %v", b[:], got, want)
				}
			}
		}
	}
	rng := rand.New(rand.NewSource(1))
	for range 1_000_000 {
		w := rng.Uint64()
		if got, want := hasDigit(w), naive(w); got != want {
			t.Fatalf("hasDigit(%#x) = %v, want %v", w, got, want)
		}
	}
}

func TestShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		same bool
	}{
		{"took 15ms at step 3 of 9", "took 27ms at step 1 of 4", true},
		{"took 15ms", "took 150ms", false},
		{"exit code 0", "exit code 1", false},
		{"HTTP 503 from registry", "HTTP 502 from registry", false},
		{"HTTP 503 from registry", "HTTP 203 from registry", false},
		{"a long line without digits, longer than one word", "a long line without digits, longer than one word", true},
		{"a long line without digits, longer than one word", "a long line without digits, longer than one wore", false},
		{"abcdefgh", "abcdefg", false},
		{"", "", true},
		{"x", "", false},
	}
	for _, tt := range tests {
		if got := lineShape([]byte(tt.a), MarkNone, false) == lineShape([]byte(tt.b), MarkNone, false); got != tt.same {
			t.Errorf("lineShape(%q) == lineShape(%q): %v, want %v", tt.a, tt.b, got, tt.same)
		}
	}
	if lineShape([]byte("x"), MarkNone, false) == lineShape([]byte("x"), MarkErrorAnnotation, false) {
		t.Error("lineShape ignores the mark")
	}
	if lineShape([]byte("x"), MarkNone, false) == lineShape([]byte("x"), MarkNone, true) {
		t.Error("lineShape ignores echo")
	}
	if messageShape("test", []byte("took 15ms")) != messageShape("test", []byte("took 27ms")) {
		t.Error("messageShape tells numbers of one length apart")
	}
	if messageShape("test", []byte("took 15ms")) == messageShape("test", []byte("took 150ms")) {
		t.Error("messageShape merges numbers of other lengths")
	}
	if messageShape("test", []byte("x")) == messageShape("build", []byte("x")) {
		t.Error("messageShape ignores the category")
	}
}
