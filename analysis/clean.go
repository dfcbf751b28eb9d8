package analysis

import (
	"bytes"
	"encoding/binary"
)

// Mark tells what structural marker the cleaner found (and removed) on a line.
type Mark uint8

// Marks found by the cleaner.
const (
	MarkNone              Mark = iota
	MarkGroupStart             // GitHub ##[group], GitLab section_start
	MarkGroupEnd               // GitHub ##[endgroup], GitLab section_end
	MarkErrorAnnotation        // GitHub ##[error]
	MarkWarningAnnotation      // GitHub ##[warning]
	MarkNotice                 // GitHub ##[notice], ##[debug], ##[section]
	MarkCommand                // GitHub [command] and ##[command]
	MarkStepStart              // GitLab section_start, Travis fold start, Azure "##[section]Starting:"
)

// CleanedLine is one line as a person would see it in a terminal, with what
// the cleaner learned from the markers it removed.
type CleanedLine struct {
	Text string
	Mark Mark
	// Step is the step name from a `gh run view --log` "job<TAB>step<TAB>"
	// prefix, when the line had one.
	Step string
}

// Clean returns the visible text of one raw log line: without ANSI
// CSI/OSC/APC sequences, Buildkite timestamps, GitHub BOM, timestamp
// prefixes and ##[...] markers, GitLab section markers and timestamps, and
// with carriage-return redraws resolved to the last segment. Other control
// characters are dropped and invalid UTF-8 becomes U+FFFD.
func Clean(raw string) CleanedLine {
	var c cleaner
	text, info := c.clean([]byte(raw))
	return CleanedLine{Text: printable(text), Mark: info.mark, Step: printable(info.step)}
}

type lineInfo struct {
	mark Mark
	step []byte // gh run view step column; aliases the raw line
}

// cleaner holds the scratch buffers of Clean so the hot path allocates nothing.
type cleaner struct {
	buf  []byte
	text []byte // for stripTextEscapes, whose input may be buf
}

var bom = []byte{0xEF, 0xBB, 0xBF}

const esc = 0x1b

// clean returns the cleaned text of raw. The result aliases raw or one of the
// cleaner's buffers and is valid until the next call.
func (c *cleaner) clean(raw []byte) ([]byte, lineInfo) {
	raw = trimCR(raw)
	return c.cleanTrimmed(raw, needsSlowClean(raw))
}

// trimCR removes the line ending's carriage returns.
func trimCR(raw []byte) []byte {
	for len(raw) > 0 && raw[len(raw)-1] == '\r' {
		raw = raw[:len(raw)-1]
	}
	return raw
}

// cleanTrimmed cleans a line whose ending is already trimmed; slow says
// whether it holds bytes that need the slow path (see needsSlowClean).
func (c *cleaner) cleanTrimmed(raw []byte, slow bool) ([]byte, lineInfo) {
	var info lineInfo
	text := raw
	if slow {
		text = c.stripControls(raw)
		if bytes.IndexByte(text, '\r') >= 0 {
			var mark Mark
			text, mark = resolveCarriageReturns(text)
			info.mark = mark
		} else if m, rest, ok := gitlabSection(text); ok {
			info.mark, text = m, rest
		}
	}
	text, info.step = stripPrefixes(text)
	if hasTextEscape(text) {
		text = c.stripTextEscapes(text)
	}
	if info.mark == MarkNone && len(text) > 0 {
		switch text[0] {
		case '#', '[':
			info.mark, text = githubMarker(text)
			if info.mark == MarkNone {
				info.mark = jenkinsMarker(text)
			}
		case 's', 't': // a marker whose '\r' was the line ending
			if m, rest, ok := gitlabSection(text); ok {
				info.mark, text = m, rest
			}
		}
	}
	return trimRightSpace(text), info
}

// Escape sequences written out as text: by `gh run view --log` and
// terminals' copy (caret notation, "^[[31m") and by scripts that print an
// escape without interpreting it ("\e[31m", "\x1b[31m", "\033[31m",
// "\u001b[31m").
var textEscapeIntros = [...][]byte{[]byte("^["), []byte(`\e`), []byte(`\x1b`), []byte(`\033`), []byte(`\u001b`), []byte(`\x1B`), []byte(`\E`)}

