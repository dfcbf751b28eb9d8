package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// row is one line of the table printed at the end of the run.
type row struct {
	what     string
	measured string
	target   string
	met      string // "yes", "NO" or "" when the row has no target
}

var (
	rowsMu sync.Mutex
	rows   []row
)

// report adds a row to the table. ok tells whether the target is met.
func report(what, measured, target string, ok bool) {
	met := "NO"
	if ok {
		met = "yes"
	}
	if target == "" {
		met = ""
	}
	rowsMu.Lock()
	defer rowsMu.Unlock()
	rows = append(rows, row{what, measured, target, met})
}

// TestMain runs the benchmarks and prints the rows they reported as one
// table.
func TestMain(m *testing.M) {
	code := m.Run()
	if len(rows) > 0 {
		printTable(os.Stdout, rows)
	}
	if corpusVal != nil {
		os.RemoveAll(corpusVal.dir)
	}
	for _, bu := range []*binaryBuild{destillBuild, minimalBuild} {
		if bu.path != "" {
			os.RemoveAll(filepath.Dir(bu.path))
		}
	}
	os.Exit(code)
}

func printTable(w *os.File, rows []row) {
	width := [3]int{len("what"), len("measured"), len("target")}
	for _, r := range rows {
		width[0] = max(width[0], len(r.what))
		width[1] = max(width[1], len(r.measured))
		width[2] = max(width[2], len(r.target))
	}
	line := func(a, b, c, d string) {
		fmt.Fprintf(w, "| %-*s | %-*s | %-*s | %s\n", width[0], a, width[1], b, width[2], c, d)
	}
	fmt.Fprintln(w)
	line("what", "measured", "target", "met")
	line(strings.Repeat("-", width[0]), strings.Repeat("-", width[1]), strings.Repeat("-", width[2]), "---")
	for _, r := range rows {
		line(r.what, r.measured, r.target, r.met)
	}
}
