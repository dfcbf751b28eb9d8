package analysis

import (
	"fmt"
	"math/rand"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// matcherOf compiles src as a rule's pattern is compiled.
func matcherOf(src string) *matcher { return re(src).matcher().full() }

// pieces returns the literals and some characters of each class of a
// pattern: texts built from them reach its matches and near misses.
func pieces(t *testing.T, src string) []string {
	t.Helper()
	parsed, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{" ", "\t", ":", "x", "X", "1", "42", "é", "\xff", "-", ".", "/", "[", "]", "=", "'", "\"", "ſ", "\u212a", "aB3", "ZZZZ"}
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
	plain := re(src)
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
		if got, want := plain.Match(text), plain.compiled().Match(text); got != want {
			t.Fatalf("%s as written on %q: prefilter and pattern say %v, pattern alone %v", src, text, got, want)
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
		// gitleaks' shapes: a keyword, then an assignment; a prefix, then a token.
		`(?i)[\w.-]{0,50}?(?:twitter)(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)[\x60'"\s=]{0,5}([a-z0-9]{8})(?:[\x60'"\s;]|\\[nr]|$)`,
		`(?i)[\w.-]{0,50}?(?:lob|sk)(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)`,
		`\b((?:hvs\.[\w-]{4,6}|s\.(?i:[a-z0-9]{4})))(?:[\x60'"\s;]|\\[nr]|$)`,
		`ghp_[0-9a-zA-Z]{6}`,
		`\b(p8e-(?i)[a-z0-9]{5})(?:[\x60'"\s;]|\\[nr]|$)`,
		`(?i)ks{1,2}=\d`,
		// patterns of the noise checks and block specs, as written
		npmScriptEcho.src, retryWords.src, retriesExhausted.src, passingTest.src, skippedTest.src, appLogRecord.src,
		compilerNote.src, diagnosticStart.src, npmBoilerplate.src, goFrameRe.src,
	}
	rng := rand.New(rand.NewSource(1))
	for _, p := range patterns {
		checkAgrees(t, p, 20_000, rng)
	}
}

// TestRulePrefiltersAgree holds every rule's prefilter to its pattern: on
// texts built from the pattern's pieces, and on every line of the test
// logs it is tried on, as the rule sees it, cut at a few places.
func TestRulePrefiltersAgree(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewSource(2))
	screened, exact := 0, 0
	for i := range rules {
		r := &rules[i]
		if r.re == nil {
			continue
		}
		checkAgrees(t, r.re.matcher().full().re.String(), 3_000, rng)
		if m := r.re.matcher(); m.start.starts != nil || m.pre.need != nil {
			screened++
			if m.start.exact {
				exact++
			}
		}
	}
	if screened < len(rules)/2 {
		t.Errorf("only %d of %d rules have a prefilter", screened, len(rules))
	}
	t.Logf("%d of %d rules screened, %d decided without their pattern", screened, len(rules), exact)

	preparedTestLines(t, func(l *lineView) {
		for i := range rules {
			r := &rules[i]
			if r.re == nil || l.try[i/64]&(1<<(i%64)) == 0 {
				continue // tried only where its literals are
			}
			m, in := r.input(l)
			for _, cut := range []int{len(in), len(in) / 2, min(len(in), 7)} {
				if got, want := m.match(in[:cut]), m.full().re.Match(in[:cut]); got != want {
					t.Fatalf("%s on %q: prefilter and pattern say %v, pattern alone %v", r.name, in[:cut], got, want)
				}
			}
		}
	})
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
		if (m.start.starts != nil) != tt.starts || m.start.exact != tt.exact {
			t.Errorf("%s: starts %v exact %v, want %v %v", tt.src, m.start.starts != nil, m.start.exact, tt.starts, tt.exact)
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

// TestPrefilterSaysNo checks the screens turn away the lines they are
// derived to turn away, and let through a match.
func TestPrefilterSaysNo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src, text string
		possible  bool
	}{
		// x+ begins with x: the texts a match begins with go on past it.
		{`^error: (could not compile|\d+ targets? failed)`, "error: unique message", false},
		{`^error: (could not compile|\d+ targets? failed)`, "error: 2 targets failed", true},
		{`^x{2,}y`, "xy", false},
		// The steps of an anchored pattern, walked from the start.
		{`^\S+?:\d+(:\d+)?: (fatal )?error:( |$)`, "error: unique message", false},
		{`^\S+?:\d+(:\d+)?: (fatal )?error:( |$)`, "src/a.c:12:3: error: x", true},
		{`^\S+?:\d+(:\d+)?: (fatal )?error:( |$)`, "see a.c: 12: error: x", false},
	}
	for _, tt := range tests {
		m := matcherOf(tt.src)
		if got, _ := m.decide([]byte(tt.text)); got != tt.possible {
			t.Errorf("%s on %q: possible %v, want %v", tt.src, tt.text, got, tt.possible)
		}
		if got := m.re.MatchString(tt.text); got && !tt.possible {
			t.Fatalf("%s matches %q: the test is wrong", tt.src, tt.text)
		}
	}
}

