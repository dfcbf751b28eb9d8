package analysistest

import (
	"fmt"
	"strings"
)

// DistinctErrorsLog is a Buildkite job that reports n distinct error
// messages, each on two lines in a row (an import that tries every record
// twice), then fails: a flood over the analysis's per-job cap of distinct
// messages. The messages differ in words, not numbers, so no two share a
// template.
func DistinctErrorsLog(n int) []byte {
	word := func(i int) string {
		var b [3]byte
		for k := range b {
			b[k] = byte('a' + i%26)
			i /= 26
		}
		return string(b[:])
	}
	var b strings.Builder
	b.WriteString("~~~ :floppy_disk: import fixtures\n$ ./bin/import --strict fixtures/\n")
	for i := 0; i < n; i++ {
		for try := 0; try < 2; try++ {
			fmt.Fprintf(&b, "ERROR: cannot import record %s-%s-%s: checksum mismatch\n", word(i), word(i/17576+7), word(i*7+3))
		}
	}
	b.WriteString("import: rejected every record\n🚨 Error: The command exited with status 1\n")
	return []byte(b.String())
}
