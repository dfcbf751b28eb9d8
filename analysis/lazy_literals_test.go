package analysis

import (
	"bytes"
	"math/rand"
	"reflect"
	"strings"
	"testing"
)

// TestLazyLiteralsMatchAsBuilt: the lazy matcher finds what the table
// built whole finds, line after line with one table (filled as it goes),
// with one that hands over to the whole table at lazyLimit states, and
// with a fresh one, on every line of the test logs and on lines made of
// pieces of the literals, where the deep states are.
func TestLazyLiteralsMatchAsBuilt(t *testing.T) {
	t.Parallel()
	ix := rulesIndexed()
	built := ix.lits.build()
	warm := newLazyLiterals(ix.lits, nil) // never hands over
	switching := newLazyLiterals(ix.lits, ix.whole)
	words := ix.words()
	checked := 0
	check := func(line []byte) {
		t.Helper()
		lower := bytes.ToLower(line)
		want, got := make([]uint64, words), make([]uint64, words)
		wantMask := built.match(lower, want, ix.byLiteral)
		gotMask := warm.match(lower, got, ix.byLiteral)
		if !reflect.DeepEqual(got, want) || gotMask != wantMask {
			t.Fatalf("%q: lazy matcher found %x, the built table %x", line, got, want)
		}
		if mask := switching.match(lower, got, ix.byLiteral); !reflect.DeepEqual(got, want) || mask != wantMask {
			t.Fatalf("%q: lazy matcher that hands over found %x, the built table %x", line, got, want)
		}
		if checked++; checked%50 == 0 { // and with a table that reaches its states on this line
			fresh := make([]uint64, words)
			if mask := newLazyLiterals(ix.lits, ix.whole).match(lower, fresh, ix.byLiteral); !reflect.DeepEqual(fresh, want) || mask != wantMask {
				t.Fatalf("%q: a fresh lazy matcher found %x, the built table %x", line, fresh, want)
			}
		}
	}
	lines := 0
	for _, data := range testLogs(t) {
		for _, line := range bytes.Split(data, []byte("\n")) {
			check(line)
			lines++
		}
	}
	rng := rand.New(rand.NewSource(1))
	lits := ix.lits.lits
	for range 20_000 {
		var b strings.Builder
		for k := rng.Intn(6); k >= 0; k-- {
			l := lits[rng.Intn(len(lits))]
			from := rng.Intn(len(l))
			b.WriteString(l[from:]) // a literal's end, then another's start: failure links
			m := lits[rng.Intn(len(lits))]
			b.WriteString(m[:rng.Intn(len(m)+1)])
			if rng.Intn(3) == 0 {
				b.WriteByte(' ')
			}
		}
		check([]byte(b.String()))
	}
	reached := warm.nonFinal/int32(ix.lits.nclass) + (warm.final-ix.lits.finalRow)/int32(ix.lits.nclass)
	if lines < 10_000 || int(reached) < len(ix.lits.out)/2 || switching.built == nil || switching.next != nil {
		t.Fatalf("%d test-log lines, %d of %d states reached, handed over: %v: the test should reach most states, and hand over",
			lines, reached, len(ix.lits.out), switching.built != nil)
	}
}
