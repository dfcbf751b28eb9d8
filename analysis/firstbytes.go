package analysis

import (
	"regexp"
	"regexp/syntax"
	"unicode"
	"unicode/utf8"
)

// firstBytes returns the bytes a match of re can start with when re is
// anchored at the start of the text (every match begins at offset 0), or
// nil when it is not or when any byte could start a match. A text whose
// first byte is not in the set cannot match, which saves running the
// matcher on most lines for most anchored rules.
func firstBytes(re *regexp.Regexp) *[256]bool {
	parsed, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return nil
	}
	prog, err := syntax.Compile(parsed.Simplify())
	if err != nil {
		return nil
	}
	return firstBytesOf(prog)
}

// firstBytesOf is firstBytes of a compiled program.
func firstBytesOf(prog *syntax.Prog) *[256]bool {
	if prog.StartCond()&syntax.EmptyBeginText == 0 {
		return nil
	}
	var set [256]bool
	seen := make([]bool, len(prog.Inst))
	stack := []uint32{uint32(prog.Start)}
	for len(stack) > 0 {
		pc := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[pc] {
			continue
		}
		seen[pc] = true
		inst := &prog.Inst[pc]
		switch inst.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			stack = append(stack, inst.Out, inst.Arg)
		case syntax.InstCapture, syntax.InstNop, syntax.InstEmptyWidth:
			// Empty-width assertions are taken as met: a larger set is safe.
			stack = append(stack, inst.Out)
		case syntax.InstMatch, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
			return nil // the empty text, or any byte, can start a match
		case syntax.InstFail:
		case syntax.InstRune, syntax.InstRune1:
			fold := syntax.Flags(inst.Arg)&syntax.FoldCase != 0
			runes := inst.Rune
			if len(runes) == 1 {
				runes = []rune{runes[0], runes[0]}
			}
			for i := 0; i+1 < len(runes); i += 2 {
				addRuneRange(&set, runes[i], runes[i+1], fold)
			}
		}
	}
	return &set
}

// addRuneRange adds to set the first bytes of the runes lo..hi (and of
// their other cases when fold is set, such as U+212A for 'k'). A range
// reaching past ASCII adds every byte from 0x80 up: lead bytes, and
// invalid bytes, which match as U+FFFD.
func addRuneRange(set *[256]bool, lo, hi rune, fold bool) {
	for r := lo; r <= hi && r < utf8.RuneSelf; r++ {
		set[r] = true
		if fold {
			for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
				addRuneRange(set, f, f, false)
			}
		}
	}
	if hi >= utf8.RuneSelf {
		for b := 0x80; b < 256; b++ {
			set[b] = true
		}
	}
}
