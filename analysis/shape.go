package analysis

import "encoding/binary"

// lineShape hashes a line with each number replaced by its class: zero, a
// single digit (exit codes, Maven's "[Help 1]"), a status the rules know
// (137, 4xx, 5xx, ...), a number with a leading zero, or any other number
// of that many digits. Two lines of one shape classify the same way
// (TestClassCacheAgreesWithClassify checks it on every log at hand).
func lineShape(text []byte, mark Mark, echo bool) uint64 {
	h := mix(0, uint64(mark)+1)
	if echo {
		h = mix(h, 0x9e3779b97f4a7c15)
	}
	for i := 0; ; {
		var n int
		h, n = hashUntilDigit(h, text[i:])
		if i += n; i == len(text) {
			return mix(h, uint64(len(text)))
		}
		j, zero, v := i, true, 0
		for j < len(text) && digit(text[j]) {
			if text[j] != '0' {
				zero = false
			}
			if v < 1000 {
				v = v*10 + int(text[j]-'0')
			}
			j++
		}
		class := uint64(0x1000 + j - i)
		switch {
		case zero:
			class = 0x2000 + uint64(j-i)
		case j-i == 1:
			class = 0x4000 + uint64(v)
		case text[i] == '0':
			class = 0x5000 + uint64(j-i)
		case j-i == 3 && (v >= 400 && v < 600 || v >= 128 && v < 160):
			class = 0x3000 + uint64(v) // HTTP statuses, 128+signal exit codes
		}
		h = mix(h, class<<48)
		i = j
	}
}

// messageShape hashes text with each run of digits replaced by its length.
func messageShape(category string, text []byte) uint64 {
	h, _ := hashUntilDigit(0, []byte(category))
	h = mix(h, uint64(len(category)))
	for i := 0; ; {
		var n int
		h, n = hashUntilDigit(h, text[i:])
		if i += n; i == len(text) {
			return mix(h, uint64(len(text)))
		}
		j := i
		for j < len(text) && digit(text[j]) {
			j++
		}
		h = mix(h, uint64(0x100+j-i)<<48)
		i = j
	}
}

// hashUntilDigit mixes text into h up to its first ASCII digit, 8 bytes at
// a time where it can, and returns h and the digit's offset (len(text) when
// there is none). Texts with digits at the same offsets take the same steps.
func hashUntilDigit(h uint64, text []byte) (uint64, int) {
	i := 0
	for ; i+8 <= len(text); i += 8 {
		w := binary.LittleEndian.Uint64(text[i:])
		if hasDigit(w) {
			break
		}
		h = mix(h, w)
	}
	for ; i < len(text); i++ {
		if digit(text[i]) {
			return h, i
		}
		h = mix(h, uint64(text[i]))
	}
	return h, i
}

// slot returns where key goes in a direct-mapped cache of 2^bits entries:
// the high bits of a multiplicative mix, since the low bits of a key alone
// collided often (2.3× more misses with the FNV hash first used).
func slot(key uint64, bits uint) uint64 {
	return (key * 0x9E3779B97F4A7C15) >> (64 - bits)
}

// mix adds w to the hash h: a multiply and a shift, so a line costs about
// one multiply per 8 bytes rather than one per byte.
func mix(h, w uint64) uint64 {
	h = (h ^ w) * 0x9E3779B97F4A7C15
	return h ^ h>>29
}