// TestSecretRuleFollowsAgree holds the follow check of every secret rule
// to its pattern: wherever the pattern finds a secret, the check passes,
// on texts built from the pattern's pieces, on the token corpus and on
// every line of the test logs.
func TestSecretRuleFollowsAgree(t *testing.T) {
	t.Parallel()
	rs := rulesForRedaction()
	lines := secretTestLines(t)
	rng := rand.New(rand.NewSource(3))
	checked, matched := 0, 0
	for _, r := range rs.rules {
		r.compile()
		if r.follows == nil {
			continue
		}
		checked++
		ps := pieces(t, r.pattern)
		texts := lines
		for range 2_000 {
			var b strings.Builder
			for k := rng.Intn(12); k > 0; k-- {
				b.WriteString(ps[rng.Intn(len(ps))])
			}
			texts = append(texts, b.String())
		}
		for i, text := range texts {
			if i < len(lines) && !keywordOf(rs, r, text) {
				continue // the rule runs only where a keyword of it is
			}
			if r.re.MatchString(text) {
				matched++
				if !followPossible(r.follows, text) {
					t.Fatalf("rule %s matches %q but its follow check says no", r.id, text)
				}
			}
		}
	}
	if checked < len(rs.rules)/2 || matched == 0 {
		t.Fatalf("%d of %d rules have a follow check, %d matches checked", checked, len(rs.rules), matched)
	}
	t.Logf("%d of %d secret rules have a follow check; %d matches checked", checked, len(rs.rules), matched)
}

// keywordOf reports whether line holds a keyword of rule r.
func keywordOf(rs *secretRules, r *secretRule, line string) bool {
	hit := make([]uint64, (len(rs.rules)+63)/64)
	if !rs.index.scan(line, hit) {
		return false
	}
	i := slices.Index(rs.rules, r)
	return hit[i/64]&(1<<(i%64)) != 0
}

// sample returns a random text re may match (assertions are not honoured:
// check the text with the pattern).
func sample(re *syntax.Regexp, rng *rand.Rand, b *strings.Builder) {
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 && rng.Intn(2) == 0 {
				r = unicode.SimpleFold(r)
			}
			b.WriteRune(r)
		}
	case syntax.OpCharClass:
		if len(re.Rune) == 0 {
			return
		}
		i := 2 * rng.Intn(len(re.Rune)/2)
		lo, hi := re.Rune[i], re.Rune[i+1]
		if hi-lo > 200 {
			hi = lo + 200
		}
		b.WriteRune(lo + rune(rng.Intn(int(hi-lo)+1)))
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b.WriteByte("ab =:._-"[rng.Intn(8)])
	case syntax.OpCapture:
		sample(re.Sub[0], rng, b)
	case syntax.OpConcat:
		for _, s := range re.Sub {
			sample(s, rng, b)
		}
	case syntax.OpAlternate:
		sample(re.Sub[rng.Intn(len(re.Sub))], rng, b)
	case syntax.OpQuest:
		if rng.Intn(2) == 0 {
			sample(re.Sub[0], rng, b)
		}
	case syntax.OpStar, syntax.OpPlus, syntax.OpRepeat:
		lo, hi := 0, 3
		switch re.Op {
		case syntax.OpPlus:
			lo, hi = 1, 3
		case syntax.OpRepeat:
			lo, hi = re.Min, re.Max
			if hi < 0 || hi > lo+3 {
				hi = lo + 3
			}
			if rng.Intn(3) == 0 && re.Max >= 0 {
				hi, lo = re.Max, re.Max
			}
		}
		for range lo + rng.Intn(hi-lo+1) {
			sample(re.Sub[0], rng, b)
		}
	}
}

// TestFollowsPassOnSampledMatches samples texts from every secret rule's
// pattern and from a few rule-like patterns, keeps those the pattern
// matches (in some context), and checks the follow checks pass on them.
func TestFollowsPassOnSampledMatches(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewSource(4))
	contexts := []string{"", " ", "x", "export ", "key=", "\t'", "é", "ſ", "--token "}
	var patterns []string
	for _, r := range rulesForRedaction().rules {
		patterns = append(patterns, r.pattern)
	}
	matched := 0
	for _, src := range patterns {
		re := regexp.MustCompile(src)
		raw, err := syntax.Parse(src, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		follows := followsOf(raw)
		if follows == nil {
			continue
		}
		for range 300 {
			var b strings.Builder
			b.WriteString(contexts[rng.Intn(len(contexts))])
			sample(raw, rng, &b)
			b.WriteString(contexts[rng.Intn(len(contexts))])
			text := b.String()
			if !re.MatchString(text) {
				continue
			}
			matched++
			if !followPossible(follows, text) || !followPossible(follows, []byte(text)) {
				t.Fatalf("%s matches %q but its follow check says no", src, text)
			}
		}
	}
	if matched < 10_000 {
		t.Fatalf("only %d sampled texts matched", matched)
	}
	t.Logf("%d sampled matches checked", matched)
}