// hasTextEscape reports whether b may hold an escape sequence written out
// as text; most lines have neither a caret nor a backslash, and a
// backslash is looked at only where IndexByte finds one and the byte
// after it can begin an intro (a Windows path's or a JSON string's
// backslashes mostly cannot).
func hasTextEscape(b []byte) bool {
	if bytes.IndexByte(b, '^') >= 0 && bytes.Contains(b, []byte("^[[")) {
		return true
	}
	for off := 0; ; {
		i := bytes.IndexByte(b[off:], '\\')
		if i < 0 {
			return false
		}
		i += off
		if i+2 < len(b) && escapeIntroSecond[b[i+1]] && textEscapeLen(b[i:]) > 0 {
			return true
		}
		off = i + 1
	}
}

// escapeIntroSecond holds the bytes that follow the backslash of a
// textEscapeIntros intro.
var escapeIntroSecond = func() (t [256]bool) {
	for _, intro := range textEscapeIntros {
		if intro[0] == '\\' {
			t[intro[1]] = true
		}
	}
	return t
}()

// textEscapeLen returns the length of the textual CSI sequence ("^[[1;31m",
// "\e[0K") at the start of b, or 0.
func textEscapeLen(b []byte) int {
	for _, intro := range textEscapeIntros {
		if !bytes.HasPrefix(b, intro) || len(b) <= len(intro) || b[len(intro)] != '[' {
			continue
		}
		i := len(intro) + 1
		for i < len(b) && (b[i] >= '0' && b[i] <= '9' || b[i] == ';' || b[i] == '?') {
			i++
		}
		if i < len(b) && (b[i] >= 'A' && b[i] <= 'Z' || b[i] >= 'a' && b[i] <= 'z') {
			return i + 1
		}
		return 0
	}
	return 0
}

// stripTextEscapes removes escape sequences written out as text.
func (c *cleaner) stripTextEscapes(b []byte) []byte {
	out := c.text[:0]
	for i := 0; i < len(b); {
		if b[i] == '^' || b[i] == '\\' {
			if n := textEscapeLen(b[i:]); n > 0 {
				i += n
				continue
			}
		}
		out = append(out, b[i])
		i++
	}
	c.text = out
	return out
}

func needsSlowClean(b []byte) bool {
	// Four IndexByte calls (vectorized) beat a single byte loop, even on
	// short lines (measured).
	if bytes.IndexByte(b, esc) >= 0 || bytes.IndexByte(b, '\r') >= 0 || bytes.IndexByte(b, 0x07) >= 0 {
		return true
	}
	return bytes.IndexByte(b, 0xEF) >= 0 && bytes.Contains(b, bom)
}

// stripControls removes escape sequences, BOMs and control characters other
// than TAB and CR.
func (c *cleaner) stripControls(raw []byte) []byte {
	out := c.buf[:0]
	for i := 0; i < len(raw); {
		b := raw[i]
		switch {
		case b == esc:
			i = skipEscape(raw, i)
		case b == 0x07:
			out = trimBuildkiteTimestamp(out)
			i++
		case b == 0xEF && i+2 < len(raw) && raw[i+1] == 0xBB && raw[i+2] == 0xBF:
			i += 3
		case b < 0x20 && b != '\t' && b != '\r', b == 0x7f:
			i++
		default:
			// Copy the run up to the next byte that needs attention.
			j := i + 1
			for j < len(raw) {
				if j+8 <= len(raw) && !anyControl(binary.LittleEndian.Uint64(raw[j:])) {
					j += 8
					continue
				}
				d := raw[j]
				if d < 0x20 && d != '\t' || d == 0x7f || d == 0xEF {
					break
				}
				j++
			}
			out = append(out, raw[i:j]...)
			i = j
		}
	}
	c.buf = out
	return out
}

// skipEscape returns the index after the escape sequence that starts at i.
func skipEscape(b []byte, i int) int {
	i++ // ESC
	if i >= len(b) {
		return i
	}
	switch intro := b[i]; {
	case intro == '[': // CSI: parameters, intermediates, one final byte
		i++
		for i < len(b) && b[i] >= 0x20 && b[i] <= 0x3F {
			i++
		}
		if i < len(b) && b[i] >= 0x40 && b[i] <= 0x7E {
			i++
		}
		return i
	case intro == ']' || intro == '_' || intro == 'P' || intro == '^' || intro == 'X':
		// OSC, APC (Buildkite timestamps), DCS, PM, SOS: up to BEL or ST.
		for i++; i < len(b); i++ {
			if b[i] == 0x07 {
				return i + 1
			}
			if b[i] == esc {
				if i+1 < len(b) && b[i+1] == '\\' {
					return i + 2
				}
				return i // an unterminated string: let the next ESC start over
			}
		}
		return i
	case intro >= 0x20 && intro <= 0x2F: // nF: intermediates then a final byte
		for i < len(b) && b[i] >= 0x20 && b[i] <= 0x2F {
			i++
		}
		if i < len(b) {
			i++
		}
		return i
	default: // two-byte sequences such as ESC = or ESC 7
		return i + 1
	}
}

