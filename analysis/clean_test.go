package analysis

import (
	"bytes"
	"math/rand"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		raw  string
		want string
		mark Mark
		step string
	}{
		{"plain", "hello world", "hello world", MarkNone, ""},
		{"crlf", "hello\r", "hello", MarkNone, ""},
		{"double cr", "hello\r\r", "hello", MarkNone, ""},
		{"sgr colors", "\x1b[31mERROR\x1b[0m: boom", "ERROR: boom", MarkNone, ""},
		{"maven colors", "[\x1b[1;31mERROR\x1b[m] bad", "[ERROR] bad", MarkNone, ""},
		{"erase line", "abc\x1b[K", "abc", MarkNone, ""},
		{"osc title", "\x1b]0;title\x07text", "text", MarkNone, ""},
		{"osc with st", "\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "link", MarkNone, ""},
		{"buildkite timestamp", "\x1b_bk;t=1772615523552\x07~~~ Running hook", "~~~ Running hook", MarkNone, ""},
		{"buildkite timestamp mid-line", "go test\x1b_bk;t=1772615680114\x07 ./...", "go test ./...", MarkNone, ""},
		{"buildkite timestamp without ESC", "bk;t=1772615680114\x07done", "done", MarkNone, ""},
		{"buildkite progress redraw", "\x1b_bk;t=1\x07remote: 5% (3/54)\x1b[K\x1b_bk;t=2\x07\rremote: 100% (54/54), done.\x1b[K\x1b_bk;t=3\x07\r", "remote: 100% (54/54), done.", MarkNone, ""},
		{"carriage return keeps last", "Progress 10%\rProgress 50%\rProgress 100%", "Progress 100%", MarkNone, ""},
		{"carriage return skips blank tail", "Downloading 1/2\rDone      \r   ", "Done", MarkNone, ""},
		{"github bom and timestamp", "\ufeff2026-03-04T09:24:20.4412203Z Current runner version: '2.321.0'", "Current runner version: '2.321.0'", MarkNone, ""},
		{"github group", "2026-03-04T09:24:20.4412203Z ##[group]Run go test ./...", "Run go test ./...", MarkGroupStart, ""},
		{"github endgroup", "2026-03-04T09:24:20.4412203Z ##[endgroup]", "", MarkGroupEnd, ""},
		{"github error", "2026-03-04T09:24:20.4412203Z ##[error]Process completed with exit code 1.", "Process completed with exit code 1.", MarkErrorAnnotation, ""},
		{"github error with properties", "##[error file=a.go,line=3]boom", "boom", MarkErrorAnnotation, ""},
		{"github warning", "##[warning]Node 16 is deprecated", "Node 16 is deprecated", MarkWarningAnnotation, ""},
		{"github command", "[command]/usr/bin/git version", "/usr/bin/git version", MarkCommand, ""},
		{"gh run view prefix", "build\tRun tests\t2026-04-09T06:05:52.1351398Z ##[error]boom", "boom", MarkErrorAnnotation, "Run tests"},
		{"gitlab section start", "\x1b[0Ksection_start:1772615523:prepare_executor\r\x1b[0K\x1b[0K\x1b[36;1mPreparing the \"docker\" executor\x1b[0;m", "Preparing the \"docker\" executor", MarkStepStart, ""},
		{"travis fold start with command", "travis_fold:start:install\r\x1b[0K$ bundle install --jobs=3", "$ bundle install --jobs=3", MarkStepStart, ""},
		{"travis fold start alone", "travis_fold:start:before_script\r", "before_script", MarkStepStart, ""},
		{"travis fold end", "travis_fold:end:install\r\x1b[0K", "", MarkGroupEnd, ""},
		{"travis time", "travis_time:end:0a1b2c3d:start=1,finish=2,duration=1\r\x1b[0K", "", MarkNotice, ""},
		{"azure step", "2026-03-04T09:24:20.4412203Z ##[section]Starting: Build solution", "Build solution", MarkStepStart, ""},
		{"gitlab section end", "section_end:1772615531:prepare_executor\r\x1b[0K", "", MarkGroupEnd, ""},
		{"gitlab timestamps", "2026-03-04T09:12:03.118406Z 00O $ go test ./...", "$ go test ./...", MarkNone, ""},
		{"gitlab timestamps continuation", "2026-03-04T09:12:03.118406Z 01E+more", "more", MarkNone, ""},
		{"jenkins timestamper", "[2026-03-04T09:12:03.118Z] BUILD FAILURE", "BUILD FAILURE", MarkNone, ""},
		{"jenkins clock", "[09:12:03] step two", "step two", MarkNone, ""},
		{"jenkins timestamper keeps indentation", "[2026-03-04T09:12:03.118Z]     retry_test.go:88: got 2", "    retry_test.go:88: got 2", MarkNone, ""},
		{"jenkins pipeline step", "[Pipeline] sh", "[Pipeline] sh", MarkGroupEnd, ""},
		{"jenkins pipeline block end", "[2026-03-04T09:12:03.118Z] [Pipeline] // stage", "[Pipeline] // stage", MarkGroupEnd, ""},
		{"jenkins pipeline error step", "[Pipeline] error", "[Pipeline] error", MarkGroupEnd, ""},
		{"jenkins stage start is a section", "[Pipeline] { (Test)", "[Pipeline] { (Test)", MarkNone, ""},
		{"jenkins ansicolor", "[[1;31mERROR[m] [1;31mTests run: 4, Failures: 1[m", "[ERROR] Tests run: 4, Failures: 1", MarkNone, ""},
		{"maven info is not a timestamp", "[INFO] Building x", "[INFO] Building x", MarkNone, ""},
		{"trailing spaces", "text   \t", "text", MarkNone, ""},
		{"leading indentation kept", "    at x.y(Z.java:1)", "    at x.y(Z.java:1)", MarkNone, ""},
		{"other controls dropped", "a\x00b\x08c\x1fd", "abcd", MarkNone, ""},
		{"unterminated csi", "abc\x1b[", "abc", MarkNone, ""},
		{"lone esc at end", "abc\x1b", "abc", MarkNone, ""},
		{"charset escape", "\x1b(Bplain", "plain", MarkNone, ""},
		{"tab kept", "FAIL\tpkg\t0.1s", "FAIL\tpkg\t0.1s", MarkNone, ""},
		{"caret escapes", "2026-04-22T16:11:56.9997008Z ^[[31mFAILED^[[0m tests/a.py::^[[1mtest_x^[[0m", "FAILED tests/a.py::test_x", MarkNone, ""},
		{"gcc caret escapes", "^[[01m^[[Ksrc/a.c:3:5:^[[m^[[K ^[[01;31m^[[Kerror: ^[[m^[[Kboom", "src/a.c:3:5: error: boom", MarkNone, ""},
		{"literal backslash escapes", `\e[31merror\e[0m: \x1b[1mbad\033[0m \u001b[33mw\u001b[39m`, "error: bad w", MarkNone, ""},
		{"caret escape after a marker", "##[error]^[[31mboom^[[0m", "boom", MarkErrorAnnotation, ""},
		{"caret text kept", "x ^[ y ^[[ z ^[[12 done", "x ^[ y ^[[ z ^[[12 done", MarkNone, ""},
		{"windows path kept", `C:\e[1]\x1bad\new`, `C:\e[1]\x1bad\new`, MarkNone, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Clean(tt.raw)
			if got.Text != tt.want || got.Mark != tt.mark || got.Step != tt.step {
				t.Errorf("Clean(%q) = %q mark %d step %q, want %q mark %d step %q", tt.raw, got.Text, got.Mark, got.Step, tt.want, tt.mark, tt.step)
			}
		})
	}
}

