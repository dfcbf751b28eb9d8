package analysis

import "encoding/binary"

// packedSections are the sections a finished job of a build keeps
// (RankedSections), written to a ShownBudget's spill: some 140 a job of
// densely failing logs, 40 bytes each, which ranking reads only at the
// end. A record is three varints: the line, as a difference from the
// section before, and the numbers of the title and the kind in the
// build's table of them (sectionWords).
type packedSections struct {
	n     int // how many
	spill *spill
	at    int64
	size  int
	words *sectionWords
}

// sectionWords numbers the distinct titles and kinds of a build's
// sections: its jobs mostly share their steps and groups.
type sectionWords struct {
	list  []string
	index map[string]uint64
}

func (w *sectionWords) number(s string) uint64 {
	if n, ok := w.index[s]; ok {
		return n
	}
	if w.index == nil {
		w.index = map[string]uint64{}
	}
	n := uint64(len(w.list))
	w.list = append(w.list, s)
	w.index[s] = n
	return n
}

// PackSections writes the sections res keeps to the budget's spill and
// drops them from memory; ranking reads them back (Rank gives the same
// findings). Call it once res has only the sections ranking reads
// (RankedSections) and the budget has kept it. It does nothing without a
// spill, once writing to it failed, or when res's sections are at their
// cap (CapNotes reads those).
func (b *ShownBudget) PackSections(res *JobResult) {
	if len(res.Sections) == 0 || len(res.Sections) >= maxSections || res.sections != nil {
		return
	}
	var data []byte
	prev := 0
	for _, s := range res.Sections {
		data = binary.AppendVarint(data, int64(s.Line-prev))
		data = binary.AppendUvarint(data, b.words.number(s.Title))
		data = binary.AppendUvarint(data, b.words.number(s.Kind))
		prev = s.Line
	}
	at, ok := b.spill.put(data)
	if !ok {
		return
	}
	res.sections = &packedSections{n: len(res.Sections), spill: &b.spill, at: at, size: len(data), words: &b.words}
	res.Sections = nil
}

// unpack returns the sections p holds, in buf (grown as needed), reading
// their records into data; nil when they could not be read (the spill's
// readErr says why).
func (p *packedSections) unpack(buf []Section, data []byte) ([]Section, []byte) {
	data, ok := p.spill.load(data, p.at, p.size)
	if !ok {
		return nil, data
	}
	secs := buf[:0]
	at, line := 0, 0
	next := func() uint64 {
		v, k := binary.Uvarint(data[at:])
		at += k // k > 0: PackSections wrote it
		return v
	}
	for range p.n {
		d, k := binary.Varint(data[at:])
		at += k
		line += int(d)
		title := p.words.list[next()]
		kind := p.words.list[next()]
		secs = append(secs, Section{Line: line, Title: title, Kind: kind})
	}
	return secs, data
}
