package analysis

import "encoding/binary"

// keywordSet tells, in one pass over a line, whether it contains any of a
// set of keywords, ignoring ASCII case. Every 4-byte window of the line is
// folded to lower case, hashed and looked up in a 64 KiB table, five
// windows per 8-byte load; only windows that hit the table are compared
// with the keywords indexed there. This keeps the common case (a line with
// no keyword) near memory speed. (A bitset of the hashes, 8 KiB, was 3%
// slower.)
type keywordSet struct {
	hit   [1 << hashBits]uint8 // 4-gram hash → 1 when a keyword is indexed by it
	heads *chainHeads          // 4-gram hash → 1 + first keyword with it; 0: none
	chain []uint16             // keyword → 1 + next keyword with the same hash
	words [][]byte             // folded keywords
	at    []int                // offset in the keyword of the 4-gram it is indexed by
	flags []uint8              // what finding each keyword means (scan flags)
}

// Flags reported by scan.
const (
	scanTrigger uint8 = 1 << iota // a keyword that makes the line worth classifying
	scanGoDiag                    // ".go:": a Go diagnostic, if the line is not indented
	scanPEM                       // "-----BEGIN ": a private key block may start here
	scanDiag                      // ".lua:", ".kt:", ...: a lint or compiler diagnostic, if the line is not indented deeper than 4
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
	k := &keywordSet{chain: make([]uint16, len(words))}
	chains := chainBuilder{}
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
		k.hit[h] = 1
		k.chain[i] = chains.push(uint16(h), i)
	}
	k.heads = chains.heads()
	return k
}

// hashBits is the size of the 4-gram hash. ~140 keywords fill 0.2% of a
// table of 2^16 bytes, so few windows need verifying (measured: 3% faster
// than 2^14, which fits the L1 cache but lets through 4× more windows).
const hashBits = 16

// chainHeads holds hashes of 16 bits at most.
const _ uint16 = 1<<hashBits - 1

func hash4(x uint32) uint32 {
	return (x * 0x9E3779B1) >> (32 - hashBits)
}

// contains reports whether line contains a keyword flagged scanTrigger.
func (k *keywordSet) contains(line []byte) bool {
	return k.scan(line)&scanTrigger != 0
}

// scan returns the flags of the keywords line holds. It stops at the first
// trigger, so the other flags are only complete when there is none.
func (k *keywordSet) scan(line []byte) uint8 {
	var f uint8
	hit := &k.hit
	i := 0
	// Five windows per load: the ones starting at i, ..., i+4.
	for ; i+8 <= len(line); i += 5 {
		w := binary.LittleEndian.Uint64(line[i:]) | fold<<32 | fold
		h0, h1, h2, h3, h4 := hash4(uint32(w)), hash4(uint32(w>>8)), hash4(uint32(w>>16)), hash4(uint32(w>>24)), hash4(uint32(w>>32))
		if hit[h0]|hit[h1]|hit[h2]|hit[h3]|hit[h4] == 0 {
			continue
		}
		for j, h := range [5]uint32{h0, h1, h2, h3, h4} {
			if hit[h] != 0 {
				if f |= k.verify(line, i+j, h); f&scanTrigger != 0 {
					return f
				}
			}
		}
	}
	for ; i+4 <= len(line); i++ {
		if h := hash4(binary.LittleEndian.Uint32(line[i:]) | fold); hit[h] != 0 {
			if f |= k.verify(line, i, h); f&scanTrigger != 0 {
				return f
			}
		}
	}
	return f
}

// verify returns the flags of the keywords that occur at window win.
func (k *keywordSet) verify(line []byte, win int, h uint32) uint8 {
	var found uint8
	for w := k.heads.head(h); w != 0; w = k.chain[w-1] {
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
