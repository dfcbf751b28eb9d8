package analysis

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/destill-dev/destill/internal/needs"
)

// corpusLogFiles returns every log of the labeled corpora: those under
// $DESTILL_CORPUS, else under ../shared/corpus beside the repository. Without
// them the test skips, and fails under CI.
func corpusLogFiles(t *testing.T) []string {
	t.Helper()
	root := os.Getenv("DESTILL_CORPUS")
	if root == "" {
		root = filepath.Join("..", "..", "shared", "corpus")
	}
	var files []string
	for _, pat := range []string{"logs/*.log", "logs/*.log.gz", "*/logs/*.log", "*/logs/*.log.gz"} {
		m, _ := filepath.Glob(filepath.Join(root, pat))
		files = append(files, m...)
	}
	if len(files) == 0 {
		needs.Missing(t, "the labeled corpora", "no logs under "+root, "set DESTILL_CORPUS=dir (or put the corpora at ../shared/corpus)")
	}
	return files
}

// allLogFiles returns the package's test logs, the examples, the shapes
// corpus and the labeled corpora.
func allLogFiles(t *testing.T) []string {
	files, _ := filepath.Glob("testdata/logs/*.log")
	for _, pat := range []string{"../examples/logs/*.log", "testdata/shapes/logs/*.log"} {
		m, _ := filepath.Glob(pat)
		files = append(files, m...)
	}
	return append(files, corpusLogFiles(t)...)
}

// readLogFile reads a test log, gunzipping .gz files.
func readLogFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(path, ".gz") {
		return data
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
