package render

import (
	"bytes"
	"encoding/json"
	"testing"
)

// indentCases are JSON documents whose indentation is easy to get wrong.
var indentCases = []string{
	`{}`, `[]`, `{"a":{},"b":[],"c":[{}],"d":[[]]}`,
	`{"schema":"destill.findings/v1","findings":[{"text":["a","b"],"lines":[1,2,3]}],"notes":null}`,
	`{"q":"say \"hi\"","bs":"C:\\path\\","both":"\\\"","end\\\\":"x"}`,
	`{"u":"\u00e9\u2028 \t \\u0041","colon":"a:b,c{d}[e]","n":-1.5e-7,"t":true,"f":false}`,
	`[1,"two",[3,[4,{"five":5}]],{"":""}]`,
	`"just a string"`, `42`, `null`,
}

// compactJSON returns doc as encoding/json's Encoder writes it: compact,
// with a final newline.
func compactJSON(t testing.TB, doc []byte) []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, doc); err != nil {
		t.Fatalf("compact %q: %v", doc, err)
	}
	return append(b.Bytes(), '\n')
}

func checkIndent(t testing.TB, src []byte) {
	var want bytes.Buffer
	if err := json.Indent(&want, src, "", "  "); err != nil {
		t.Fatalf("json.Indent %q: %v", src, err)
	}
	if got := indentJSON(nil, src); !bytes.Equal(got, want.Bytes()) {
		t.Errorf("indentJSON(%q) =\n%s\nwant\n%s", src, got, want.Bytes())
	}
}

// TestIndentJSON: indentJSON writes what json.Indent writes.
func TestIndentJSON(t *testing.T) {
	for _, doc := range indentCases {
		checkIndent(t, compactJSON(t, []byte(doc)))
	}
}

// FuzzIndentJSON: on any valid JSON, compacted as encoding/json writes
// it, indentJSON writes what json.Indent writes.
func FuzzIndentJSON(f *testing.F) {
	for _, doc := range indentCases {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		if !json.Valid(doc) {
			return
		}
		checkIndent(t, compactJSON(t, doc))
	})
}
