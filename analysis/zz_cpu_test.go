package analysis

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/destill-dev/destill/analysis/analysistest"
)

func TestZZCPU(t *testing.T) {
	if os.Getenv("ZZCPU") == "" {
		t.Skip()
	}
	var buf bytes.Buffer
	analysistest.WriteRealisticLog(&buf, 64<<20, 1)
	data := buf.Bytes()
	best := time.Hour
	for r := 0; r < 15; r++ {
		st := cpuTime()
		a := NewAnalyzer(Options{})
		for p := data; len(p) > 0; {
			n := min(len(p), 64<<10)
			a.Write(p[:n])
			p = p[n:]
		}
		a.Result()
		if d := cpuTime() - st; d < best {
			best = d
		}
	}
	t.Logf("cpu %.0f MB/s", float64(len(data))/best.Seconds()/1e6)
}
