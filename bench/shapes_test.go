package bench

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"github.com/cespare/xxhash/v2"
	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/analysis/analysistest"
)

// shapesSample is how much of each log the shape statistics read.
const shapesSample = 32e6

// benchShapes prints, for the first 32 MB of the real logs and 32 MB of
// the generated log other benchmarks (BenchmarkBaseline, the worker's and
// the cache's) still use, the distinct line shapes (lines with every run
// of digits taken as one digit) and the candidates the analysis keeps: a
// generated log whose figures are far from the real ones measures the
// caches, not the analysis, which is why every row above runs on real
// logs.
func benchShapes(b *testing.B) {
	c := realLogs(b)
	real, err := os.ReadFile(c.all)
	if err != nil {
		b.Fatal(err)
	}
	real = real[:min(len(real), shapesSample)]
	var gen bytes.Buffer
	if err := analysistest.WriteRealisticLog(&gen, int64(len(real)), 1); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		rs, rc := shapeStats(real)
		gs, gc := shapeStats(gen.Bytes())
		mb := float64(len(real)) / 1e6
		report(fmt.Sprintf("shapes of %.0f MB: real logs vs the generated log of the other benchmarks", mb),
			fmt.Sprintf("real: %d distinct line shapes, %d candidates; generated: %d shapes, %d candidates", rs, rc, gs, gc),
			"", true)
	}
}

// shapeStats returns the distinct line shapes of data and the candidates
// the analysis keeps of it.
func shapeStats(data []byte) (shapes, candidates int) {
	seen := map[uint64]struct{}{}
	var shape []byte
	for line := range bytes.Lines(data) {
		shape = shape[:0]
		for i, c := range line {
			if c >= '0' && c <= '9' {
				if i > 0 && line[i-1] >= '0' && line[i-1] <= '9' {
					continue
				}
				c = '0'
			}
			shape = append(shape, c)
		}
		seen[xxhash.Sum64(shape)] = struct{}{}
	}
	a := analysis.NewAnalyzer(analysis.Options{})
	a.Write(data)
	return len(seen), len(a.Result().Candidates)
}
