package render

import "bytes"

// indentJSON appends src, compact JSON as encoding/json writes it (no
// space outside strings but a final newline), to dst indented by two
// spaces a level: what json.Indent(dst, src, "", "  ") writes, byte for
// byte. json.Indent runs every byte through its validating scanner, which
// took two thirds of writing a report; this one copies strings whole.
func indentJSON(dst, src []byte) []byte {
	depth := 0
	open := false // a bracket was just opened: its first element starts a line
	for i := 0; i < len(src); i++ {
		c := src[i]
		if open && c != '}' && c != ']' {
			open = false
			depth++
			dst = indentLine(dst, depth)
		}
		switch c {
		case '"':
			end := stringEnd(src, i)
			dst = append(dst, src[i:end]...)
			i = end - 1
		case '{', '[':
			dst = append(dst, c)
			open = true
		case '}', ']':
			if open {
				open = false // empty: {} or []
			} else {
				depth--
				dst = indentLine(dst, depth)
			}
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			dst = indentLine(dst, depth)
		case ':':
			dst = append(dst, ':', ' ')
		default:
			dst = append(dst, c)
		}
	}
	return dst
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
