package render_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/destill-dev/destill/render"
	"github.com/destill-dev/destill/render/rendertest"
)

// sgr are the colours Text writes itself.
var sgr = []string{"\x1b[0m", "\x1b[1m", "\x1b[2m", "\x1b[31m", "\x1b[33m", "\x1b[36m"}

// TestRenderersSanitizeEveryField renders a report whose every string
// holds escape sequences, C1 controls, BEL and bidi overrides: the text
// (with and without colour) and Markdown outputs hold none of them, and
// still show the fields.
func TestRenderersSanitizeEveryField(t *testing.T) {
	t.Parallel()
	rep := rendertest.HostileReport()
	for _, tc := range []struct {
		name   string
		render func(*bytes.Buffer) error
	}{
		{"text", func(b *bytes.Buffer) error { return render.Text(b, rep, render.TextOptions{}) }},
		{"text in colour", func(b *bytes.Buffer) error { return render.Text(b, rep, render.TextOptions{Color: true}) }},
		{"text, narrow", func(b *bytes.Buffer) error { return render.Text(b, rep, render.TextOptions{Width: 30}) }},
		{"markdown", func(b *bytes.Buffer) error { return render.Markdown(b, rep, render.MarkdownOptions{}) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.render(&b); err != nil {
				t.Fatal(err)
			}
			if bad := rendertest.FindForbidden(b.String(), sgr...); len(bad) > 0 {
				t.Fatalf("control characters reach the terminal: %v\n%q", bad, b.String())
			}
			if tc.name == "text" {
				for _, field := range []string{"Source.URL:", "JobName:", "Category:", "Reasons[0]:", "Step:", "Test.Name:", "Text[0]:", "ContextBefore[0]:", "ContextAfter[0]:", "URL:", "Notes[0]:", "Baseline.Kind:"} {
					if !strings.Contains(b.String(), field+"[2J") {
						t.Errorf("%s is not shown (sanitized) in the text output", field)
					}
				}
			}
		})
	}
	if !reflect.DeepEqual(rep, rendertest.HostileReport()) {
		t.Error("rendering changed the report it was given")
	}
}

func TestSanitizeReportCleansEveryStringOfACopy(t *testing.T) {
	t.Parallel()
	rep := rendertest.HostileReport()
	clean := render.SanitizeReport(rep, render.Sanitize)
	var strs []string
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.String:
			strs = append(strs, v.String())
		case reflect.Struct:
			for i := range v.NumField() {
				walk(v.Field(i))
			}
		case reflect.Slice:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		case reflect.Pointer:
			if !v.IsNil() {
				walk(v.Elem())
			}
		}
	}
	walk(reflect.ValueOf(clean))
	if len(strs) < 40 {
		t.Fatalf("only %d strings in the hostile report", len(strs))
	}
	for _, s := range strs {
		if s == "" || s == "destill.findings/v1" || s == "error" {
			continue
		}
		if bad := rendertest.FindForbidden(s); len(bad) > 0 {
			t.Errorf("not cleaned: %q", s)
		}
	}
	if !reflect.DeepEqual(rep, rendertest.HostileReport()) {
		t.Error("SanitizeReport changed the report it was given")
	}
}
