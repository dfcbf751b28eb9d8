package analysis

import (
	"bytes"
	"math/rand"
	"regexp"
	"regexp/syntax"
	"strings"
	"testing"
)

func TestNewStartRuns(t *testing.T) {
	tests := []struct {
		src  string
		runs bool
	}{
		{`\b(timed out|deadline exceeded)\b`, true},
		{`(no such file or directory|cannot stat)`, true},
		{`timeout\b.{0,30}\b(exceeded|expired)`, true},
		{`^npm (err!|error) `, false},             // anchored: tried at the start alone
		{`\b(segfault|^killed$)`, false},          // a ^ inside
		{`\b(fail|err|x)\b`, false},               // a start shorter than three bytes
		{`.*deprecat`, false},                     // a match may begin anywhere
		{`\S+:\d+: warning`, false},               // nor is a start listed
		{`(?i)\bwarn`, false},                     // case folded: the texts are not listed
		{`(é+rreur|erreur)`, false},               // a start that is not ASCII
		{`(http|status)\W{1,3}429\b`, true},       // each start is whole
		{`\b(build|job) (was )?cancell?ed`, true}, // optional parts follow the start
	}
	for _, tt := range tests {
		if got := newStartRuns(tt.src) != nil; got != tt.runs {
			t.Errorf("newStartRuns(%q): runs %v, want %v", tt.src, got, tt.runs)
		}
	}
}

// TestStartRunsAgreeWithPattern samples texts from every rule pattern
// that runs from its starts, puts them after and before bytes that a word
// boundary or the start of the text would see (a letter, an underscore,
// the end of a two-byte character, an invalid byte), and checks that the
// runs answer as the pattern does, on those and on every line of the
// test logs.
func TestStartRunsAgreeWithPattern(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewSource(7))
	contexts := []string{"", "", " ", "x", "_", "9", "-", "é", "\xff", "\xc3", "a b ", "(", "x: "}
	var lines [][]byte
	for _, data := range testLogs(t) {
		for _, line := range bytes.Split(data, []byte("\n")) {
			lines = append(lines, appendLower(nil, line))
		}
	}
	patterns, matched, turned := 0, 0, 0
	for i := range rules {
		if rules[i].re == nil {
			continue
		}
		m := rules[i].re.matcher()
		r := newStartRuns(m.src)
		if r == nil {
			continue
		}
		patterns++
		re := regexp.MustCompile(m.src)
		raw, err := syntax.Parse(m.src, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		check := func(text []byte) {
			want := re.Match(text)
			if got := r.match(text); got != want {
				t.Fatalf("%s on %q: runs say %v, the pattern %v", rules[i].name, text, got, want)
			}
			if want {
				matched++
			}
		}
		for range 400 {
			var b strings.Builder
			b.WriteString(contexts[rng.Intn(len(contexts))])
			sample(raw, rng, &b)
			b.WriteString(contexts[rng.Intn(len(contexts))])
			text := []byte(b.String())
			check(text)
			// The same sample where the pattern only fails by its context:
			// glued to a word before it.
			glued := append([]byte("xy"), text...)
			if re.Match(text) && !re.Match(glued) {
				turned++
			}
			check(glued)
		}
		for _, line := range lines {
			check(line)
		}
	}
	if patterns < 20 || matched < 5_000 || turned < 300 {
		t.Fatalf("%d patterns, %d matches, %d texts turned away by their context: the test proves too little", patterns, matched, turned)
	}
	t.Logf("%d patterns: %d matches, %d texts turned away by their context", patterns, matched, turned)
}
