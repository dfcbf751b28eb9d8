package render

import (
	"strings"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// ShownLineCap is how many bytes of a log line a finding keeps (the
// analyzer's cap on the lines it shows): a line this long was cut there.
const ShownLineCap = 2048

// CutMarker ends a line that was cut at ShownLineCap.
const CutMarker = " …[line cut at 2 KiB]"

// MarkCut appends CutMarker to s when s is as long as ShownLineCap, so a
// reader knows the log line goes on; an incomplete character the cut left
// at the end is dropped first.
func MarkCut(s string) string {
	if len(s) < ShownLineCap {
		return s
	}
	for i := 0; i < utf8.UTFMax && len(s) > 0; i++ {
		r, size := utf8.DecodeLastRuneInString(s)
		if r != utf8.RuneError || size != 1 {
			break
		}
		s = s[:len(s)-1]
	}
	return s + CutMarker
}

// Wrap splits s into rows of at most w cells (w <= 0, or s fits: one
// row). Tabs become four spaces. With words set, a row breaks after its
// last space when that space is past the middle of the row (prose);
// otherwise anywhere, so log text is shown exactly as it was.
func Wrap(s string, w int, words bool) []string {
	s = strings.ReplaceAll(s, "\t", "    ")
	if w <= 0 || uniseg.StringWidth(s) <= w {
		return []string{s}
	}
	var rows []string
	var row strings.Builder
	used, lastSpace := 0, -1 // lastSpace: byte offset in row after a space
	state := -1
	for s != "" {
		var g string
		var cw int
		g, s, cw, state = uniseg.FirstGraphemeClusterInString(s, state)
		if used+cw > w && used > 0 {
			cur := row.String()
			carry := ""
			if words && lastSpace > 0 && uniseg.StringWidth(cur[:lastSpace]) > w/2 {
				cur, carry = cur[:lastSpace], cur[lastSpace:]
			}
			if words {
				cur = strings.TrimRight(cur, " ")
			}
			rows = append(rows, cur)
			row.Reset()
			row.WriteString(carry)
			used, lastSpace = uniseg.StringWidth(carry), -1
		}
		row.WriteString(g)
		used += cw
		if g == " " {
			lastSpace = row.Len()
		}
	}
	return append(rows, row.String())
}
