package analysis

import (
	"bytes"
	"math/rand"
	"testing"
)

// scanNaive is what keywordSet.scan computes, stated plainly: the flags of
// every keyword in line, ignoring ASCII case.
func scanNaive(k *keywordSet, line []byte) uint8 {
	lower := bytes.ToLower(line)
	var f uint8
	for i, w := range k.words {
		// Keywords are folded with |0x20, which is lower-casing for letters
		// and leaves the other bytes they hold (" -.:_*!'") alone, except '_'.
		kw := bytes.ReplaceAll(w, []byte{'_' | 0x20}, []byte{'_'})
		if bytes.Contains(lower, kw) {
			f |= k.flags[i]
		}
	}
	return f
}

func TestKeywordScan(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewSource(1))
	alphabet := []byte("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .:-_*!'/\t")
	var words []string
	words = append(words, triggerWords...)
	words = append(words, ".go:", "-----begin ")
	for n := 0; n < 200_000; n++ {
		var line []byte
		for len(line) < rng.Intn(120) {
			if rng.Intn(6) == 0 {
				w := []byte(words[rng.Intn(len(words))])
				if rng.Intn(2) == 0 {
					w = bytes.ToUpper(w)
				}
				if rng.Intn(3) == 0 && len(w) > 1 {
					w = w[:rng.Intn(len(w))] // a keyword cut short
				}
				line = append(line, w...)
			} else {
				line = append(line, alphabet[rng.Intn(len(alphabet))])
			}
		}
		got, want := triggerSet().scan(line), scanNaive(triggerSet(), line)
		if got&scanTrigger != want&scanTrigger || want&scanTrigger == 0 && got != want {
			t.Fatalf("scan(%q) = %b, want %b", line, got, want)
		}
	}
}

// TestLeadBytes checks that leadBytes lets through every line leadMarker
// says yes to.
func TestLeadBytes(t *testing.T) {
	t.Parallel()
	for c := 0; c < 256; c++ {
		for _, rest := range []string{" x", "\tx", ":x", ") x", "o: x", "0) x", "\x97 x", "\x95 x"} {
			line := append([]byte{byte(c)}, rest...)
			if leadMarker(line) && !leadBytes[c] {
				t.Errorf("leadMarker(%q) is true but leadBytes[%#x] is false", line, c)
			}
		}
	}
}
