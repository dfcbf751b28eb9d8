package analysis

import (
	"encoding/binary"
	"math/bits"
)

// Word-at-a-time byte tests ("SWAR"): each looks at the 8 bytes of a
// little-endian word at once. They are exact; the tests check each against
// a byte loop for every byte value in every position.

const (
	ones  = 0x0101010101010101 // one in every byte
	highs = ones * 0x80        // the high bit of every byte
)

// nonDigits returns the high bit of each byte of w that is not an ASCII
// digit. Each byte is cut to 7 bits before the add, so no carry crosses
// bytes; the high bit of the original byte rules out the rest.
func nonDigits(w uint64) uint64 {
	v := w ^ ones*'0' // digits become 0..9
	return (v&(ones*0x7f) + ones*(0x80-10) | v) & highs
}

// hasDigit reports whether a byte of w is an ASCII digit.
func hasDigit(w uint64) bool { return nonDigits(w) != highs }

// digits reports whether every byte of w that mask selects is an ASCII
// digit.
func digits(w, mask uint64) bool { return nonDigits(w)&mask == 0 }

// digitRun returns how many ASCII digits b starts with, 8 bytes at a time.
func digitRun(b []byte) int {
	n := 0
	for ; n+8 <= len(b); n += 8 {
		if k := bits.TrailingZeros64(nonDigits(binary.LittleEndian.Uint64(b[n:]))) / 8; k < 8 {
			return n + k
		}
	}
	for n < len(b) && digit(b[n]) {
		n++
	}
	return n
}

// anyControl reports whether a byte of w is below 0x20 (TAB included), 0x7F
// or 0xEF: a byte stripControls must look at. It uses the "hasless" and
// "haszero" tests from Bit Twiddling Hacks.
func anyControl(w uint64) bool {
	del, ef := w^(ones*0x7f), w^(ones*0xef)
	return ((w-ones*0x20)&^w|(del-ones)&^del|(ef-ones)&^ef)&highs != 0
}

// lowerWord maps the ASCII upper-case letters of w to lower case and
// leaves every other byte as it is. Each byte is cut to 7 bits before the
// adds, so no carry crosses bytes; the high bit of the original byte keeps
// bytes of 0x80 and above out.
func lowerWord(w uint64) uint64 {
	v := w & (ones * 0x7f)
	atLeastA := v + ones*(0x80-'A') // high bit: v >= 'A'
	aboveZ := v + ones*(0x80-'Z'-1) // high bit: v > 'Z'
	upper := atLeastA &^ aboveZ &^ w & highs
	return w | upper>>2 // 0x80 >> 2 is 0x20
}

// appendLower appends b to dst with ASCII upper case lowered, eight bytes
// at a time.
func appendLower(dst, b []byte) []byte {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		dst = binary.LittleEndian.AppendUint64(dst, lowerWord(binary.LittleEndian.Uint64(b[i:])))
	}
	for ; i < len(b); i++ {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}
