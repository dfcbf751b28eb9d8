package analysis

import (
	"math/rand"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/destill-dev/destill/analysis/analysistest"
)

// TestRedactFormats runs every format of the token corpus through the
// redactor: none of its secrets may be left.
func TestRedactFormats(t *testing.T) {
	r := NewRedactor()
	for _, f := range analysistest.SecretFormats() {
		t.Run(f.Name, func(t *testing.T) {
			got := strings.Join(r.RedactLines(f.Lines), "\n")
			for _, sec := range f.Secrets {
				if strings.Contains(got, sec) {
					t.Errorf("secret %q left in:\n%s", sec, got)
				}
			}
			if !strings.Contains(got, Redacted) {
				t.Errorf("nothing redacted in:\n%s", got)
			}
		})
	}
}

// TestAnalyzerRedactsFormats checks the findings of a log holding every
// format: each excerpt is kept as a finding's text, without its secrets.
func TestAnalyzerRedactsFormats(t *testing.T) {
	log, secrets := analysistest.SecretLog()
	a := NewAnalyzer(Options{})
	writeChunks(a, []byte(log), 4096)
	res := a.Result()
	for _, f := range analysistest.SecretFormats() {
		t.Run(f.Name, func(t *testing.T) {
			var c *Candidate
			for i := range res.Candidates {
				if strings.Contains(res.Candidates[i].Message, "("+f.Name+")") {
					c = &res.Candidates[i]
				}
			}
			if c == nil {
				t.Fatalf("no finding for %s", f.Name)
			}
			if first := []byte(f.Lines[0]); isPEMBegin(first) && !isPEMEnd(first) {
				// Key blocks are replaced line by line before a finding
				// can take them in: they show as context.
				if len(c.ContextAfter) == 0 || c.ContextAfter[0] != Redacted {
					t.Errorf("context after = %q, want the key's lines redacted", c.ContextAfter)
				}
				return
			}
			if len(c.Text) != 1+len(f.Lines) {
				t.Errorf("finding covers %d lines, want the error and the %d of the excerpt:\n%s", len(c.Text), len(f.Lines), strings.Join(c.Text, "\n"))
			}
		})
	}
	all := strings.Join(candidateStrings(res), "\n")
	for _, sec := range secrets {
		if strings.Contains(all, sec) {
			t.Errorf("secret %q left in the findings", sec)
		}
	}
}

func candidateStrings(res JobResult) []string {
	var out []string
	for _, c := range res.Candidates {
		out = append(out, c.Message, c.Fingerprint)
		out = append(out, c.Text...)
		out = append(out, c.ContextBefore...)
		out = append(out, c.ContextAfter...)
	}
	for _, s := range res.Sections {
		out = append(out, s.Title)
	}
	return out
}

// TestRedactBeforeCut puts secrets across the cut of long lines (the
// 2,048 bytes a finding shows, the 200 of a section title): no part of
// them may show.
func TestRedactBeforeCut(t *testing.T) {
	token := "ghp_" + strings.Repeat("Zq7Kp2Wm9Xr4", 3) // a token format
	literal := "own-token-" + strings.Repeat("9fQ2", 6) // a secret destill was given
	pad := func(n int) string { return strings.Repeat("x", n) }
	at := func(sec string, cut int) string { // sec spans the cut, with a blank before it
		return pad(cut-len(sec)/2-1) + " " + sec + " tail"
	}
	log := strings.Join([]string{
		"##[group]Run deploy " + at(token, 200-len("Run deploy ")),
		"error: upload failed " + at(token, maxShownLineBytes-len("error: upload failed ")),
		"    " + at(literal, maxShownLineBytes-4),
		"##[endgroup]",
		"",
		"fatal: push rejected " + at(literal, maxShownLineBytes-len("fatal: push rejected ")),
		"context " + at(token, maxShownLineBytes-len("context ")),
	}, "\n") + "\n"
	a := NewAnalyzer(Options{Secrets: []string{literal}})
	a.Write([]byte(log))
	res := a.Result()
	if len(res.Candidates) != 2 || len(res.Sections) == 0 {
		t.Fatalf("want 2 findings and a section, got %d and %d", len(res.Candidates), len(res.Sections))
	}
	for _, s := range candidateStrings(res) {
		for _, sec := range []string{token, literal} {
			if strings.Contains(s, sec[:8]) {
				t.Errorf("the start of %q shows in %.80q…", sec, s[max(0, strings.Index(s, sec[:8])-20):])
			}
		}
	}
}

