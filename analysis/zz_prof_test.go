package analysis

import (
	"bytes"
	"testing"

	"github.com/destill-dev/destill/analysis/analysistest"
)

var zzData []byte

func BenchmarkZZFull(b *testing.B) {
	if zzData == nil {
		var buf bytes.Buffer
		analysistest.WriteRealisticLog(&buf, 64<<20, 1)
		zzData = buf.Bytes()
	}
	b.SetBytes(int64(len(zzData)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a := NewAnalyzer(Options{})
		for p := zzData; len(p) > 0; {
			n := min(len(p), 64<<10)
			a.Write(p[:n])
			p = p[n:]
		}
		a.Result()
	}
}
