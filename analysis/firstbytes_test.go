package analysis

import (
	"regexp"
	"testing"
)

func TestFirstBytes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern string
		want    string // the set, or "nil"
	}{
		{`^(\[ERROR\] )?Tests run: \d+`, "T["},
		{`^FAIL$`, "F"},
		{`(?i)^fail`, "Ff"},
		{`(?i)^k`, "Kk\x80"}, // 'k' folds to U+212A KELVIN SIGN
		{`^\s*E\s`, "\t\n\f\r E"},
		{`^[0-9]+\) `, "0123456789"},
		{`^(✖|x) `, "x\x80"},
		{`^\bgo: `, "g"},
		{`fail`, "nil"},      // not anchored
		{`^.*fail`, "nil"},   // any byte
		{`^(fail|)`, "nil"},  // the empty text matches
		{`(?m)^fail`, "nil"}, // line starts are not text starts
	}
	for _, tt := range tests {
		got := firstBytes(regexp.MustCompile(tt.pattern))
		if tt.want == "nil" {
			if got != nil {
				t.Errorf("firstBytes(%q) = %q, want nil", tt.pattern, setString(got))
			}
			continue
		}
		if got == nil {
			t.Errorf("firstBytes(%q) = nil, want %q", tt.pattern, tt.want)
			continue
		}
		want := tt.want
		if want[len(want)-1] == 0x80 { // shorthand: every byte from 0x80 up
			var b []byte
			for c := 0x80; c < 256; c++ {
				b = append(b, byte(c))
			}
			want = want[:len(want)-1] + string(b)
		}
		if s := setString(got); s != sortedBytes(want) {
			t.Errorf("firstBytes(%q) = %q, want %q", tt.pattern, s, sortedBytes(want))
		}
	}
}

func setString(set *[256]bool) string {
	var b []byte
	for c := 0; c < 256; c++ {
		if set[c] {
			b = append(b, byte(c))
		}
	}
	return string(b)
}

func sortedBytes(s string) string {
	var set [256]bool
	for i := 0; i < len(s); i++ {
		set[s[i]] = true
	}
	return setString(&set)
}

// TestFirstBytesOfRules checks every rule's first-byte set on the lines of
// the test logs: a line a rule's pattern matches must start with a byte of
// its set, with the line as each rule sees it.
func TestFirstBytesOfRules(t *testing.T) {
	t.Parallel()
	filtered, matched := 0, 0
	for i := range rules {
		if rules[i].re != nil && rules[i].re.matcher().full().first != nil {
			filtered++
		}
	}
	if filtered < len(rules)/3 {
		t.Fatalf("only %d of %d rules have a first-byte set", filtered, len(rules))
	}
	preparedTestLines(t, func(l *lineView) {
		for i := range rules {
			r := &rules[i]
			if r.re == nil || r.re.matcher().full().first == nil {
				continue
			}
			m, in := r.input(l)
			if m.re.Match(in) {
				matched++
				if len(in) > 0 && !m.first[in[0]] {
					t.Errorf("%s matches %q, whose first byte is not in its set", r.name, in)
				}
			}
		}
	})
	if matched == 0 {
		t.Fatal("no line matched a rule with a first-byte set")
	}
	t.Logf("%d of %d rules filtered; %d matches checked", filtered, len(rules), matched)
}
