package analysis

import (
	"slices"
	"sort"
)

// joinEvents makes one candidate of the adjacent candidates of one event,
// of a job: a header and the block under it ("--- FAIL: TestX" and its
// panic, "FAIL file.test.js" and its "●" block), a block and the verdict
// right after it ("npm ERR! Test failed" and "The command … exited with
// 1"), the lines of one "[error]" message.
//
// Candidates of one event touch: each starts at most one line after the
// lines before it end. Adjacent candidates of one rule that knows a shape
// are siblings (two failing tests, two compile errors) and stay apart, and
// so do the lines of an event on either side of a sibling; candidates of
// the generic vocabulary are never siblings. Candidates that occurred more
// than once join only when they repeat together (the same count, at the
// same distances), so that no count or line is lost; a finding from a test
// report (no log line) never joins. An event spans at most maxRangeLines
// lines; it is shown from its best candidate (message, fingerprint, score,
// reasons) with the lines of all of them.
//
// It sorts one job's list by line, in place, and returns it with each
// event one candidate, and whether any candidates were joined.
func joinEvents(list []scored) (out []scored, joined bool) {
	// By fingerprint first (in the order first seen), as the lists by
	// fingerprint once were, so that candidates alike in every way the
	// sort below looks at keep their order.
	slices.SortStableFunc(list, func(a, b scored) int { return int(a.key - b.key) })
	sort.Slice(list, func(a, b int) bool {
		ca, cb := list[a].c, list[b].c
		if ca.LineStart != cb.LineStart {
			return ca.LineStart < cb.LineStart
		}
		if ca.LineEnd != cb.LineEnd {
			return ca.LineEnd < cb.LineEnd
		}
		return ca.Fingerprint < cb.Fingerprint
	})
	out = list[:0]
	for i := 0; i < len(list); {
		n := eventLen(list[i:])
		if n == 1 {
			out = append(out, list[i])
		} else {
			out = append(out, joinEvent(list[i:i+n]))
			joined = true
		}
		i += n
	}
	return out, joined
}

// eventLen returns how many candidates at the start of list (sorted by
// line) are one event.
func eventLen(list []scored) int {
	first := list[0].c
	if first.LineStart < 1 {
		return 1 // not from the log (a test report)
	}
	var rules []string // rules whose candidates are siblings (see sibling)
	if sibling(first) {
		rules = append(rules, first.Rule)
	}
	end := first.LineEnd
	n := 1
	for ; n < len(list); n++ {
		c := list[n].c
		if c.LineStart > end+1 || !repeatsWith(c, first) || sibling(c) && slices.Contains(rules, c.Rule) ||
			max(end, c.LineEnd)-first.LineStart+1 > maxRangeLines {
			break
		}
		if sibling(c) {
			rules = append(rules, c.Rule)
		}
		end = max(end, c.LineEnd)
	}
	return n
}

// repeatsWith reports whether c occurred exactly as often as first, each
// time at the same distance from it: the two are one event that repeats
// (a summary printed after each of three retries), or both occurred once.
func repeatsWith(c, first *Candidate) bool {
	if c.Occurrences != first.Occurrences || len(c.Lines) != len(first.Lines) {
		return false
	}
	d := c.LineStart - first.LineStart
	for i := range c.Lines {
		if c.Lines[i]-first.Lines[i] != d {
			return false
		}
	}
	return true
}

// generic reports whether c was matched by the generic vocabulary (an
// error word, an "[error]" prefix, a warning) rather than by a rule that
// knows the shape: adjacent generic lines are not siblings but the lines
// of one message ("[error] Failed tests:", "[error] \tcom.acme.FooTest").
func generic(c *Candidate) bool {
	return c.Category == CategoryError || c.Category == CategoryWarning
}

// sibling reports whether adjacent candidates of c's rule are siblings
// (two failing tests, two compile errors) rather than the lines of one
// event: a rule that knows a shape, and not a summary or a follow-on (the
// lines of sbt's closing "[error] Failed: …" are one summary).
func sibling(c *Candidate) bool {
	return !generic(c) && c.Trailer == notTrailer
}

// joinEvent returns the candidate that shows the event of the candidates
// in list (sorted by line): its best one, over the lines of all.
func joinEvent(list []scored) scored {
	best := 0
	for i := range list {
		if list[i].score > list[best].score {
			best = i
		}
	}
	rep := list[best]
	c := *rep.c
	c.LineStart = list[0].c.LineStart
	c.ContextBefore = list[0].c.ContextBefore
	last := list[0].c
	for _, s := range list[1:] {
		if s.c.LineEnd >= last.LineEnd {
			last = s.c
		}
	}
	c.LineEnd = last.LineEnd
	c.ContextAfter = last.ContextAfter
	c.Text = make([]string, 0, c.LineEnd-c.LineStart+1)
	for _, s := range list {
		// Lines of s that the lines so far do not cover.
		from := c.LineStart + len(c.Text) - s.c.LineStart
		if from >= 0 && from < len(s.c.Text) {
			c.Text = append(c.Text, s.c.Text[from:]...)
		}
	}
	// Each repetition of the event starts where its first candidate does.
	c.Lines = list[0].c.Lines
	c.Occurrences = list[0].c.Occurrences
	rep.c = &c
	return rep
}