// TestRulePrefiltersPassOnSampledMatches samples texts from every rule's
// pattern, as classification compiles it, and checks the prefilter agrees
// with the pattern on them.
func TestRulePrefiltersPassOnSampledMatches(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewSource(5))
	matched := 0
	for i := range rules {
		if rules[i].re == nil {
			continue
		}
		m := rules[i].re.matcher().full()
		raw, err := syntax.Parse(m.re.String(), syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		for range 200 {
			var b strings.Builder
			sample(raw, rng, &b)
			if rng.Intn(2) == 0 {
				b.WriteString(" tail")
			}
			text := []byte(b.String())
			want := m.re.Match(text)
			if got := m.match(text); got != want {
				t.Fatalf("%s on %q: prefilter and pattern say %v, pattern alone %v", rules[i].name, text, got, want)
			}
			if want {
				matched++
			}
		}
	}
	if matched < 10_000 {
		t.Fatalf("only %d sampled texts matched", matched)
	}
}

// TestMatcherDropsAScreenThatTurnsNothingAway: a matcher whose screens
// past the start let through nearly every line of its first preTrial
// skips them from then on, one whose screens turn lines away keeps them,
// and what match answers is the expression's answer throughout.
func TestMatcherDropsAScreenThatTurnsNothingAway(t *testing.T) {
	const src = `^(\[INFO\] )?Tests run: \d+, Failures: 0, Errors: 0, Skipped: \d+, Time elapsed: `
	tests := []struct {
		name     string
		line     string // %d: the line's number
		wantSkip bool
	}{
		{"every line passes", "Tests run: %d, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: 0.1 s", true},
		{"most lines are turned away", "Tests run: %d, Failures: 2, Errors: 0, Skipped: 0, Time elapsed: 0.1 s", false},
	}
	for _, tt := range tests {
		m := re(src).matcher()
		m.full()
		if m.pre.follows == nil && m.pre.fromStart == nil && m.pre.need == nil {
			t.Fatalf("%s: the pattern has no screen past its start; the test proves nothing", tt.name)
		}
		for i := range 3 * preTrial {
			line := []byte(fmt.Sprintf(tt.line, i))
			if got, want := m.match(line), m.re.Match(line); got != want {
				t.Fatalf("%s, line %d: match = %v, the expression says %v", tt.name, i, got, want)
			}
		}
		if m.skipPre.Load() != tt.wantSkip {
			t.Errorf("%s: screens skipped = %v, want %v", tt.name, m.skipPre.Load(), tt.wantSkip)
		}
	}
}

// TestFollowWalkEqualsWalkFromEachStart: the walk of a follow check from
// many starts at once says what walking from each start on its own says,
// on random lines, for the follow checks of every secret rule. The walk
// reads the line once however many starts it has; walking from each start
// read it once per start (918 times on a line of 840 KB).
func TestFollowWalkEqualsWalkFromEachStart(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewSource(9))
	alphabet := []byte("ab p-=:'\"\t_0\xc3\xa9")
	var follows []follow
	for _, r := range rulesForRedaction().rules {
		follows = append(follows, r.screen()...)
	}
	agreed, passed := 0, 0
	for range 20_000 {
		f := &follows[rng.Intn(len(follows))]
		line := make([]byte, 1+rng.Intn(60))
		for i := range line {
			line[i] = alphabet[rng.Intn(len(alphabet))]
		}
		var w followWalker
		var starts []int
		for p := range len(line) + 1 {
			if rng.Intn(4) == 0 {
				starts = append(starts, p)
				w.pos[0].add(p, p)
			}
		}
		if len(starts) == 0 {
			continue
		}
		want := walkFromEachStart(f.steps, starts, line)
		if got := followWalk(&w, f, line); got != want {
			t.Fatalf("steps of %q on %q from %v: the walk says %v, from each start %v", f.lits, line, starts, got, want)
		}
		agreed++
		if want {
			passed++
		}
	}
	if passed < 1_000 || agreed-passed < 1_000 {
		t.Fatalf("%d walks passed of %d: the test proves too little", passed, agreed)
	}
}

// walkFromEachStart is followWalk written plainly: the set of positions
// reached, step by step, each extended on its own.
func walkFromEachStart(steps []followStep, starts []int, line []byte) bool {
	n := len(line)
	at := make([]bool, n+1)
	for _, p := range starts {
		at[p] = true
	}
	for _, st := range steps {
		next := make([]bool, n+1)
		any := false
		for p := range at {
			if !at[p] {
				continue
			}
			if st.end {
				if p == n {
					next[n], any = true, true
				}
				continue
			}
			reach := 0
			for p+reach < n && (st.max < 0 || reach < st.max) {
				c := line[p+reach]
				if c >= utf8.RuneSelf && st.wide && st.max >= 0 {
					return true
				}
				if !st.class[c] {
					break
				}
				reach++
			}
			for k := st.min; k <= reach; k++ {
				next[p+k], any = true, true
			}
		}
		if !any {
			return false
		}
		at = next
	}
	return true
}
