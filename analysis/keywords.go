package analysis

// keywordSet tells, in one pass over a line, whether it contains any of a
// set of keywords, ignoring ASCII case. Every 4-byte window of the line is folded
// to lower case, hashed and looked up in a 64 Ki-bit table; only windows
// that hit the table are compared with the keywords that start with them.
// This keeps the common case (a line with no keyword) near memory speed.
type keywordSet struct {
	bits  [1 << 10]uint64 // 2^16 bits, one per 4-gram hash
	head  []uint16        // 4-gram hash → 1 + first keyword with it; 0: none
	chain []uint16        // keyword → 1 + next keyword with the same hash
	words [][]byte        // folded keywords
	at    []int           // offset in the keyword of the 4-gram it is indexed by
	flags []uint8         // what finding each keyword means (scan flags)
}

// Flags reported by scan.
const (
	scanTrigger uint8 = 1 << iota // a keyword that makes the line worth classifying
	scanGoDiag                    // ".go:": a Go diagnostic, if the line is not indented
	scanPEM                       // "-----BEGIN ": a private key block may start here
)

// fold maps ASCII upper-case letters to lower case. It also changes some
// punctuation, which is harmless: keywords are folded the same way, and a
// false hit only costs a comparison.
const fold = 0x20202020

func newKeywordSet(words []string) *keywordSet {
	return newFlaggedKeywordSet(words, nil)
}

// newFlaggedKeywordSet builds a set whose keywords report flags[word]
// (scanTrigger when absent).
func newFlaggedKeywordSet(words []string, flags map[string]uint8) *keywordSet {
	k := &keywordSet{head: make([]uint16, 1<<16), chain: make([]uint16, len(words))}
	for i, w := range words {
		if len(w) < 4 {
			panic("analysis: keyword shorter than 4 bytes: " + w)
		}
		f := make([]byte, len(w))
		for j := range w {
			f[j] = w[j] | 0x20
		}
		k.words = append(k.words, f)
		fl, ok := flags[w]
		if !ok {
			fl = scanTrigger
		}
		k.flags = append(k.flags, fl)
		// Index each keyword by its least common 4-gram: a window that hits
		// the table then usually is the keyword, and verification is rare.
		at := rarestWindow(f)
		k.at = append(k.at, at)
		h := hash4(uint32(f[at]) | uint32(f[at+1])<<8 | uint32(f[at+2])<<16 | uint32(f[at+3])<<24)
		k.bits[h>>6] |= 1 << (h & 63)
		k.chain[i] = k.head[h]
		k.head[h] = uint16(i + 1)
	}
	return k
}

func hash4(x uint32) uint16 {
	return uint16((x * 0x9E3779B1) >> 16)
}

// contains reports whether line contains a keyword flagged scanTrigger.
func (k *keywordSet) contains(line []byte) bool {
	if len(line) < 4 {
		return false
	}
	bits := &k.bits
	x := uint32(line[0])<<8 | uint32(line[1])<<16 | uint32(line[2])<<24
	for i, c := range line[3:] {
		x = x>>8 | uint32(c)<<24
		h := hash4(x | fold)
		if bits[h>>6]&(1<<(h&63)) != 0 && k.verify(line, i, h)&scanTrigger != 0 {
			return true
		}
	}
	return false
}

// scan returns, in one pass over line, the flags of the keywords it holds.
// It stops at the first trigger.
func (k *keywordSet) scan(line []byte) uint8 {
	if len(line) < 4 {
		return 0
	}
	var f uint8
	bits := &k.bits
	x := uint32(line[0])<<8 | uint32(line[1])<<16 | uint32(line[2])<<24
	for i, c := range line[3:] {
		x = x>>8 | uint32(c)<<24
		h := hash4(x | fold)
		if bits[h>>6]&(1<<(h&63)) != 0 {
			if f |= k.verify(line, i, h); f&scanTrigger != 0 {
				return f
			}
		}
	}
	return f
}

// verify returns the flags of the keywords that occur at window win.
func (k *keywordSet) verify(line []byte, win int, h uint16) uint8 {
	var found uint8
	for w := k.head[h]; w != 0; w = k.chain[w-1] {
		kw := k.words[w-1]
		at := win - k.at[w-1]
		if at < 0 || at+len(kw) > len(line) {
			continue
		}
		ok := true
		for j, c := range kw {
			if line[at+j]|0x20 != c {
				ok = false
				break
			}
		}
		if ok {
			found |= k.flags[w-1]
		}
	}
	return found
}

// letterRank orders bytes from common to rare in English log text; lower is
// more common.
var letterRank = func() [256]int {
	var r [256]int
	for i := range r {
		r[i] = 20 // digits, punctuation, other bytes
	}
	for i, c := range []byte(" etaoinsrhldcumfpgwybvkxjqz") {
		r[c] = i
	}
	r['_'], r['-'], r['.'], r['/'], r[':'] = 8, 12, 10, 12, 12
	return r
}()

// rarestWindow returns the offset of the 4-byte window of w whose bytes are
// the least common.
func rarestWindow(w []byte) int {
	best, bestScore := 0, -1
	for i := 0; i+4 <= len(w); i++ {
		score := 0
		for _, c := range w[i : i+4] {
			score += letterRank[c]
		}
		if score > bestScore {
			best, bestScore = i, score
		}
	}
	return best
}
