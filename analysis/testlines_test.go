package analysis

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/destill-dev/destill/analysis/analysistest"
)

// testLogs returns the contents of the test logs (testdata/logs).
func testLogs(t *testing.T) [][]byte {
	t.Helper()
	paths, err := filepath.Glob("testdata/logs/*.log")
	if err != nil || len(paths) < 10 {
		t.Fatalf("test logs: %v", err)
	}
	var out [][]byte
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, data)
	}
	return out
}

// preparedTestLines calls fn with every line of the test logs, cleaned
// and prepared for classification as the analyzer prepares it.
func preparedTestLines(t *testing.T, fn func(l *lineView)) {
	t.Helper()
	var c cleaner
	ix := rulesIndexed()
	lits, dfa := make([]uint64, ix.words()), newLazyLiterals(ix.lits, ix.whole)
	for _, data := range testLogs(t) {
		for _, raw := range bytes.Split(data, []byte("\n")) {
			text, _ := c.clean(raw)
			l := &lineView{text: text}
			l.trim, l.indent = leadingSpace(text)
			l.prepare(nil, lits, dfa)
			fn(l)
		}
	}
}

// secretTestLines returns the lines of the token corpus and of the test
// logs: where the redaction tests look for secrets, found or missed.
func secretTestLines(t *testing.T) []string {
	t.Helper()
	var lines []string
	for _, f := range analysistest.SecretFormats() {
		lines = append(lines, f.Lines...)
	}
	for _, data := range testLogs(t) {
		lines = append(lines, strings.Split(string(data), "\n")...)
	}
	return lines
}
