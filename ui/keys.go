package ui

import (
	"fmt"
	"strings"

	"github.com/gdamore/tcell/v2"
)

// key is one key: a special key, or a rune when k is tcell.KeyRune.
type key struct {
	k tcell.Key
	r rune
}

func special(k tcell.Key) key { return key{k: k} }
func char(r rune) key         { return key{k: tcell.KeyRune, r: r} }

// binding ties keys to what they do. The table below is the only place
// keys are defined: handleKey dispatches on it, and the help screen and
// the hints in the status bar are generated from it.
type binding struct {
	keys []key
	// name is how the help shows the keys; hint, when set, is the word the
	// status bar shows after hintKeys (default: the first word of name).
	name     string
	hint     string
	hintKeys string
	help     string
	run      func(a *App)
}

// bindings is the key table, in the order the help lists it.
var bindings = []binding{
	{keys: []key{special(tcell.KeyUp), char('k')}, name: "↑ k", help: "previous finding (in the detail pane: scroll up)", run: (*App).up},
	{keys: []key{special(tcell.KeyDown), char('j')}, name: "↓ j", hint: "move", hintKeys: "↑↓", help: "next finding (in the detail pane: scroll down)", run: (*App).down},
	{keys: []key{special(tcell.KeyPgUp)}, name: "PgUp", help: "a page up", run: (*App).pageUp},
	{keys: []key{special(tcell.KeyPgDn)}, name: "PgDn", help: "a page down", run: (*App).pageDown},
	{keys: []key{special(tcell.KeyHome), char('g')}, name: "g Home", help: "first finding (in the detail pane: top)", run: (*App).first},
	{keys: []key{special(tcell.KeyEnd), char('G')}, name: "G End", help: "last finding (in the detail pane: bottom)", run: (*App).last},
	{keys: []key{special(tcell.KeyEnter)}, name: "Enter", hint: "read", help: "read the selected finding: focus the detail pane", run: (*App).focusDetail},
	{keys: []key{special(tcell.KeyTab), special(tcell.KeyBacktab)}, name: "Tab", hint: "pane", help: "switch between the list and the detail pane", run: (*App).switchPane},
	{keys: []key{char('/')}, name: "/", hint: "search", help: "search: show findings containing text, highlighted (Esc clears it)", run: (*App).startSearch},
	{keys: []key{char('f')}, name: "f", hint: "filter", help: "filter: all findings, failed jobs only, errors only", run: (*App).cycleFilter},
	{keys: []key{char('s')}, name: "s", hint: "sort", help: "sort by confidence, log order or job", run: (*App).cycleSort},
	{keys: []key{char('c')}, name: "c", hint: "copy", help: "copy the finding's lines to the clipboard (OSC 52)", run: (*App).copyFinding},
	{keys: []key{char('o')}, name: "o", hint: "url", help: "show the job's web URL, and open it in a browser when one is set up", run: (*App).openURL},
	{keys: []key{char('l')}, name: "l", hint: "log", help: "open the raw log at the finding's line in $PAGER (less)", run: (*App).openLog},
	{keys: []key{special(tcell.KeyEscape)}, name: "Esc", help: "clear the search, then the filter, then leave the detail pane", run: (*App).escape},
	{keys: []key{char('?')}, name: "?", hint: "help", help: "show or hide this help", run: (*App).toggleHelp},
	{keys: []key{char('q'), special(tcell.KeyCtrlC)}, name: "q ^C", hint: "quit", help: "quit (the top findings stay printed in the terminal)", run: (*App).requestQuit},
}

// lookup returns the binding for ev, or nil.
func lookup(ev *tcell.EventKey) *binding {
	k := key{k: ev.Key()}
	if k.k == tcell.KeyRune {
		k.r = ev.Rune()
	}
	for i := range bindings {
		for _, bk := range bindings[i].keys {
			if bk == k {
				return &bindings[i]
			}
		}
	}
	return nil
}

// helpText is the help screen: one line per binding.
func helpText() []string {
	w := 0
	for _, b := range bindings {
		w = max(w, width(b.name))
	}
	lines := make([]string, len(bindings))
	for i, b := range bindings {
		lines[i] = fmt.Sprintf("%s  %s", padRight(b.name, w), b.help)
	}
	return lines
}

// hintSpans are the key hints of the status bar, as many as fit in w
// cells: quit and help first, then the rest in table order.
func hintSpans(w int, th theme) line {
	var hints []binding
	for _, b := range bindings {
		if b.hint == "quit" || b.hint == "help" {
			hints = append(hints, b)
		}
	}
	for _, b := range bindings {
		if b.hint != "" && b.hint != "quit" && b.hint != "help" {
			hints = append(hints, b)
		}
	}
	var l line
	used := 0
	for _, b := range hints {
		k := b.hintKeys
		if k == "" {
			k = strings.Fields(b.name)[0]
		}
		n := 1 + width(k) + 1 + width(b.hint) + 1
		if used+n > w {
			break
		}
		l = append(l, span{" " + k, th.key}, span{" " + b.hint + " ", th.dim})
		used += n
	}
	return l
}
