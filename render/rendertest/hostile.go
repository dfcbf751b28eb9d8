// Package rendertest holds hostile input for the tests of everything that
// shows a report on a terminal.
package rendertest

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/destill-dev/destill/analysis"
)

// Hostile is text a CI provider, a log or a doctored saved result may hold
// to take over the terminal that shows it: CSI and OSC escapes (clear the
// screen, write the clipboard with OSC 52, set the title), their one-byte
// C1 forms (U+009B, U+009D, and a raw 0x9B byte), BEL, bidirectional
// overrides that reorder what is shown, and tview colour tags.
const Hostile = "\x1b[2J\x1b]52;c;cm0gLXJmIH4K\x07\x1b]0;pwned\x1b\\\u009b31m\u009d8;;https://evil.example\u009c\x9b1m\a\u202eevil\u202c\u2066\u200f[red]tag[-]"

// Forbidden are the characters of Hostile that must never reach a
// terminal. (Hostile's text without them, "[2J" and "[red]tag[-]", may.)
var Forbidden = []string{"\x1b", "\x07", "\u009b", "\u009d", "\u009c", "\x9b", "\u202e", "\u202c", "\u2066", "\u200f"}

// HostileReport is a report in which every string, however deep (every
// job, finding, reason, note, URL, test case and baseline), holds Hostile
// after a marker naming the field ("JobName:", "Text[0]:"...), with one
// element in every list. Numbers are small and valid.
func HostileReport() analysis.Report {
	var rep analysis.Report
	fillHostile(reflect.ValueOf(&rep).Elem(), "")
	rep.Schema = analysis.Schema
	rep.Findings[0].Rank, rep.Findings[0].LineStart, rep.Findings[0].LineEnd = 1, 10, 10
	rep.Findings[0].Occurrences, rep.Findings[0].Lines = 2, []int{10, 20}
	rep.Findings[0].Severity = analysis.SeverityError
	rep.Summary = analysis.Summary{JobsTotal: 1, JobsFailed: 1, JobsAnalyzed: 1, Findings: 1}
	rep.Jobs[0].Analyzed, rep.Jobs[0].Failed = true, true
	return rep
}

func fillHostile(v reflect.Value, path string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(path + ":" + Hostile)
	case reflect.Struct:
		for i := range v.NumField() {
			fillHostile(v.Field(i), strings.TrimPrefix(path+"."+v.Type().Field(i).Name, "."))
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fillHostile(s.Index(0), path+"[0]")
		v.Set(s)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fillHostile(p.Elem(), path)
		v.Set(p)
	}
}

// FindForbidden returns the forbidden characters out holds, quoted, with
// what precedes them; none when out is safe for a terminal. allowed are
// sequences the renderer itself writes (its colours), removed first.
func FindForbidden(out string, allowed ...string) []string {
	for _, a := range allowed {
		out = strings.ReplaceAll(out, a, "")
	}
	var found []string
	for _, f := range Forbidden {
		if i := strings.Index(out, f); i >= 0 {
			found = append(found, fmt.Sprintf("%q after %q", f, out[max(0, i-40):i]))
		}
	}
	return found
}
