package render

import (
	"fmt"
	"strings"
)

// LineList lists line numbers separated by ", ": at most n of them, then
// how many more there are.
func LineList(lines []int, n int) string {
	var parts []string
	for i, l := range lines {
		if i == n {
			parts = append(parts, fmt.Sprintf("… (%d more)", len(lines)-n))
			break
		}
		parts = append(parts, fmt.Sprint(l))
	}
	return strings.Join(parts, ", ")
}
