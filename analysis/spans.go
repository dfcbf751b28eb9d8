package analysis

// spanState is what earlier lines say about the current one: whether it is
// inside a PEM private key block (hidden whole) or inside the script a
// GitHub "Run" step echoes (commands, not their output).
type spanState struct {
	inKey bool
	keyAt int // lines of the key block so far
	echo  int // lines left of a script echo; 0 when not in one
}

// hideKey returns text, or Redacted when the line is part of a private key
// block; scan is what the trigger set found in text. It is small enough to
// inline on the per-line path, where most lines are no part of a key.
func (s *spanState) hideKey(text []byte, scan uint8) []byte {
	if !s.inKey && scan&(scanPEM|scanTrigger) == 0 {
		return text
	}
	return s.keyLine(text, scan)
}

// keyLine is hideKey for a line that may begin, continue or end a key.
func (s *spanState) keyLine(text []byte, scan uint8) []byte {
	if s.inKey {
		if s.keyAt++; isPEMEnd(text) || s.keyAt >= maxKeyLines {
			s.inKey = false
		}
		return []byte(Redacted)
	}
	if scan&(scanPEM|scanTrigger) != 0 && isPEMBegin(text) && !isPEMEnd(text) {
		// (scan stops at the first trigger word, before a key's header)
		s.inKey, s.keyAt = true, 0
		return []byte(Redacted)
	}
	return text
}

// inEcho reports whether the current line is part of a script echo.
func (s *spanState) inEcho() bool { return s.echo > 0 }

// nextLine counts the current line out of the script echo.
func (s *spanState) nextLine() {
	if s.echo > 0 {
		s.echo--
	}
}
