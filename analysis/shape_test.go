package analysis

import "testing"

func TestShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		same bool
	}{
		{"took 15ms at step 13 of 19", "took 27ms at step 21 of 42", true},
		{"[ERROR] -> [Help 1]", "[ERROR] -> [Help 2]", false},
		{"took 15ms", "took 05ms", false},
		{"took 15ms", "took 150ms", false},
		{"exit code 0", "exit code 1", false},
		{"HTTP 503 from registry", "HTTP 502 from registry", false},
		{"HTTP 503 from registry", "HTTP 203 from registry", false},
		{"a long line without digits, longer than one word", "a long line without digits, longer than one word", true},
		{"a long line without digits, longer than one word", "a long line without digits, longer than one wore", false},
		{"abcdefgh", "abcdefg", false},
		{"", "", true},
		{"x", "", false},
	}
	for _, tt := range tests {
		if got := lineShape([]byte(tt.a), MarkNone, false) == lineShape([]byte(tt.b), MarkNone, false); got != tt.same {
			t.Errorf("lineShape(%q) == lineShape(%q): %v, want %v", tt.a, tt.b, got, tt.same)
		}
	}
	if lineShape([]byte("x"), MarkNone, false) == lineShape([]byte("x"), MarkErrorAnnotation, false) {
		t.Error("lineShape ignores the mark")
	}
	if lineShape([]byte("x"), MarkNone, false) == lineShape([]byte("x"), MarkNone, true) {
		t.Error("lineShape ignores echo")
	}
	if messageShape("test", []byte("took 15ms")) != messageShape("test", []byte("took 27ms")) {
		t.Error("messageShape tells numbers of one length apart")
	}
	if messageShape("test", []byte("took 15ms")) == messageShape("test", []byte("took 150ms")) {
		t.Error("messageShape merges numbers of other lengths")
	}
	if messageShape("test", []byte("x")) == messageShape("build", []byte("x")) {
		t.Error("messageShape ignores the category")
	}
}
