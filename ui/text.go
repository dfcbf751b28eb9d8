package ui

import (
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/uniseg"

	"github.com/destill-dev/destill/app/render"
)

// span is text in one style. Widgets build lines of spans and draw them;
// no text is ever parsed for markup, so log text shows as it is.
type span struct {
	text  string
	style tcell.Style
}

// line is one row of spans.
type line []span

// clean makes text from a log or a provider safe to draw: no control
// characters, no escape sequences, valid UTF-8, tabs as four spaces.
func clean(s string) string {
	return strings.ReplaceAll(render.Sanitize(s), "\t", "    ")
}

// width returns how many cells s takes.
func width(s string) int {
	return uniseg.StringWidth(s)
}

// drawText draws s at (x, y) in at most w cells and returns the cells it
// used. A wide character that does not fit is left out.
func drawText(scr tcell.Screen, x, y, w int, s string, st tcell.Style) int {
	used := 0
	state := -1
	for s != "" && used < w {
		var g string
		var cw int
		g, s, cw, state = uniseg.FirstGraphemeClusterInString(s, state)
		if cw == 0 {
			continue
		}
		if used+cw > w {
			break
		}
		scr.Put(x+used, y, g, st)
		used += cw
	}
	return used
}

// drawLine draws l at (x, y) in at most w cells, cutting it with "…" when
// it is longer, and returns the cells it used.
func drawLine(scr tcell.Screen, x, y, w int, l line) int {
	total := 0
	for _, sp := range l {
		total += width(sp.text)
	}
	cut := total > w
	room := w
	if cut {
		room = w - 1
	}
	used := 0
	var last tcell.Style
	for _, sp := range l {
		if used >= room {
			break
		}
		used += drawText(scr, x+used, y, room-used, sp.text, sp.style)
		last = sp.style
	}
	if cut && w > 0 {
		used += drawText(scr, x+used, y, 1, "…", last)
	}
	return used
}

// fill paints w cells from (x, y) with spaces in style st.
func fill(scr tcell.Screen, x, y, w int, st tcell.Style) {
	for i := 0; i < w; i++ {
		scr.Put(x+i, y, " ", st)
	}
}

// truncate shortens s to at most w cells, marking the cut with "…".
func truncate(s string, w int) string {
	if width(s) <= w {
		return s
	}
	if w <= 0 {
		return ""
	}
	var b strings.Builder
	used := 0
	state := -1
	for s != "" {
		var g string
		var cw int
		g, s, cw, state = uniseg.FirstGraphemeClusterInString(s, state)
		if used+cw > w-1 {
			break
		}
		b.WriteString(g)
		used += cw
	}
	b.WriteString("…")
	return b.String()
}

// padRight pads s with spaces to w cells (s must not be wider).
func padRight(s string, w int) string {
	if n := w - width(s); n > 0 {
		return s + strings.Repeat(" ", n)
	}
	return s
}

// padLeft pads s with spaces on the left to w cells.
func padLeft(s string, w int) string {
	if n := w - width(s); n > 0 {
		return strings.Repeat(" ", n) + s
	}
	return s
}

// wrap splits l into rows of at most w cells. Rows after the first start
// with indent cells of blank, so wrapped log lines stay clear of the
// line-number gutter.
func wrap(l line, w, indent int) []line {
	if w <= 0 {
		return nil
	}
	if indent >= w {
		indent = 0
	}
	var rows []line
	var cur line
	used := 0
	newRow := func() {
		rows = append(rows, cur)
		cur = line{{text: strings.Repeat(" ", indent)}}
		used = indent
	}
	for _, sp := range l {
		text := sp.text
		state := -1
		var b strings.Builder
		for text != "" {
			var g string
			var cw int
			g, text, cw, state = uniseg.FirstGraphemeClusterInString(text, state)
			if used+cw > w {
				if b.Len() > 0 {
					cur = append(cur, span{b.String(), sp.style})
					b.Reset()
				}
				newRow()
			}
			b.WriteString(g)
			used += cw
		}
		if b.Len() > 0 {
			cur = append(cur, span{b.String(), sp.style})
		}
	}
	rows = append(rows, cur)
	return rows
}
