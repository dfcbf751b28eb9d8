package analysis

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// shapeCase is one labeled log of the shape corpus (testdata/shapes/cases.jsonl),
// in the format of the shared labeled corpora plus the shape's metadata.
type shapeCase struct {
	ID            string   `json:"id"`
	Log           string   `json:"log"`
	CI            string   `json:"ci"`
	ExpectedLines [][]int  `json:"expected_lines"`
	Expected      []string `json:"expected"`
	Ecosystem     string   `json:"ecosystem"`
	Tool          string   `json:"tool"`
	Shape         string   `json:"shape"`
	Point         string   `json:"point"`
}

// TestShapeCorpusWellFormed checks that the shape corpus can be scored: every
// case names an existing log, its annotated ranges lie inside that log, the
// annotated text matches the log, ids are unique and the metadata is present.
// It does not rank anything.
func TestShapeCorpusWellFormed(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("testdata", "shapes")
	f, err := os.Open(filepath.Join(dir, "cases.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ciNames := map[string]bool{"travis-ci": true, "github-actions": true, "gitlab-ci": true, "buildkite": true, "jenkins": true}
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	n := 0
	for row := 1; sc.Scan(); row++ {
		var c shapeCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("cases.jsonl line %d: %v", row, err)
		}
		n++
		if c.ID == "" || c.Log == "" || c.Ecosystem == "" || c.Tool == "" || c.Shape == "" || c.Point == "" {
			t.Errorf("cases.jsonl line %d (%q): a required field is empty", row, c.ID)
			continue
		}
		if seen[c.ID] {
			t.Errorf("case %s: duplicate id", c.ID)
		}
		seen[c.ID] = true
		if !ciNames[c.CI] {
			t.Errorf("case %s: ci %q is not one of travis-ci, github-actions, gitlab-ci, buildkite, jenkins", c.ID, c.CI)
		}
		if len(c.Point) != 1 || c.Point < "1" || c.Point > "9" {
			t.Errorf("case %s: point %q is not an issue point 1-9", c.ID, c.Point)
		}
		data, err := os.ReadFile(filepath.Join(dir, c.Log))
		if err != nil {
			t.Errorf("case %s: %v", c.ID, err)
			continue
		}
		// Lines are \n-separated; a trailing \r belongs to the line ending.
		lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		if len(c.ExpectedLines) == 0 {
			t.Errorf("case %s: no expected_lines", c.ID)
		}
		var annotated []string
		prev := 0
		for _, r := range c.ExpectedLines {
			if len(r) != 2 || r[0] < 1 || r[0] > r[1] || r[1] > len(lines) || r[0] <= prev {
				t.Errorf("case %s: range %v is not an ordered 1-based range within the log's %d lines", c.ID, r, len(lines))
				continue
			}
			prev = r[1]
			for _, ln := range lines[r[0]-1 : r[1]] {
				annotated = append(annotated, strings.TrimSuffix(ln, "\r"))
			}
		}
		if len(annotated) != len(c.Expected) {
			t.Errorf("case %s: expected holds %d lines, expected_lines cover %d", c.ID, len(c.Expected), len(annotated))
			continue
		}
		for i := range annotated {
			if annotated[i] != c.Expected[i] {
				t.Errorf("case %s: annotated line %d is %q in the log, %q in expected", c.ID, i+1, annotated[i], c.Expected[i])
				break
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("cases.jsonl holds no cases")
	}
}