// trimBuildkiteTimestamp removes a trailing "bk;t=<digits>" (a Buildkite
// timestamp whose ESC _ was lost) from out, which a BEL just ended.
func trimBuildkiteTimestamp(out []byte) []byte {
	j := len(out)
	for j > 0 && out[j-1] >= '0' && out[j-1] <= '9' {
		j--
	}
	if j < len(out) && bytes.HasSuffix(out[:j], []byte("bk;t=")) {
		out = out[:j-len("bk;t=")]
		if n := len(out); n > 0 && out[n-1] == '_' {
			out = out[:n-1]
		}
	}
	return out
}

// resolveCarriageReturns keeps what a terminal would show of a line with
// '\r' redraws: the last segment with visible text. GitLab section markers
// (which sit before a '\r') become marks.
func resolveCarriageReturns(b []byte) ([]byte, Mark) {
	mark := MarkNone
	if m, _, ok := gitlabSection(b); ok {
		mark = m
		b = b[bytes.IndexByte(b, '\r')+1:]
	}
	for len(b) > 0 {
		i := bytes.LastIndexByte(b, '\r')
		if i < 0 {
			return b, mark
		}
		seg := b[i+1:]
		if len(bytes.TrimSpace(seg)) > 0 {
			if m, rest, ok := gitlabSection(seg); ok && mark == MarkNone {
				return rest, m
			}
			return seg, mark
		}
		b = b[:i]
	}
	return b, mark
}

var (
	sectionStart = []byte("section_start:")
	sectionEnd   = []byte("section_end:")
)

var (
	travisFoldStart = []byte("travis_fold:start:")
	travisFoldEnd   = []byte("travis_fold:end:")
	travisTime      = []byte("travis_time:")
)

// gitlabSection recognizes the section markers GitLab and Travis CI put
// before a '\r' ("section_start:<ts>:<name>[opts]", "section_end:<ts>:<name>",
// "travis_fold:start:<name>", "travis_time:end:<id>:...") at the start of b
// and returns what follows the marker's '\r', if anything. A Travis fold
// with nothing after it is titled by its name.
func gitlabSection(b []byte) (Mark, []byte, bool) {
	var mark Mark
	var name []byte
	switch {
	case bytes.HasPrefix(b, sectionStart):
		mark = MarkStepStart
	case bytes.HasPrefix(b, sectionEnd):
		mark = MarkGroupEnd
	case bytes.HasPrefix(b, travisFoldStart):
		mark, name = MarkStepStart, b[len(travisFoldStart):]
	case bytes.HasPrefix(b, travisFoldEnd):
		mark = MarkGroupEnd
	case bytes.HasPrefix(b, travisTime):
		mark = MarkNotice
	default:
		return MarkNone, b, false
	}
	rest := []byte(nil)
	if i := bytes.IndexByte(b, '\r'); i >= 0 {
		rest = b[i+1:]
		if name != nil {
			name = name[:bytes.IndexByte(name, '\r')]
		}
	}
	if name != nil && len(bytes.TrimSpace(rest)) == 0 {
		return mark, name, true
	}
	if mark == MarkNotice && bytes.HasPrefix(b, []byte("travis_time:start:")) && bytes.HasPrefix(bytes.TrimSpace(rest), []byte("$ ")) {
		mark = MarkStepStart // Travis times each command it runs: a step of the script
	}
	return mark, rest, true
}

// stripPrefixes removes the `gh run view` job/step columns and a leading
// timestamp (GitHub's 7-digit RFC 3339, GitLab's with its stream field,
// Jenkins timestamper's bracketed one).
func stripPrefixes(b []byte) ([]byte, []byte) {
	var step []byte
	if len(b) > 0 && (b[0] < '0' || b[0] > '9') && b[0] != '[' && b[0] != ' ' && b[0] != '\t' {
		if t1 := bytes.IndexByte(b[:min(len(b), 200)], '\t'); t1 > 0 {
			if t2 := bytes.IndexByte(b[t1+1:], '\t'); t2 >= 0 {
				rest := b[t1+1+t2+1:]
				if n := timestampLen(rest); n > 0 {
					step = b[t1+1 : t1+1+t2]
					b = rest
				}
			}
		}
	}
	if len(b) > 0 && digit(b[0]) {
		b = stripTimestamp(b)
	} else if len(b) > 2 && b[0] == '[' && b[1] >= '0' && b[1] <= '9' {
		if i := bytes.IndexByte(b, ']'); i > 0 && i < 40 && (timestampLen(b[1:i]) == i-1 || isClock(b[1:i])) {
			b = bytes.TrimPrefix(b[i+1:], []byte(" ")) // one space: indentation is content
		}
	}
	return b, step
}

