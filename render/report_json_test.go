package render

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/destill-dev/destill/analysis"
)

// TestReportJSONMatchesEncodingJSON: the report's hand-written JSON is
// byte for byte what encoding/json writes (HTML escaping off) for a
// report with every field of every type set, so a field added to a
// report type and not to report_json.go fails here; for the zero report
// (nil slices and pointers: null or left out); and for a report whose
// slices are empty.
func TestReportJSONMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	full := analysis.Report{}
	fill(reflect.ValueOf(&full).Elem(), "x")
	empty := analysis.Report{Jobs: []analysis.JobSummary{}, Findings: []analysis.Finding{{Reasons: []string{}, Text: []string{},
		Lines: []int{}, Jobs: []analysis.FindingJob{}, History: &analysis.History{Flaky: []analysis.HistoryBuild{}, Jobs: []string{}}}},
		Notes: []string{}, Baseline: &analysis.BaselineInfo{Paths: []string{}}}
	tiny := full
	tiny.Findings = append([]analysis.Finding(nil), full.Findings...)
	tiny.Findings[0].Confidence = 1e-7
	tiny.Findings[1].Confidence = 3e21
	for name, rep := range map[string]analysis.Report{"every field": full, "zero": {}, "empty slices": empty, "small and large numbers": tiny} {
		want := encodingJSON(t, rep)
		got, err := appendReportJSON(nil, &rep)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
	bad := full
	bad.Findings = []analysis.Finding{{Confidence: math.NaN()}}
	if _, err := appendReportJSON(nil, &bad); err == nil {
		t.Error("a NaN confidence was written")
	}
}

// TestJSONStringMatchesEncodingJSON: strings are quoted as encoding/json
// quotes them: control bytes, quotes, invalid UTF-8, U+2028, HTML
// characters (not escaped), on fixed and random inputs.
func TestJSONStringMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	inputs := []string{"", "plain", `q"b\s`, "\x00\x01\b\f\n\r\t\x1f\x7f", "<a href='x'>&amp;</a>", "é漢字🚀", "\xff\xfe broken \xc3",
		"line\u2028sep\u2029par", "\x1b[31mred\x1b[0m", strings.Repeat("a\"", 100)}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		b := make([]byte, r.IntN(24))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		inputs = append(inputs, string(b))
	}
	for _, s := range inputs {
		want := encodingJSON(t, s)
		if got := appendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
		if !utf8.Valid(appendJSONString(nil, s)) {
			t.Errorf("%q: quoted as invalid UTF-8", s)
		}
	}
}

// encodingJSON is v's compact JSON from encoding/json, HTML escaping off.
func encodingJSON(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte{'\n'})
}

// fill sets every field of v, recursively, to a value that is not zero and
// that JSON must quote or format with care; slices get two elements.
func fill(v reflect.Value, path string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(path + " \"q\" \\ <&> \n\t\x01 é \u2028 \xff")
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(len(path)) - 3)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(len(path)) / 7)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), path+"*")
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), path+"["+string(rune('0'+i))+"]")
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), path+"."+v.Type().Field(i).Name)
			}
		}
	default:
		panic("fill: a report field of kind " + v.Kind().String() + ": teach fill and report_json.go about it")
	}
}

// TestJSONStringEveryByteInAWord: each byte value at each place of the
// first two 8-byte words of an otherwise plain string is quoted as
// encoding/json quotes it (the fast path reads eight bytes at once).
func TestJSONStringEveryByteInAWord(t *testing.T) {
	t.Parallel()
	for c := range 256 {
		for at := range 17 {
			b := []byte("abcdefghijklmnopq")
			b[at] = byte(c)
			s := string(b)
			if got, want := appendJSONString(nil, s), encodingJSON(t, s); !bytes.Equal(got, want) {
				t.Fatalf("%q: got %s, want %s", s, got, want)
			}
		}
	}
}
