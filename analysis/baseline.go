package analysis

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// Baseline is a compact model of one or more passing logs of the same job:
// the templates of their error-like lines (numbers, ids, hashes, paths and
// timestamps masked) and, for near-duplicates, a MinHash signature of each
// template's words. A line of a failing log that also occurs in the
// baseline is rarely the cause; a line that is new often is. Memory is
// bounded by the number of distinct templates (capped at maxTemplates).
type Baseline struct {
	templates map[uint64]struct{}
	sigs      []signature
	bands     map[uint64][]int32
	lines     int
	// Name says where the baseline came from, for reports.
	Name string
}

const (
	sigSize      = 16 // MinHash values per signature
	bandRows     = 4  // rows per LSH band: 4 bands of 4
	maxTemplates = 200_000
	maxSigs      = 50_000
	// similarEnough is the estimated Jaccard similarity of word sets above
	// which a failing line counts as a variant of a baseline line.
	similarEnough = 0.6
)

type signature [sigSize]uint32

// BaselineBuilder reads passing logs, as byte streams, into a Baseline. It
// looks only at the lines destill would consider as findings (the same
// prefilter), which keeps building a baseline cheaper than analyzing a log.
type BaselineBuilder struct {
	b     *Baseline
	split LineSplitter
	clean cleaner
	emit  func([]byte, bool)
	norm  []byte
	// seen holds the shapes (lineShape) of recent template-worthy lines:
	// lines of one shape have one template, so a repeat is skipped before
	// its template is built.
	seen *[1 << seenBits]uint64
}

// seenBits sizes the builder's cache of line shapes.
const seenBits = 12

// NewBaselineBuilder returns an empty builder.
func NewBaselineBuilder() *BaselineBuilder {
	bb := &BaselineBuilder{b: &Baseline{templates: map[uint64]struct{}{}, bands: map[uint64][]int32{}}, seen: new([1 << seenBits]uint64)}
	bb.emit = bb.line
	return bb
}

// Write feeds bytes of a passing log. Call Flush between logs.
func (bb *BaselineBuilder) Write(p []byte) (int, error) {
	bb.split.Write(p, bb.emit)
	return len(p), nil
}

// Flush ends the current log.
func (bb *BaselineBuilder) Flush() { bb.split.Flush(bb.emit) }

// Baseline returns the model built so far.
func (bb *BaselineBuilder) Baseline() *Baseline {
	bb.Flush()
	return bb.b
}

func (bb *BaselineBuilder) line(raw []byte, _ bool) {
	bb.b.lines++
	text, _ := bb.clean.clean(raw)
	trim, indent := leadingSpace(text)
	if !worthTemplating(text, trim, indent) {
		return
	}
	key := lineShape(trim, MarkNone, false)
	seen := &bb.seen[slot(key, seenBits)]
	if *seen == key {
		return
	}
	*seen = key
	bb.norm = appendTemplate(bb.norm[:0], trim)
	bb.b.add(bb.norm)
}

// worthTemplating reports whether a line passes the prefilter of the
// analyzer: a trigger word, a diagnostic's mark (diagnosticMark) or a
// leading marker. The Go diagnostic check in leadTrigger only runs when
// the scan saw ".go:".
func worthTemplating(text, trim []byte, indent int) bool {
	f := triggerSet().scan(text)
	if f&scanTrigger != 0 {
		return true
	}
	if indent == 0 && f&scanGoDiag != 0 {
		return leadTrigger(trim, indent)
	}
	if diagnosticMark(f, indent, trim) {
		return true
	}
	return hasLeadMarker(trim) // no ".go:" in the line, so no diagnostic

}

func (b *Baseline) add(tmpl []byte) {
	h := hashBytes(tmpl)
	if _, ok := b.templates[h]; ok || len(b.templates) >= maxTemplates {
		return
	}
	b.templates[h] = struct{}{}
	if len(b.sigs) >= maxSigs {
		return
	}
	if sig, ok := minhash(tmpl); ok {
		b.addSig(&sig)
	}
}

// addSig keeps a signature and indexes it under each of its LSH bands.
func (b *Baseline) addSig(sig *signature) {
	idx := int32(len(b.sigs))
	b.sigs = append(b.sigs, *sig)
	for band := 0; band < sigSize/bandRows; band++ {
		k := bandKey(sig, band)
		b.bands[k] = append(b.bands[k], idx)
	}
}

// Templates returns the number of distinct templates in the model.
func (b *Baseline) Templates() int { return len(b.templates) }

// Novelty says how unlike the baseline a line is: 0 when its template
// occurs in the baseline, 1 when nothing like it does, and in between for
// near-duplicates (1 − estimated similarity of their words).
func (b *Baseline) Novelty(line string) float64 {
	trim, _ := leadingSpace([]byte(line))
	tmpl := appendTemplate(nil, trim)
	if _, ok := b.templates[hashBytes(tmpl)]; ok {
		return 0
	}
	sig, ok := minhash(tmpl)
	if !ok {
		return 1
	}
	best := 0.0
	seen := map[int32]bool{}
	for band := 0; band < sigSize/bandRows; band++ {
		for _, idx := range b.bands[bandKey(&sig, band)] {
			if seen[idx] {
				continue
			}
			seen[idx] = true
			if s := similarity(&sig, &b.sigs[idx]); s > best {
				best = s
			}
		}
	}
	if best < similarEnough {
		return 1
	}
	return 1 - best
}

