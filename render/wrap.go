package render

import (
	"strings"

	"github.com/rivo/uniseg"

	"github.com/destill-dev/destill/analysis"
)

// CutMarker ends a line the analyzer cut at its display cap.
const CutMarker = analysis.LineCutMark

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
