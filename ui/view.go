package ui

import (
	"strconv"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
)

// wideWidth is the width from which the list and the detail pane sit side
// by side instead of one above the other: below it, each gets the whole
// width (at 160 columns the list's messages get about 100 of them).
const wideWidth = 240

// detailWidth is the detail pane's width beside the list: enough for log
// lines, the rest for the list.
func detailWidth(w int) int { return max(100, w*2/5) }

// view is the root primitive: it lays out and draws the header, the
// findings list, the detail pane, the status bar, the hints or the search
// field, and the help over them. It draws whatever its State holds.
type view struct {
	*tview.Box
	state  *State
	theme  theme
	now    func() time.Time
	title  string
	list   findingsList
	detail findingDetail
	status statusBar
	search *tview.InputField

	searching bool
	showHelp  bool
}

func newView(st *State, th theme, title string, now func() time.Time) *view {
	v := &view{Box: tview.NewBox(), state: st, theme: th, title: clean(title), now: now}
	v.search = tview.NewInputField().
		SetLabel(" / ").
		SetLabelStyle(th.key).
		SetFieldStyle(th.base.Underline(true)).
		SetPlaceholder("text to look for; Enter keeps it, Esc clears it").
		SetPlaceholderStyle(th.dim)
	return v
}

// Focus gives the search field the focus while a search is typed.
func (v *view) Focus(delegate func(p tview.Primitive)) {
	if v.searching {
		delegate(v.search)
		return
	}
	v.Box.Focus(delegate)
}

// HasFocus reports whether the view or its search field has the focus.
func (v *view) HasFocus() bool {
	return v.Box.HasFocus() || v.search.HasFocus()
}

// InputHandler passes keys to the search field while a search is typed.
// Every other key is handled by App.handleKey before it gets here.
func (v *view) InputHandler() func(event *tcell.EventKey, setFocus func(p tview.Primitive)) {
	return v.WrapInputHandler(func(event *tcell.EventKey, setFocus func(p tview.Primitive)) {
		if v.searching {
			if h := v.search.InputHandler(); h != nil {
				h(event, setFocus)
			}
		}
	})
}

// Draw draws the whole screen.
func (v *view) Draw(scr tcell.Screen) {
	x, y, w, h := v.GetRect()
	th := v.theme
	for r := 0; r < h; r++ {
		fill(scr, x, y+r, w, th.base)
	}
	if w < 20 || h < 6 {
		drawLine(scr, x, y, w, line{{"too small", th.base}})
		return
	}
	v.drawHeader(scr, x, y, w)
	bodyY, bodyH := y+1, h-3
	if w >= wideWidth {
		listW := w - detailWidth(w) - 1
		v.list.draw(scr, x, bodyY, listW, bodyH, v.state, th)
		for r := 0; r < bodyH; r++ {
			scr.Put(x+listW, bodyY+r, "│", th.dim)
		}
		v.detail.draw(scr, x+listW+1, bodyY, w-listW-1, bodyH, v.state, th)
	} else {
		listH := max(3, bodyH*2/5)
		v.list.draw(scr, x, bodyY, w, listH, v.state, th)
		v.detail.draw(scr, x, bodyY+listH, w, bodyH-listH, v.state, th)
	}
	v.status.draw(scr, x, y+h-2, w, v.state, th, v.now())
	switch {
	case v.searching:
		v.search.SetRect(x, y+h-1, w, 1)
		v.search.Draw(scr)
	case v.state.Message() != "":
		drawLine(scr, x, y+h-1, w, line{{" " + v.state.Message(), th.bold}})
	default:
		drawLine(scr, x, y+h-1, w, hintSpans(w, th))
	}
	if v.showHelp {
		v.drawHelp(scr, x, y, w, h)
	}
}

// drawHeader draws the top row: what is analyzed, and how the list is
// filtered and sorted.
func (v *view) drawHeader(scr tcell.Screen, x, y, w int) {
	st := v.state
	fill(scr, x, y, w, v.theme.bar)
	right := fmtCount(st.VisibleCount(), len(st.Report().Findings))
	right += " · " + st.Filter().String() + " · by " + st.Sort().String()
	if st.Search() != "" {
		right += " · /" + clean(st.Search())
	}
	right = truncate(right, max(w/2, w-30)) + " "
	rw := width(right)
	drawText(scr, x+w-rw, y, rw, right, v.theme.bar)
	drawLine(scr, x, y, w-rw-1, line{{" destill ", v.theme.bar.Bold(true)}, {v.title, v.theme.bar}})
}

func fmtCount(shown, total int) string {
	if shown == total {
		if total == 1 {
			return "1 finding"
		}
		return strconv.Itoa(total) + " findings"
	}
	return strconv.Itoa(shown) + " of " + strconv.Itoa(total) + " findings"
}

// drawHelp draws the key help in a box over the middle of the screen.
func (v *view) drawHelp(scr tcell.Screen, x, y, w, h int) {
	lines := helpText()
	bw := 0
	for _, l := range lines {
		bw = max(bw, width(l))
	}
	bw = min(bw+4, w-2)
	if w-bw < 8 { // no room for a margin worth having: take the whole width
		bw = w
	}
	bh := min(len(lines)+4, h-2)
	bx, by := x+(w-bw)/2, y+(h-bh)/2
	th := v.theme
	for r := 0; r < bh; r++ {
		fill(scr, bx, by+r, bw, th.base)
	}
	fill(scr, bx, by, bw, th.barFocus)
	drawLine(scr, bx, by, bw, line{{" keys · ? or Esc closes this", th.barFocus}})
	for i, l := range lines {
		if 2+i >= bh-1 {
			break
		}
		drawLine(scr, bx+2, by+2+i, bw-4, line{{l, th.base}})
	}
	fill(scr, bx, by+bh-1, bw, th.bar)
	if bw < w { // edges, so the box stands out from the screen behind it
		for r := 1; r < bh-1; r++ {
			scr.Put(bx, by+r, "│", th.dim)
			scr.Put(bx+bw-1, by+r, "│", th.dim)
		}
	}
}
