package ui

import (
	"strings"
	"unicode"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/uniseg"

	"github.com/destill-dev/destill/render"
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
// characters, no escape sequences, no bidirectional overrides, valid
// UTF-8, tabs as four spaces. What enters the State is cleaned once.
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

// truncateMiddle shortens s to at most w cells by cutting its middle, so
// that both its start and its end stay: job names differ at the end
// (matrix values, shard numbers: ":hammer: build 0" and ":hammer: build
// 1" become ":ham…build 0" and ":ham…build 1", not two ":hammer: bu…").
func truncateMiddle(s string, w int) string {
	if width(s) <= w {
		return s
	}
	if w < 8 {
		return truncate(s, w)
	}
	head := (w - 1) / 3
	tail := w - 1 - head
	var gs []string
	var ws []int
	state := -1
	for rest := s; rest != ""; {
		var g string
		var cw int
		g, rest, cw, state = uniseg.FirstGraphemeClusterInString(rest, state)
		gs, ws = append(gs, g), append(ws, cw)
	}
	var b strings.Builder
	used, i := 0, 0
	for ; i < len(gs) && used+ws[i] <= head; i++ {
		b.WriteString(gs[i])
		used += ws[i]
	}
	b.WriteString("…")
	j, back := len(gs), 0
	for j > i && back+ws[j-1] <= tail {
		j--
		back += ws[j]
	}
	b.WriteString(strings.Join(gs[j:], ""))
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
// line-number gutter. With words set, rows break after a space where
// there is one (prose); otherwise anywhere (log lines, shown exactly).
func wrap(l line, w, indent int, words bool) []line {
	if w <= 0 {
		return nil
	}
	if indent >= w {
		indent = 0
	}
	type cell struct {
		g     string
		width int
		style tcell.Style
	}
	var rows [][]cell
	var cur []cell
	used := 0
	for _, sp := range l {
		text, state := sp.text, -1
		for text != "" {
			var g string
			var cw int
			g, text, cw, state = uniseg.FirstGraphemeClusterInString(text, state)
			if used+cw > w {
				var carry []cell
				if words {
					for i := len(cur) - 1; i > indent; i-- {
						if cur[i].g == " " {
							carry, cur = append([]cell(nil), cur[i+1:]...), cur[:i+1]
							break
						}
					}
				}
				rows = append(rows, cur)
				cur = make([]cell, 0, w)
				for range indent {
					cur = append(cur, cell{" ", 1, sp.style})
				}
				cur = append(cur, carry...)
				used = indent
				for _, c := range carry {
					used += c.width
				}
			}
			cur = append(cur, cell{g, cw, sp.style})
			used += cw
		}
	}
	rows = append(rows, cur)

	out := make([]line, len(rows))
	for i, r := range rows {
		var b strings.Builder
		for j, c := range r {
			if j > 0 && c.style != r[j-1].style {
				out[i] = append(out[i], span{b.String(), r[j-1].style})
				b.Reset()
			}
			b.WriteString(c.g)
		}
		if len(r) > 0 {
			out[i] = append(out[i], span{b.String(), r[len(r)-1].style})
		}
	}
	return out
}

// highlight restyles every case-insensitive match of needle in l with
// match(the span's style), splitting spans where matches start and end
// (a match across two spans is not found).
func highlight(l line, needle string, match func(tcell.Style) tcell.Style) line {
	if needle == "" {
		return l
	}
	pat := []rune(strings.ToLower(needle))
	var out line
	for _, sp := range l {
		rs := []rune(sp.text)
		start := 0
		for i := 0; i+len(pat) <= len(rs); {
			if !foldEqual(rs[i:i+len(pat)], pat) {
				i++
				continue
			}
			if i > start {
				out = append(out, span{string(rs[start:i]), sp.style})
			}
			out = append(out, span{string(rs[i : i+len(pat)]), match(sp.style)})
			i += len(pat)
			start = i
		}
		if start < len(rs) || len(rs) == 0 {
			out = append(out, span{string(rs[start:]), sp.style})
		}
	}
	return out
}

// foldEqual reports whether a, lowered, equals pat (lowered already).
func foldEqual(a, pat []rune) bool {
	for i, r := range a {
		if unicode.ToLower(r) != pat[i] {
			return false
		}
	}
	return true
}
