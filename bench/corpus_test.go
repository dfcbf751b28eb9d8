package bench

import (
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// corpus is every log of the labeled corpus, decompressed: the failing
// logs and the passing ones of each set.
type corpus struct {
	dir   string   // where the plain logs are
	logs  []string // their paths, sorted
	all   string   // one file of all of them, concatenated
	bytes int64    // the size of all
}

var (
	corpusOnce sync.Once
	corpusVal  *corpus
	corpusErr  error
)

// realLogs returns the corpus in $DESTILL_CORPUS (make bench sets it to
// ../shared/corpus). Without one, the benchmark is skipped, and fails
// under CI (CI set), where a missing corpus means a broken set-up.
func realLogs(b *testing.B) *corpus {
	b.Helper()
	root := os.Getenv("DESTILL_CORPUS")
	corpusOnce.Do(func() { corpusVal, corpusErr = loadCorpus(root) })
	if corpusErr != nil {
		if os.Getenv("CI") != "" {
			b.Fatalf("real logs: %v (make bench CORPORA=dir)", corpusErr)
		}
		b.Skipf("real logs: %v (make bench CORPORA=dir)", corpusErr)
	}
	return corpusVal
}

// loadCorpus decompresses every log under root/*/logs into a temporary
// directory and concatenates them.
func loadCorpus(root string) (*corpus, error) {
	if root == "" {
		return nil, fmt.Errorf("DESTILL_CORPUS is not set")
	}
	var paths []string
	for _, pat := range []string{"*/logs/*.log", "*/logs/*.log.gz"} {
		m, err := filepath.Glob(filepath.Join(root, pat))
		if err != nil {
			return nil, err
		}
		paths = append(paths, m...)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no logs in %s/*/logs", root)
	}
	sort.Strings(paths)
	dir, err := os.MkdirTemp("", "destill-bench-corpus-")
	if err != nil {
		return nil, err
	}
	c := &corpus{dir: dir, all: filepath.Join(dir, "all.log")}
	all, err := os.Create(c.all)
	if err != nil {
		return nil, err
	}
	defer all.Close()
	for i, p := range paths {
		plain := filepath.Join(dir, fmt.Sprintf("%03d-%s", i, strings.TrimSuffix(filepath.Base(p), ".gz")))
		if err := decompress(p, plain, all); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		c.logs = append(c.logs, plain)
	}
	info, err := all.Stat()
	if err != nil {
		return nil, err
	}
	c.bytes = info.Size()
	return c, all.Close()
}

// decompress writes the log at src, gunzipped when it ends in .gz, to
// dst and appends it to all.
func decompress(src, dst string, all io.Writer) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	var r io.Reader = in
	if strings.HasSuffix(src, ".gz") {
		zr, err := gzip.NewReader(in)
		if err != nil {
			return err
		}
		r = zr
	}
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(io.MultiWriter(out, all), r); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