func FuzzClean(f *testing.F) {
	for _, s := range []string{
		"\x1b[31mERROR\x1b[0m", "\x1b_bk;t=1\x07x\r", "\ufeff2026-03-04T09:24:20.4412203Z ##[group]Run x",
		"section_start:1:a\r\x1b[0Kb", "a\rb\rc", "\x1b]0;t\x07", "\x1b", "\x1b[", "\x1b]", "bk;t=\x07", "[1", "2026-03-04T09:12:03.118406Z 00O x",
		"a\tb\t2026-04-09T06:05:52.1351398Z c", "\xef\xbb", "\xff\xfe",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got := Clean(raw)
		if strings.ContainsAny(got.Text, "\x1b\r\n\x07") {
			t.Errorf("Clean(%q) = %q still holds control characters", raw, got.Text)
		}
		if utf8.ValidString(raw) && len(got.Text) > len(raw) {
			t.Errorf("Clean(%q) = %q grew the line", raw, got.Text)
		}
		if !utf8.ValidString(got.Text) {
			t.Errorf("Clean(%q) = %q is not valid UTF-8", raw, got.Text)
		}
	})
}

func TestLineSplitter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		pieces []string
		max    int
		want   []string
		trunc  []bool
	}{
		{"simple", []string{"a\nb\n"}, 0, []string{"a", "b"}, []bool{false, false}},
		{"no final newline", []string{"a\nb"}, 0, []string{"a", "b"}, []bool{false, false}},
		{"empty lines", []string{"\n\n"}, 0, []string{"", ""}, []bool{false, false}},
		{"split across writes", []string{"ab", "c\nd", "e\n"}, 0, []string{"abc", "de"}, []bool{false, false}},
		{"long line truncated", []string{"abcdefgh\nxy\n"}, 4, []string{"abcd", "xy"}, []bool{true, false}},
		{"long line across writes", []string{"abc", "def", "gh\nxy"}, 4, []string{"abcd", "xy"}, []bool{true, false}},
		{"exactly max", []string{"abcd\n"}, 4, []string{"abcd"}, []bool{false}},
		{"long last line", []string{"abcdefgh"}, 4, []string{"abcd"}, []bool{true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := LineSplitter{MaxLine: tt.max}
			var got []string
			var trunc []bool
			emit := func(b []byte, tr bool) { got = append(got, string(b)); trunc = append(trunc, tr) }
			for _, p := range tt.pieces {
				s.Write([]byte(p), emit)
			}
			s.Flush(emit)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
				t.Fatalf("lines = %q, want %q", got, tt.want)
			}
			for i := range trunc {
				if trunc[i] != tt.trunc[i] {
					t.Errorf("line %d truncated = %v, want %v", i, trunc[i], tt.trunc[i])
				}
			}
		})
	}
}

