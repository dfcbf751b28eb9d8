package render

import "bytes"

// indentJSON appends src, compact JSON as encoding/json writes it (no
// space outside strings but a final newline), to dst indented by two
// spaces a level: what json.Indent(dst, src, "", "  ") writes, byte for
// byte. json.Indent runs every byte through its validating scanner, which
// took two thirds of writing a report; this one copies strings whole.
func indentJSON(dst, src []byte) []byte {
	var in indenter
	return in.indent(dst, src)
}

// indenter is indentJSON over a document given in pieces, none of which
// ends inside a string: what it appends of each piece in turn is what
// indentJSON appends of them all at once.
type indenter struct {
	depth int
	open  bool // a bracket was just opened: its first element starts a line
}

// indent appends the next piece of the document, indented, to dst.
func (in *indenter) indent(dst, src []byte) []byte {
	for i := 0; i < len(src); i++ {
		c := src[i]
		if in.open && c != '}' && c != ']' {
			in.open = false
			in.depth++
			dst = indentLine(dst, in.depth)
		}
		switch c {
		case '"':
			end := stringEnd(src, i)
			dst = append(dst, src[i:end]...)
			i = end - 1
		case '{', '[':
			dst = append(dst, c)
			in.open = true
		case '}', ']':
			if in.open {
				in.open = false // empty: {} or []
			} else {
				in.depth--
				dst = indentLine(dst, in.depth)
			}
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			dst = indentLine(dst, in.depth)
		case ':':
			dst = append(dst, ':', ' ')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// topLevelKey returns the index just past `"key":` in src, compact JSON of
// an object, where key is one of its own keys (not one of an object inside
// it); -1 when it has none.
func topLevelKey(src []byte, key string) int {
	depth := 0
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '"':
			end := stringEnd(src, i)
			if depth == 1 && end < len(src) && src[end] == ':' && string(src[i+1:end-1]) == key {
				return end + 1
			}
			i = end - 1
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		}
	}
	return -1
}

// stringEnd returns the index just past the JSON string that starts with
// the quote at src[i] (len(src) when it does not end).
func stringEnd(src []byte, i int) int {
	for j := i + 1; ; {
		k := bytes.IndexByte(src[j:], '"')
		if k < 0 {
			return len(src)
		}
		j += k
		escapes := 0
		for b := j - 1; b > i && src[b] == '\\'; b-- {
			escapes++
		}
		if escapes%2 == 0 {
			return j + 1
		}
		j++
	}
}

// indentLine starts a new line indented depth levels.
func indentLine(dst []byte, depth int) []byte {
	dst = append(dst, '\n')
	for range depth {
		dst = append(dst, ' ', ' ')
	}
	return dst
}
