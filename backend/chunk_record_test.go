package backend_test

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/backend"
)

var update = flag.Bool("update", false, "rewrite testdata files")

// filled returns a T whose every exported field, nested ones included, is
// set to something other than its zero value: a record that forgets a field
// of analysis's result fails to give it back.
func filled[T any](t *testing.T) T {
	t.Helper()
	var v T
	fill(t, reflect.ValueOf(&v).Elem(), 1)
	return v
}

func fill(t *testing.T, v reflect.Value, n int) {
	t.Helper()
	switch v.Kind() {
	case reflect.String:
		v.SetString(strings.Repeat("x", n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(n))
	case reflect.Uint8:
		v.SetUint(1)
	case reflect.Float64:
		v.SetFloat(float64(n) / 8)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fill(t, s.Index(i), n+i)
		}
		v.Set(s)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(t, p.Elem(), n)
		v.Set(p)
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() && f.Tag.Get("json") != "-" {
				fill(t, v.Field(i), n+i)
			}
		}
	default:
		t.Fatalf("fill: add a case for %s", v.Type())
	}
}

func TestChunkRecordRoundTrip(t *testing.T) {
	full := filled[analysis.JobResult](t)
	tests := []struct {
		name string
		res  analysis.JobResult
	}{
		{"every field set", full},
		{"empty", analysis.JobResult{}},
		{"no candidates, empty sections", analysis.JobResult{Lines: 3, Candidates: []analysis.Candidate{}, Sections: []analysis.Section{}}},
		{"text that needs escaping", analysis.JobResult{Candidates: []analysis.Candidate{{Message: "ü \"q\" \\ <b> \x1b[31m", Text: []string{"\t"}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := backend.EncodeChunkResult(tt.res)
			if err != nil {
				t.Fatal(err)
			}
			got, err := backend.DecodeChunkResult(data)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.res) {
				t.Errorf("round trip changed the result\ngot  %+v\nwant %+v", got, tt.res)
			}
		})
	}
	t.Run("the baseline model is not stored", func(t *testing.T) {
		data, err := backend.EncodeChunkResult(analysis.JobResult{Baseline: analysis.NewBaselineBuilder().Baseline()})
		if err != nil {
			t.Fatal(err)
		}
		got, err := backend.DecodeChunkResult(data)
		if err != nil || got.Baseline != nil {
			t.Errorf("got %v, %v; want no baseline", got.Baseline, err)
		}
	})
}

// TestChunkRecordTrailers pins how records name analysis's trailer kinds:
// a line restating a failure, the runner's verdict, a summary.
func TestChunkRecordTrailers(t *testing.T) {
	a := analysis.NewAnalyzer(analysis.Options{})
	a.Write([]byte("error: cannot find module 'left-pad'\n" +
		"make: *** [Makefile:12: test] Error 2\n" +
		"[ERROR] Tests run: 3, Failures: 1, Errors: 0, Skipped: 0\n" +
		"##[error]Process completed with exit code 2.\n"))
	data, err := backend.EncodeChunkResult(a.Result())
	if err != nil {
		t.Fatal(err)
	}
	var rec backend.ChunkRecord
	if err := json.Unmarshal(data, &rec); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"make-error": backend.TrailerFollowOn, "maven-test-summary": backend.TrailerSummary, "exit-code": backend.TrailerJobFailure}
	seen := map[string]bool{}
	for _, c := range rec.Candidates {
		if c.Trailer != want[c.Rule] {
			t.Errorf("rule %s: trailer %q, want %q", c.Rule, c.Trailer, want[c.Rule])
		}
		seen[c.Rule] = true
	}
	for rule := range want {
		if !seen[rule] {
			t.Errorf("no candidate of rule %s in the fixture (found %v)", rule, seen)
		}
	}
}

// TestChunkRecordFormat keeps the stored format in testdata: a change to it
// shows there, and needs a new ChunkRecordVersion.
func TestChunkRecordFormat(t *testing.T) {
	exit := 2
	res := analysis.JobResult{
		Job:   analysis.JobSummary{ID: "job-1", Name: "test", State: "failed", ExitStatus: &exit, Failed: true},
		Lines: 2, Bytes: 61, TruncatedLines: 1, Dropped: 1,
		Candidates: []analysis.Candidate{{
			Fingerprint: "2a793ef0b698d254", Rule: "make-error", Category: analysis.CategoryExitCode, Severity: analysis.SeverityError,
			Score: 0.25, Reasons: []string{"make-error"}, Trailer: 1, Noise: true, InPassingTests: 1,
			LineStart: 2, LineEnd: 2, Message: "make: *** [Makefile:12: test] Error 2", Text: []string{"make: *** [Makefile:12: test] Error 2"},
			ContextBefore: []string{"Run make test"}, ContextAfter: []string{}, Occurrences: 1, Lines: []int{2},
			Test: &analysis.TestCase{Name: "TestMake", Classname: "make"},
		}},
		Sections: []analysis.Section{{Line: 1, Title: "Run make test", Kind: "step"}},
	}
	data, err := backend.EncodeChunkResult(res)
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	got, _ := json.MarshalIndent(doc, "", "  ")
	path := filepath.Join("testdata", fmt.Sprintf("chunk_record_v%d.json", backend.ChunkRecordVersion))
	if *update {
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./backend -run TestChunkRecordFormat -update writes it)", err)
	}
	if string(want) != string(got)+"\n" {
		t.Errorf("the stored record changed; bump ChunkRecordVersion and refresh %s with -update\ngot:\n%s", path, got)
	}
	back, err := backend.DecodeChunkResult(want)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, res) {
		t.Errorf("%s reads back as %+v, want %+v", path, back, res)
	}
}

func TestChunkRecordRefusesOtherVersions(t *testing.T) {
	// How results were stored before records: analysis.JobResult as is.
	old, err := json.Marshal(analysis.JobResult{Lines: 3, Candidates: []analysis.Candidate{{Fingerprint: "f", Trailer: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data string
		want string
	}{
		{"unversioned (before records)", string(old), "it is version 0, this destill reads version 2"},
		{"fingerprints of version 1", `{"version": 1, "candidates": [{"fingerprint": "f", "trailer": "follow-on"}]}`, "it is version 1, this destill reads version 2"},
		{"a newer version", `{"version": 3, "candidates": [{"fingerprint": "f", "trailer": "aftermath"}]}`, "it is version 3, this destill reads version 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := backend.DecodeChunkResult([]byte(tt.data))
			if !errors.Is(err, backend.ErrRecordVersion) {
				t.Fatalf("err = %v, want ErrRecordVersion", err)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "submit the build again") {
				t.Errorf("err = %q: it should say %q and what to do", err, tt.want)
			}
		})
	}
	for _, bad := range []string{`{"version": 2, "candidates": [{"fingerprint": "f", "trailer": "aftermath"}]}`, `{"version": "1"}`, `[`} {
		if _, err := backend.DecodeChunkResult([]byte(bad)); err == nil || errors.Is(err, backend.ErrRecordVersion) {
			t.Errorf("DecodeChunkResult(%s) = %v, want a decoding error", bad, err)
		}
	}
}
