package analysis

import (
	"fmt"
	"strings"
	"testing"
)

// direct is what showing a line costs without the memo.
func direct(r *Redactor, b []byte) string { return clipShown(r.Redact(printable(b))) }

func TestShownMemoMatchesRedactor(t *testing.T) {
	long := strings.Repeat("x", maxShownLineBytes-10) + " password=hunter22 and more"
	tests := []struct {
		name, line string
	}{
		{"plain", "ok: compiled 12 files"},
		{"empty", ""},
		{"token", "using ghp_abcdefghijklmnopqrstuvwxyz0123"},
		{"key assignment", "export API_KEY=abcdef123456"},
		{"url credentials", "cloning https://user:s3cretpass@example.com/repo.git"},
		{"literal secret", "deploying with tok-literal-secret-value"},
		{"control characters", "bell\x07 and \x1b[31mred\x1b[0m"},
		{"invalid utf-8", "bad \xff\xfe bytes"},
		{"secret across the cut", long},
		{"long plain", strings.Repeat("y", 3*maxShownLineBytes)},
	}
	r := NewRedactor("tok-literal-secret-value")
	var m shownMemo
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := direct(r, []byte(tt.line))
			for round := range 2 { // the second from the memo
				if got := m.shown(r, []byte(tt.line)); got != want {
					t.Errorf("round %d: shown = %q, want %q", round, got, want)
				}
			}
			if p := printable([]byte(tt.line)); p == tt.line {
				if got := m.shownLine(r, p); got != want {
					t.Errorf("shownLine = %q, want %q", got, want)
				}
			}
		})
	}
}

// A memo filled by one Redactor must not answer for another with other
// literal secrets: a line shown first without the secret known would
// otherwise be shown unredacted to the analyzer that knows it.
func TestShownMemoKeepsRedactorsApart(t *testing.T) {
	line := []byte("deploying with tok-literal-secret-value")
	withSecret := NewRedactor("tok-literal-secret-value")
	without := NewRedactor()
	same := NewRedactor("tok-literal-secret-value")
	var m shownMemo
	steps := []struct {
		r    *Redactor
		want string
	}{
		{without, string(line)},
		{withSecret, "deploying with " + Redacted},
		{without, string(line)},
		{same, "deploying with " + Redacted},
		{withSecret, "deploying with " + Redacted},
	}
	for i, s := range steps {
		if got := m.shown(s.r, line); got != s.want {
			t.Errorf("step %d: shown = %q, want %q", i, got, s.want)
		}
	}
}

// More lines than the memo has slots: every answer, first or remembered,
// is the line's own.
func TestShownMemoCollisions(t *testing.T) {
	r := NewRedactor()
	var m shownMemo
	n := 3 << shownMemoBits
	for round := range 3 {
		for i := range n {
			line := fmt.Appendf(nil, "line %d token=abc%06d", i, i)
			if got, want := m.shown(r, line), direct(r, line); got != want {
				t.Fatalf("round %d, line %d: shown = %q, want %q", round, i, got, want)
			}
		}
	}
}

func TestShownMemoLinesRedactKeyBlocks(t *testing.T) {
	lines := []string{
		"before",
		"-----BEGIN RSA PRIVATE KEY-----",
		"MIIEowIBAAKCAQEA",
		"-----END RSA PRIVATE KEY-----",
		"MIIEowIBAAKCAQEA",
		"after password=hunter22",
	}
	r := NewRedactor()
	var m shownMemo
	want := r.RedactLines(lines)
	for round := range 2 {
		got := m.shownLines(r, lines)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("round %d: shownLines = %q, want %q", round, got, want)
		}
	}
	// The key's line outside a block is not served from the block.
	if got := m.shownLine(r, "MIIEowIBAAKCAQEA"); got != "MIIEowIBAAKCAQEA" {
		t.Errorf("shownLine of a lone key line = %q", got)
	}
}

// A cache going back to the pool keeps no line a finished run showed, nor
// its Redactor (and so its secrets).
func TestClassCacheReleaseForgetsShownLines(t *testing.T) {
	cc := new(classCache)
	r := NewRedactor("tok-literal-secret-value")
	cc.shown.shown(r, []byte("a line the run showed"))
	cc.shown.shown(r, []byte("a long line the run showed "+strings.Repeat("x", maxMemoLine)))
	cc.release()
	for i, s := range append(cc.shown.slots, cc.shown.long...) {
		if s != (shownSlot{}) {
			t.Fatalf("slot %d still holds %q", i, s.line)
		}
	}
	if cc.shown.r != nil || cc.shown.secrets != nil {
		t.Error("the released cache still holds its Redactor")
	}
}

// Lines longer than maxMemoLine are shown as the Redactor shows them and
// kept in the memo's small table for long lines, so that its memory stays
// bounded whatever the lines: at most 32 long lines at a time.
func TestShownMemoBoundsLongLines(t *testing.T) {
	r := NewRedactor()
	var m shownMemo
	m.shown(r, []byte("a short line"))
	for i := range 200 {
		long := []byte(fmt.Sprintf("%d password=hunter22 %s", i, strings.Repeat("z", 3*maxShownLineBytes)))
		for round := range 2 { // the second from the memo, if it is still there
			if got, want := m.shown(r, long), direct(r, long); got != want {
				t.Fatalf("line %d, round %d: shown differs from the Redactor's", i, round)
			}
			if got, want := m.shownLine(r, string(long)), direct(r, long); got != want {
				t.Fatalf("line %d, round %d: shownLine differs from the Redactor's", i, round)
			}
		}
	}
	short, long := 0, 0
	for _, s := range m.slots {
		if len(s.line) > maxMemoLine {
			t.Fatalf("the table of short lines holds a line of %d bytes", len(s.line))
		}
		if s.line != "" {
			short++
		}
	}
	for _, s := range m.long {
		if s.line != "" {
			long++
		}
	}
	if short != 1 || long == 0 || long > 1<<longMemoBits {
		t.Errorf("the memo holds %d short and %d long lines, want 1 and 1 to %d", short, long, 1<<longMemoBits)
	}
}
