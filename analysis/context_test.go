package analysis

import (
	"reflect"
	"testing"
)

func TestWithin(t *testing.T) {
	buf := []byte("0123456789")
	other := []byte("0123456789")
	tests := []struct {
		name string
		b, p []byte
		want bool
	}{
		{"the same slice", buf, buf, true},
		{"a part of it", buf[2:5], buf, true},
		{"a part of a part", buf[3:4], buf[1:8], true},
		{"an empty part", buf[4:4], buf, true},
		{"another array, same bytes", other[2:5], buf, false},
		{"a copy", append([]byte(nil), buf[2:5]...), buf, false},
		{"nil", nil, buf, false},
		{"in nil", buf, nil, false},
	}
	for _, tt := range tests {
		if got := within(tt.b, tt.p); got != tt.want {
			t.Errorf("%s: within = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestStableInputFindsTheSame: an analyzer told its input stays (as a
// ParallelAnalyzer's workers are) keeps the lines that lie in it without
// copying, and must still copy the rest: lines joined across writes and
// lines the cleaner rewrote live in buffers it reuses. Fed in small
// writes, so that many lines are joined, it finds what an analyzer that
// copies every line finds.
func TestStableInputFindsTheSame(t *testing.T) {
	for i, data := range testLogs(t) {
		want := analyzeWith(data, nil)
		for _, size := range []int{7, 100, 4096} {
			a := NewAnalyzer(Options{})
			a.stableInput = true
			for from := 0; from < len(data); from += size {
				a.Write(data[from:min(from+size, len(data))])
			}
			if got := a.Result(); !reflect.DeepEqual(got, want) {
				t.Fatalf("log %d in writes of %d bytes: the result differs", i, size)
			}
		}
	}
}
