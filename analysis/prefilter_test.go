package analysis

import (
	"bytes"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"strings"
	"testing"
)

// matcherOf compiles src as a rule's pattern is compiled.
func matcherOf(src string) *matcher { return re(src).matcher() }

// pieces returns the literals and some characters of each class of a
// pattern: texts built from them reach its matches and near misses.
func pieces(t *testing.T, src string) []string {
	t.Helper()
	parsed, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{" ", "\t", ":", "x", "X", "1", "42", "é", "\xff", "-", ".", "/", "[", "]"}
	var walk func(re *syntax.Regexp)
	walk = func(re *syntax.Regexp) {
		switch re.Op {
		case syntax.OpLiteral:
			s := string(re.Rune)
			out = append(out, s, strings.ToUpper(s), strings.ToLower(s))
			if len(re.Rune) > 1 {
				out = append(out, string(re.Rune[:len(re.Rune)/2]))
			}
		case syntax.OpCharClass:
			for i := 0; i+1 < len(re.Rune) && i < 8; i += 2 {
				lo, hi := re.Rune[i], re.Rune[i+1]
				if hi > 0x10000 {
					hi = lo + 1
				}
				out = append(out, string(lo), string(hi), string(lo+(hi-lo)/2))
			}
		}
		for _, s := range re.Sub {
			walk(s)
		}
	}
	walk(parsed)
	return out
}

// checkAgrees holds a pattern's prefilter to its matcher on n texts built
// from its pieces, and returns how many matched.
func checkAgrees(t *testing.T, src string, n int, rng *rand.Rand) int {
	t.Helper()
	m := matcherOf(src)
	ps := pieces(t, src)
	matched := 0
	for range n {
		var b strings.Builder
		for k := rng.Intn(9); k > 0; k-- {
			b.WriteString(ps[rng.Intn(len(ps))])
		}
		text := []byte(b.String())
		want := m.re.Match(text)
		if got := m.match(text); got != want {
			t.Fatalf("%s on %q: prefilter and pattern say %v, pattern alone %v", src, text, got, want)
		}
		if want {
			matched++
		}
	}
	return matched
}

func TestPrefilterAgreesWithItsPattern(t *testing.T) {
	t.Parallel()
	patterns := []string{
		`^error: (could not compile|aborting due to|build failed|\d+ targets? failed)`,
		`^(\[?(ERROR|FATAL|FAIL|Error|error)\]?)(:|\s|$)`,
		`^\S+?:\d+(:\d+)?: (fatal )?error:( |$)`,
		`^e: (file://)?\S+\.kts?(:\d+:\d+|: \(\d+, \d+\)):? `,
		`^FAIL$`,
		`^(BUILD FAILURE|BUILD FAILED( in .*)?)$`,
		`^\s*--- FAIL: `,
		`\b(out of memory|oomkilled|^killed$|exit (code|status)[: ]+137)\b`,
		`(did not complete successfully: exit code: \d+|returned a non-zero code: \d+|executor failed running)`,
		`^(\[ERROR\] )?Tests run: \d+, Failures: \d+, Errors: \d+(, Skipped: \d+)?$`,
		`^\s*(Exception in thread "[^"]*" |Uncaught |\w+: )?([a-zA-Z_$][\w$]*\.)+[A-Z][\w$]*(Exception|Error)\b`,
		`^[xy]{2,3}z`,
		`^(?i:abc)d`,
		`^a\x{FFFD}b`,
		`^[^a]b`,
		`^(a|ab)(c|bcd)$`,
		`^$`,
		`^`,
		`^(a$|b)c?`,
		`x+y`,
		`(ab|cd)+ef`,
		`é[éè]`,
	}
	rng := rand.New(rand.NewSource(1))
	for _, p := range patterns {
		checkAgrees(t, p, 20_000, rng)
	}
}

// TestRulePrefiltersAgree holds every rule's prefilter to its pattern: on
// texts built from the pattern's pieces, and on every line of the test
// logs as the rule sees it, cut at a few places.
func TestRulePrefiltersAgree(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewSource(2))
	screened, exact := 0, 0
	for i := range rules {
		r := &rules[i]
		if r.re == nil {
			continue
		}
		checkAgrees(t, r.re.matcher().re.String(), 3_000, rng)
		if m := r.re.matcher(); m.pre.starts != nil || m.pre.need != nil {
			screened++
			if m.pre.exact {
				exact++
			}
		}
	}
	if screened < len(rules)/2 {
		t.Errorf("only %d of %d rules have a prefilter", screened, len(rules))
	}
	t.Logf("%d of %d rules screened, %d decided without their pattern", screened, len(rules), exact)

	paths, err := filepath.Glob("testdata/logs/*.log")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no test logs: %v", err)
	}
	var c cleaner
	lits := make([]uint64, rulesIndexed().lits.words())
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, raw := range bytes.Split(data, []byte("\n")) {
			text, _ := c.clean(raw)
			l := &lineView{text: text}
			l.trim, l.indent = leadingSpace(text)
			l.prepare(nil, lits)
			for i := range rules {
				r := &rules[i]
				if r.re == nil {
					continue
				}
				m, in := r.input(l)
				for _, cut := range []int{len(in), len(in) / 2, min(len(in), 7)} {
					if got, want := m.match(in[:cut]), m.re.Match(in[:cut]); got != want {
						t.Fatalf("%s on %q: prefilter and pattern say %v, pattern alone %v", r.name, in[:cut], got, want)
					}
				}
			}
		}
	}
}

// TestPrefilterDerivation checks what is derived from a few patterns.
func TestPrefilterDerivation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src    string
		starts bool // a set of texts a match begins with
		exact  bool // which decides the match alone
		need   string
	}{
		{src: `^error: (could not compile|aborting due to)`, starts: true, exact: true},
		{src: `^(\[?(ERROR|FATAL)\]?)(:|\s|$)`, starts: true, exact: true},
		{src: `^error: \d+ targets? failed`, starts: true, need: "error: "},
		{src: `did not complete successfully: exit code: \d+`, need: "did not complete successfully: exit code: "},
		{src: `(returned a non-zero code: \d+|executor failed running)`, need: "executor failed running|returned a non-zero code: "},
		{src: `([a-z]+\.)+[A-Z]\w*(Exception|Error)`, need: "Error|Exception"},
		{src: `[a-z]+\.[a-z]+`, need: "."},
		{src: `\bx`, need: "x"},
		{src: `a?b*`},
	}
	for _, tt := range tests {
		m := matcherOf(tt.src)
		if (m.pre.starts != nil) != tt.starts || m.pre.exact != tt.exact {
			t.Errorf("%s: starts %v exact %v, want %v %v", tt.src, m.pre.starts != nil, m.pre.exact, tt.starts, tt.exact)
		}
		var need []string
		for _, s := range m.pre.need {
			need = append(need, string(s))
		}
		if strings.Join(need, "|") != tt.need {
			t.Errorf("%s: need %q, want %q", tt.src, need, tt.need)
		}
		if _, err := regexp.Compile(tt.src); err != nil {
			t.Fatal(err)
		}
	}
}
