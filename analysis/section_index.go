package analysis

import "sort"

// sectionIndex finds the step and group that hold a line with a binary
// search over a job's sections (a log may have thousands), rather than a
// walk from the first one for each candidate.
type sectionIndex struct {
	sections []Section
	sorted   bool  // the sections are in line order (the analyzer's are)
	step     []int // step[i]: the last "step" among sections[:i+1]; -1: none
	group    []int // group[i]: the last "group" among sections[:i+1]; -1: none
}

func newSectionIndex(sections []Section) *sectionIndex {
	x := &sectionIndex{sections: sections, sorted: true}
	x.step = make([]int, len(sections))
	x.group = make([]int, len(sections))
	step, group := -1, -1
	for i, s := range sections {
		if i > 0 && s.Line < sections[i-1].Line {
			x.sorted = false
		}
		switch s.Kind {
		case "step":
			step = i
		case "group":
			group = i
		}
		x.step[i], x.group[i] = step, group
	}
	return x
}

// upTo returns how many sections, from the first, come before any with a
// line after line.
func (x *sectionIndex) upTo(line int) int {
	if x.sorted {
		return sort.Search(len(x.sections), func(i int) bool { return x.sections[i].Line > line })
	}
	for i, s := range x.sections {
		if s.Line > line {
			return i
		}
	}
	return len(x.sections)
}

// stepStart returns the first line of the step that holds line (1 when
// none does).
func (x *sectionIndex) stepStart(line int) int {
	if n := x.upTo(line); n > 0 && x.step[n-1] >= 0 {
		return x.sections[x.step[n-1]].Line
	}
	return 1
}

// stepAt returns the title of the step that holds line, or of the group
// when no step does.
func (x *sectionIndex) stepAt(line int) string {
	n := x.upTo(line)
	if n == 0 {
		return ""
	}
	if i := x.step[n-1]; i >= 0 && x.sections[i].Title != "" {
		return x.sections[i].Title
	}
	if i := x.group[n-1]; i >= 0 {
		return x.sections[i].Title
	}
	return ""
}
