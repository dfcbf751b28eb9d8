package mcpserver

import (
	"bytes"

	"github.com/destill-dev/destill/analysis"
)

// redactFinding returns f with secrets redacted from the text it copied
// from the log.
func redactFinding(red *analysis.Redactor, f analysis.Finding) analysis.Finding {
	f.Message = red.Redact(f.Message)
	f.Text = red.RedactLines(f.Text)
	f.ContextBefore = red.RedactLines(f.ContextBefore)
	f.ContextAfter = red.RedactLines(f.ContextAfter)
	return f
}

// lineRedactor cleans and redacts the lines of one log in order. It
// redacts private key blocks that span lines the way
// analysis.Redactor.RedactLines does, carrying the "inside a key" state
// from line to line, so a window that starts inside a key block is
// redacted too as long as the state it starts with is right.
type lineRedactor struct {
	r     *analysis.Redactor
	inKey bool
}

func newLineRedactor(secrets []string, inKey bool) *lineRedactor {
	return &lineRedactor{r: analysis.NewRedactor(secrets...), inKey: inKey}
}

// line returns the cleaned, redacted text of one raw log line.
func (lr *lineRedactor) line(raw []byte) string {
	text := analysis.Clean(string(raw)).Text
	was := lr.inKey
	lr.inKey = pemNext(lr.inKey, text)
	if was || lr.inKey {
		return analysis.Redacted
	}
	return lr.r.Redact(text)
}

// skip advances the key-block state past a line that is not shown.
func (lr *lineRedactor) skip(raw []byte) {
	lr.inKey = pemStep(lr.inKey, raw)
}

var (
	key    = []byte("KEY")
	dashes = []byte("-----")
)

// pemStep returns the key-block state after raw, a raw log line: whether
// the next line is inside a private key block. It cleans the line only
// when it could hold a key marker: one has "KEY" and "-----" in it, even
// with colour codes or a timestamp around the words.
func pemStep(inKey bool, raw []byte) bool {
	if !bytes.Contains(raw, key) && !bytes.Contains(raw, dashes) {
		return inKey
	}
	return pemNext(inKey, analysis.Clean(string(raw)).Text)
}

// pemNext is the key-block state after a line with cleaned text.
func pemNext(inKey bool, text string) bool {
	b := []byte(text)
	if inKey {
		return !analysis.IsKeyBlockEnd(b)
	}
	return analysis.IsKeyBlockBegin(b) && !analysis.IsKeyBlockEnd(b)
}
