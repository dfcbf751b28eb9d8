package render

import (
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/destill-dev/destill/analysis"
)

// Sanitize makes text from outside (logs, API answers, saved results)
// safe to print on a terminal: invalid UTF-8 becomes U+FFFD, and control
// characters other than TAB are dropped (C0, DEL, C1 such as the one-byte
// CSI U+009B and OSC U+009D), so nothing can move the cursor, clear the
// screen, set the clipboard or the title. Bidirectional controls
// (overrides, embeddings, isolates, marks) and line separators are dropped
// too, so text cannot show in an order other than the one it has.
func Sanitize(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\t' || c == 0x7f || c >= 0x80 {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r == '\t' || !dropped(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// dropped reports whether Sanitize leaves r out.
func dropped(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0: // C0, DEL, C1
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f: // Arabic letter mark, LRM, RLM
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069: // embeddings, overrides, isolates
		return true
	case r == 0x2028, r == 0x2029: // line and paragraph separators
		return true
	}
	return false
}

// SanitizeReport returns a copy of rep with clean applied to every string
// in it, however deep: what a renderer does once, where a report reaches
// the terminal, so that no field (job, step, reason, note, URL, log line)
// is forgotten, including fields added later. rep itself is not changed.
func SanitizeReport(rep analysis.Report, clean func(string) string) analysis.Report {
	cleanValue(reflect.ValueOf(&rep).Elem(), clean)
	return rep
}

// cleanValue applies clean to the strings in v, copying the slices and
// pointers it goes through so that what v shared is not changed.
func cleanValue(v reflect.Value, clean func(string) string) {
	if !holdsStrings(v.Type()) {
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(clean(v.String()))
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Field(i); f.CanSet() {
				cleanValue(f, clean)
			}
		}
	case reflect.Slice:
		if v.IsNil() {
			return
		}
		cp := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(cp, v)
		for i := range cp.Len() {
			cleanValue(cp.Index(i), clean)
		}
		v.Set(cp)
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		cp := reflect.New(v.Type().Elem())
		cp.Elem().Set(v.Elem())
		cleanValue(cp.Elem(), clean)
		v.Set(cp)
	case reflect.Array:
		for i := range v.Len() {
			cleanValue(v.Index(i), clean)
		}
	case reflect.Map:
		if v.IsNil() {
			return
		}
		cp := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			k.Set(it.Key())
			e.Set(it.Value())
			cleanValue(k, clean)
			cleanValue(e, clean)
			cp.SetMapIndex(k, e)
		}
		v.Set(cp)
	case reflect.Interface:
		if v.IsNil() {
			return
		}
		e := reflect.New(v.Elem().Type()).Elem()
		e.Set(v.Elem())
		cleanValue(e, clean)
		v.Set(e)
	}
}

// stringTypes caches holdsStrings by type.
var stringTypes sync.Map // reflect.Type -> bool

// holdsStrings reports whether a value of type t can hold a string.
func holdsStrings(t reflect.Type) bool {
	if v, ok := stringTypes.Load(t); ok {
		return v.(bool)
	}
	v := typeHoldsStrings(t, map[reflect.Type]bool{})
	stringTypes.Store(t, v)
	return v
}

func typeHoldsStrings(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false // a type that refers to itself: its other fields decide
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.String, reflect.Interface:
		return true
	case reflect.Struct:
		for i := range t.NumField() {
			if typeHoldsStrings(t.Field(i).Type, seen) {
				return true
			}
		}
	case reflect.Slice, reflect.Pointer, reflect.Array:
		return typeHoldsStrings(t.Elem(), seen)
	case reflect.Map:
		return typeHoldsStrings(t.Key(), seen) || typeHoldsStrings(t.Elem(), seen)
	}
	return false
}

// Truncate shortens s to at most n runes, marking the cut with "…".
func Truncate(s string, n int) string {
	if n <= 0 || utf8.RuneCountInString(s) <= n {
		return s
	}
	if n == 1 {
		return "…"
	}
	i := 0
	for pos := range s {
		if i == n-1 {
			return s[:pos] + "…"
		}
		i++
	}
	return s
}