// TestRedactWriter streams the corpus through a RedactWriter in pieces of
// every size: it redacts as RedactLines does, keeping each line's end and
// a last line without one.
func TestRedactWriter(t *testing.T) {
	log, secrets := analysistest.SecretLog()
	log = strings.Replace(log, "\n", "\r\n", 3) + "last line " + secrets[0]
	lines := strings.Split(log, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	want := strings.Join(NewRedactor().RedactLines(lines), "\n")
	want = strings.Replace(want, "\n", "\r\n", 3)
	for _, piece := range []int{1, 7, 64, 4096, len(log)} {
		var out strings.Builder
		w := NewRedactWriter(&out)
		writeChunks(w, []byte(log), piece)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if out.String() != want {
			t.Fatalf("pieces of %d: got\n%s\nwant\n%s", piece, out.String(), want)
		}
	}
}

// TestRedactWriterLongLine puts a secret across the boundary of the
// pieces a line too long to hold is redacted in.
func TestRedactWriterLongLine(t *testing.T) {
	token := "ghp_" + strings.Repeat("Zq7Kp2Wm9Xr4", 3)
	line := strings.Repeat("x", redactStreamLine-20) + " " + token + " " + strings.Repeat("y", 3*redactStreamLine) + "\n"
	var out strings.Builder
	w := NewRedactWriter(&out)
	writeChunks(w, []byte(line), 1<<16)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), token[:8]) || !strings.Contains(out.String(), " "+Redacted+" ") {
		t.Errorf("the token across the piece boundary is not redacted whole")
	}
	if want := len(line) - len(token) + len(Redacted); out.Len() != want {
		t.Errorf("wrote %d bytes, want %d", out.Len(), want)
	}
}

// TestKeywordIndexFindsEveryKeyword compares the index with a plain search
// for each keyword, on lines built of keywords in any case, their pieces
// and filler, and holds the stream's gate to Redact: a line it lets
// through unchanged is one Redact leaves as it is.
func TestKeywordIndexFindsEveryKeyword(t *testing.T) {
	rs := rulesForRedaction()
	x := rs.index
	rng := rand.New(rand.NewSource(3))
	pieces := []string{"x", " ", "=", ":", "\t", "-", "_", ".", "ab", "Q", "3"}
	for _, w := range x.words {
		pieces = append(pieces, w, strings.ToUpper(w), w[:len(w)/2])
	}
	r := NewRedactor()
	for range 50_000 {
		var b strings.Builder
		for k := rng.Intn(12); k >= 0; k-- {
			b.WriteString(pieces[rng.Intn(len(pieces))])
		}
		line := b.String()
		want := make([]uint64, (len(rs.rules)+63)/64)
		anyWord := false
		for k, w := range x.words {
			if (strings.Contains(strings.ToLower(line), strings.ToLower(w)) || containsFold(line, w)) && !x.weak[k] {
				anyWord = true
				for _, ri := range x.rules[k] {
					want[ri/64] |= 1 << (ri % 64)
				}
			}
		}
		got := make([]uint64, len(want))
		if found := x.scan(line, got); found != anyWord || !slices.Equal(got, want) {
			t.Fatalf("scan(%q) = %v %x, want %v %x", line, found, got, anyWord, want)
		}
		if !r.mayNeedRedaction([]byte(line)) && r.Redact(line) != line {
			t.Fatalf("the gate passes %q, which Redact changes to %q", line, r.Redact(line))
		}
	}
}

// TestSecretRulesCompile compiles every pattern of the secret rules and of
// their allowlists: the rules are compiled on first use, so a pattern Go's
// regexp cannot take would otherwise fail only on a line that needs it.
func TestSecretRulesCompile(t *testing.T) {
	t.Parallel()
	rs := rulesForRedaction()
	if len(rs.rules) < 100 {
		t.Fatalf("only %d secret rules loaded", len(rs.rules))
	}
	for _, r := range rs.rules {
		if _, err := regexp.Compile(r.pattern); err != nil {
			t.Errorf("rule %s: %v", r.id, err)
		}
		for _, lists := range [][]allowlist{r.allow.lists, r.global.lists} {
			for _, a := range lists {
				for _, p := range a.patterns {
					if _, err := regexp.Compile(p); err != nil {
						t.Errorf("rule %s: allowlist pattern %q: %v", r.id, p, err)
					}
				}
			}
		}
	}
}
