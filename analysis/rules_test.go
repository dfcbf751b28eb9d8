package analysis

import (
	"math/rand"
	"strings"
	"testing"
)

// TestPreIsNecessary checks each rule's pre condition on lines built from
// the words of its pattern: wherever the pattern matches, pre must hold.
func TestPreIsNecessary(t *testing.T) {
	t.Parallel()
	words := []string{"coverage", "threshold", "minimum", "not met", "not reached", "below", "is below", "fail",
		"does not meet", "required test coverage of ", "line", "total", "80%", " ", " ", "-", ":", "x"}
	rng := rand.New(rand.NewSource(1))
	checked := 0
	for i := range rules {
		r := &rules[i]
		if r.pre == nil {
			continue
		}
		matched := 0
		for n := 0; n < 200_000; n++ {
			var b strings.Builder
			for k := rng.Intn(8); k >= 0; k-- {
				b.WriteString(words[rng.Intn(len(words))])
			}
			l := &lineView{text: []byte(b.String())}
			l.trim, l.indent = leadingSpace(l.text)
			l.prepare(nil, make([]uint64, ruleLiterals.words()))
			in := l.text
			if r.onLower {
				in = l.lower
			}
			if r.re.Match(in) {
				matched++
				if !r.pre(l) {
					t.Fatalf("%s: pattern matches %q but pre says no", r.name, l.text)
				}
			}
		}
		if matched == 0 {
			t.Errorf("%s: no generated line matched; the test proves nothing", r.name)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no rule has a pre condition")
	}
}