// stripTimestamp removes a leading RFC 3339 timestamp and the space after
// it: GitHub's (7 fractional digits) and GitLab's (6, then a stream field).
func stripTimestamp(b []byte) []byte {
	n := timestampLen(b)
	switch {
	case n == 0:
		return b
	case n == len(b):
		return b[n:]
	case b[n] != ' ':
		return b
	}
	frac := 0
	if b[19] == '.' || b[19] == ',' {
		end := n - 1 // the 'Z'
		if b[end] != 'Z' {
			end = n - 6 // an offset, "+02:00"
		}
		frac = end - 20
	}
	b = b[n+1:]
	if frac == 6 && len(b) >= 4 && isHex(b[0]) && isHex(b[1]) && (b[2] == 'O' || b[2] == 'E') && (b[3] == ' ' || b[3] == '+') {
		b = b[4:] // GitLab FF_TIMESTAMPS stream and continuation field
	}
	return b
}

// timestampLen returns the length of an RFC 3339 timestamp at the start of
// b ("2026-03-04T09:24:20.4412203Z", or with an offset), or 0.
func timestampLen(b []byte) int {
	if len(b) < 20 {
		return 0
	}
	// "2026-03-04T09:24:20": digits and separators checked 8 bytes at a time.
	w0, w1 := binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:])
	w2 := uint64(binary.LittleEndian.Uint32(b[16:]))
	const (
		sep0 = 0xff<<32 | 0xff<<56              // '-' at 4 and 7
		sep1 = 0xff << 40                       // ':' at 13
		sep2 = 0xff                             // ':' at 16
		dig0 = 0xffffffff | 0xffff<<40          // 0-3, 5-6
		dig1 = 0xffff | 0xffff<<24 | 0xffff<<48 // 8-9, 11-12, 14-15
		dig2 = 0xffff << 8                      // 17-18
	)
	if w0&sep0 != '-'<<32|'-'<<56 || w1&sep1 != ':'<<40 || w2&sep2 != ':' || b[10] != 'T' && b[10] != ' ' ||
		!digits(w0, dig0) || !digits(w1, dig1) || !digits(w2, dig2) {
		return 0
	}
	n := 19
	if b[n] == '.' || b[n] == ',' {
		n += 1 + digitRun(b[n+1:])
	}
	switch {
	case n < len(b) && b[n] == 'Z':
		return n + 1
	case n+6 <= len(b) && (b[n] == '+' || b[n] == '-') && b[n+3] == ':':
		return n + 6
	}
	return n
}

func digit(c byte) bool { return c-'0' < 10 }

// isClock reports whether b is "HH:MM:SS" with an optional fraction.
func isClock(b []byte) bool {
	if len(b) < 8 || b[2] != ':' || b[5] != ':' {
		return false
	}
	for _, i := range [...]int{0, 1, 3, 4, 6, 7} {
		if b[i] < '0' || b[i] > '9' {
			return false
		}
	}
	return len(b) == 8 || b[8] == '.'
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f'
}

// githubMarker removes a leading "##[tag]" or "[command]" and says what it was.
func githubMarker(b []byte) (Mark, []byte) {
	if bytes.HasPrefix(b, []byte("[command]")) {
		return MarkCommand, b[len("[command]"):]
	}
	if !bytes.HasPrefix(b, []byte("##[")) {
		return MarkNone, b
	}
	end := bytes.IndexByte(b, ']')
	if end < 0 {
		return MarkNone, b
	}
	tag, rest := b[3:end], b[end+1:]
	if i := bytes.IndexByte(tag, ' '); i >= 0 { // "##[error file=x,line=1]"
		tag = tag[:i]
	}
	switch string(tag) {
	case "group":
		return MarkGroupStart, rest
	case "endgroup":
		return MarkGroupEnd, rest
	case "error":
		return MarkErrorAnnotation, rest
	case "warning":
		return MarkWarningAnnotation, rest
	case "section":
		if bytes.HasPrefix(rest, []byte("Starting: ")) { // Azure Pipelines step
			return MarkStepStart, rest[len("Starting: "):]
		}
		return MarkNotice, rest
	case "notice", "debug":
		return MarkNotice, rest
	case "command":
		return MarkCommand, rest
	}
	return MarkNone, b
}

func trimRightSpace(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}