func FuzzLineSplitter(f *testing.F) {
	f.Add([]byte("a\nbb\n\nccc"), uint8(2), uint8(3))
	f.Add([]byte("\n\n\n"), uint8(1), uint8(1))
	f.Add([]byte("no newline at all"), uint8(5), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8, max uint8) {
		s := LineSplitter{MaxLine: int(max)}
		var lines [][]byte
		emit := func(b []byte, tr bool) {
			if s.MaxLine > 0 && len(b) > s.MaxLine {
				t.Fatalf("line of %d bytes exceeds MaxLine %d", len(b), s.MaxLine)
			}
			lines = append(lines, append([]byte(nil), b...))
		}
		step := int(chunk)%7 + 1
		for p := data; len(p) > 0; {
			n := min(step, len(p))
			s.Write(p[:n], emit)
			p = p[n:]
		}
		s.Flush(emit)
		want := bytes.Count(data, []byte("\n"))
		if len(data) > 0 && data[len(data)-1] != '\n' {
			want++
		}
		if len(lines) != want {
			t.Fatalf("%d lines, want %d", len(lines), want)
		}
		if max == 0 && !bytes.Equal(bytes.Join(lines, []byte("\n")), bytes.TrimSuffix(data, []byte("\n"))) {
			t.Fatalf("lines do not join back into the input")
		}
	})
}

func TestNeedsSlowClean(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{"", false}, {"plain text", false}, {"tab\tseparated\tcolumns are fine", false},
		{"\x1b[31m", true}, {"progress 10%\rprogress 20%", true}, {"bell\x07", true}, {"\ufeffbom", true},
		{"fullwidth ！ is not a bom", false},
		{strings.Repeat("x", 300) + "\x1b[0m", true}, {strings.Repeat("x", 300), false},
		{strings.Repeat("abcdefg", 5) + "\r", true}, {strings.Repeat("abcdefg", 5) + "\xef\xbb\xbf", true},
	} {
		if got := needsSlowClean([]byte(tt.in)); got != tt.want {
			t.Errorf("needsSlowClean(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// timestampLenBytewise is the byte-by-byte statement of timestampLen's
// layout check, the reference for its word-at-a-time version.
func timestampLenBytewise(b []byte) bool {
	if len(b) < 20 {
		return false
	}
	for i, c := range b[:19] {
		switch i {
		case 4, 7:
			if c != '-' {
				return false
			}
		case 10:
			if c != 'T' && c != ' ' {
				return false
			}
		case 13, 16:
			if c != ':' {
				return false
			}
		default:
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	return true
}

func TestTimestampLenLayout(t *testing.T) {
	t.Parallel()
	base := []byte("2026-03-04T09:24:20.4412203Z rest")
	check := func(b []byte) {
		t.Helper()
		if got, want := timestampLen(b) > 0, timestampLenBytewise(b); got != want {
			t.Fatalf("timestampLen(%q) = %d, layout ok = %v", b, timestampLen(b), want)
		}
	}
	check(base)
	check([]byte("2026-03-04 09:24:20 rest"))
	for pos := 0; pos < 20; pos++ {
		for c := 0; c < 256; c++ {
			b := append([]byte(nil), base...)
			b[pos] = byte(c)
			check(b)
		}
	}
	rng := rand.New(rand.NewSource(1))
	for range 200_000 {
		b := append([]byte(nil), base...)
		for range 1 + rng.Intn(3) {
			b[rng.Intn(20)] = byte(rng.Intn(256))
		}
		check(b)
	}
}

// TestHasTextEscape holds hasTextEscape to its byte-by-byte statement (a
// caret's "^[[", or any intro at any caret or backslash) on texts built
// from the intros, their near misses and path-like pieces.
func TestHasTextEscape(t *testing.T) {
	t.Parallel()
	bytewise := func(b []byte) bool {
		if bytes.Contains(b, []byte("^[[")) {
			return true
		}
		for i := range b {
			if (b[i] == '^' || b[i] == '\\') && textEscapeLen(b[i:]) > 0 {
				return true
			}
		}
		return false
	}
	pieces := []string{`\`, `\\`, "^", "[", "31m", "0K", ";", "x", `C:\Users\a`, `\n`, `\t`, " "}
	for _, intro := range textEscapeIntros {
		pieces = append(pieces, string(intro), string(intro)+"[", string(intro[:len(intro)-1]))
	}
	rng := rand.New(rand.NewSource(7))
	for range 50_000 {
		var b []byte
		for k := rng.Intn(7); k > 0; k-- {
			b = append(b, pieces[rng.Intn(len(pieces))]...)
		}
		if got, want := hasTextEscape(b), bytewise(b); got != want {
			t.Fatalf("hasTextEscape(%q) = %v, want %v", b, got, want)
		}
	}
}