// appendTemplate appends the template of a cleaned line: every token that
// holds a digit (numbers, versions, timestamps, durations, ids, hashes)
// becomes '#', long hex-only tokens too, temporary paths become "<tmp>",
// and runs of white space one space.
func appendTemplate(dst, line []byte) []byte {
	space := false
	for i := 0; i < len(line); {
		c := line[i]
		if c == ' ' || c == '\t' {
			space = true
			i++
			continue
		}
		if space && len(dst) > 0 {
			dst = append(dst, ' ')
		}
		space = false
		if c == '/' || c == '\\' {
			if n := tempPathLen(string(line[i:min(len(line), i+256)])); n > 0 {
				dst = append(dst, "<tmp>"...)
				i += n
				continue
			}
		}
		if !isAlnum(c) {
			dst = append(dst, c)
			i++
			continue
		}
		j, digit, hex := i, false, true
		for j < len(line) && (isAlnum(line[j]) || line[j] == '_') {
			d := line[j]
			if d >= '0' && d <= '9' {
				digit = true
			} else if !(d >= 'a' && d <= 'f' || d >= 'A' && d <= 'F') {
				hex = false
			}
			j++
		}
		if digit || (hex && j-i >= 12) {
			dst = append(dst, '#')
		} else {
			dst = append(dst, line[i:j]...)
		}
		i = j
	}
	return dst
}

func hashBytes(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return h
}

// minhash computes the MinHash signature of the words of a template. Lines
// with fewer than 3 words are matched exactly only.
func minhash(tmpl []byte) (signature, bool) {
	var sig signature
	for i := range sig {
		sig[i] = ^uint32(0)
	}
	words := 0
	for _, w := range bytes.FieldsFunc(tmpl, func(r rune) bool { return !(r < 128 && (isAlnum(byte(r)) || r == '_' || r == '#')) }) {
		if len(w) == 1 && w[0] == '#' {
			continue
		}
		words++
		h := hashBytes(w)
		for k := range sig {
			// A cheap family of hash functions: mix with a per-k constant.
			x := h ^ (uint64(k+1) * 0x9E3779B97F4A7C15)
			x ^= x >> 33
			x *= 0xff51afd7ed558ccd
			x ^= x >> 33
			if v := uint32(x); v < sig[k] {
				sig[k] = v
			}
		}
	}
	return sig, words >= 3
}

func bandKey(sig *signature, band int) uint64 {
	h := uint64(band) + 1
	for _, v := range sig[band*bandRows : (band+1)*bandRows] {
		h = (h ^ uint64(v)) * 1099511628211
	}
	return h
}

func similarity(a, b *signature) float64 {
	eq := 0
	for i := range a {
		if a[i] == b[i] {
			eq++
		}
	}
	return float64(eq) / sigSize
}

// baselineFormat versions the binary form of a Baseline.
const baselineFormat = 1

// MarshalBinary encodes the model so a store can keep it: the templates and
// signatures (the LSH bands are rebuilt on load).
func (b *Baseline) MarshalBinary() ([]byte, error) {
	out := binary.AppendUvarint(nil, baselineFormat)
	out = binary.AppendUvarint(out, uint64(len(b.Name)))
	out = append(out, b.Name...)
	out = binary.AppendUvarint(out, uint64(b.lines))
	out = binary.AppendUvarint(out, uint64(len(b.templates)))
	for h := range b.templates {
		out = binary.LittleEndian.AppendUint64(out, h)
	}
	out = binary.AppendUvarint(out, uint64(len(b.sigs)))
	for _, sig := range b.sigs {
		for _, v := range sig {
			out = binary.LittleEndian.AppendUint32(out, v)
		}
	}
	return out, nil
}

// UnmarshalBaseline decodes a model encoded by MarshalBinary.
func UnmarshalBaseline(data []byte) (*Baseline, error) {
	d := decoder{b: data}
	if v := d.uvarint(); v != baselineFormat {
		return nil, fmt.Errorf("decode baseline: unknown format %d", v)
	}
	b := &Baseline{templates: map[uint64]struct{}{}, bands: map[uint64][]int32{}}
	name := d.bytes(d.uvarint())
	b.Name = string(name)
	b.lines = int(d.uvarint())
	n := d.uvarint()
	if n > maxTemplates {
		d.err = fmt.Errorf("%d templates, more than %d", n, maxTemplates)
	}
	for i := uint64(0); i < n && d.err == nil; i++ {
		b.templates[binary.LittleEndian.Uint64(d.bytes(8))] = struct{}{}
	}
	n = d.uvarint()
	if n > maxSigs {
		d.err = fmt.Errorf("%d signatures, more than %d", n, maxSigs)
	}
	for i := uint64(0); i < n && d.err == nil; i++ {
		var sig signature
		raw := d.bytes(4 * sigSize)
		for k := range sig {
			if d.err == nil {
				sig[k] = binary.LittleEndian.Uint32(raw[4*k:])
			}
		}
		b.addSig(&sig)
	}
	if d.err == nil && len(d.b) != 0 {
		d.err = fmt.Errorf("%d bytes left over", len(d.b))
	}
	if d.err != nil {
		return nil, fmt.Errorf("decode baseline: %w", d.err)
	}
	return b, nil
}

// decoder reads a MarshalBinary encoding, remembering the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = fmt.Errorf("truncated")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) bytes(n uint64) []byte {
	if d.err != nil {
		return make([]byte, n%1024)
	}
	if uint64(len(d.b)) < n {
		d.err = fmt.Errorf("truncated")
		return make([]byte, n%1024)
	}
	out := d.b[:n]
	d.b = d.b[n:]
	return out
}
