package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/providers/local"
)

// maxReportFile caps the size of a saved result read back (a findings
// document is kilobytes; this is far beyond any real one).
const maxReportFile = 256 << 20

// readReportFile reads a saved result: the destill.findings/v1 document
// that "analyze --format json" prints, plain or gzip-compressed. It needs
// no network and no token. A file that is not a findings document at all
// (a log, some other JSON) is a usage error: the user gave the wrong file
// to the wrong command. A findings document that is damaged or of a schema
// this destill does not read is a plain failure.
func readReportFile(ctx context.Context, path string) (analysis.Report, error) {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return analysis.Report{}, usageErrorf("%s does not exist; give the file that destill analyze --format json wrote", path)
	case err != nil:
		return analysis.Report{}, fmt.Errorf("open saved result: %w", err)
	case info.IsDir():
		return analysis.Report{}, usageErrorf("%s is a directory; give the file that destill analyze --format json wrote", path)
	}
	f, err := local.Open(ctx, path) // a named pipe too, as long as ctx lasts
	if err != nil {
		return analysis.Report{}, fmt.Errorf("open saved result: %w", err)
	}
	defer f.Close()
	rc, err := local.MaybeGunzip(f)
	if err != nil {
		return analysis.Report{}, analyzeError(ctx, fmt.Errorf("read saved result %s: %w", path, err))
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(bufio.NewReader(rc), maxReportFile+1))
	if err != nil {
		return analysis.Report{}, analyzeError(ctx, fmt.Errorf("read saved result %s: %w", path, err))
	}
	return parseReport(path, data)
}

// notReport is the usage error for a file that is not a findings document.
func notReport(path, why string) error {
	return usageErrorf("%s is not a saved destill result (%s): save one with destill analyze --format json URL > result.json; to analyze a log file, run destill analyze %s", path, why, path)
}

func parseReport(path string, data []byte) (analysis.Report, error) {
	if len(data) > maxReportFile {
		return analysis.Report{}, fmt.Errorf("%s is larger than %d MiB: not a saved destill result", path, maxReportFile>>20)
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) == 0 {
		return analysis.Report{}, notReport(path, "it is empty")
	}
	if trimmed[0] != '{' {
		return analysis.Report{}, notReport(path, "it is not JSON")
	}
	var head struct {
		Schema *string `json:"schema"`
	}
	if err := json.Unmarshal(trimmed, &head); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return analysis.Report{}, fmt.Errorf("%s is damaged: invalid JSON at byte %d (%v); save the result again", path, se.Offset, err)
		}
		return analysis.Report{}, fmt.Errorf("%s is damaged: %v; save the result again", path, err)
	}
	switch {
	case head.Schema == nil:
		return analysis.Report{}, notReport(path, "it has no \"schema\" field")
	case *head.Schema != analysis.Schema:
		return analysis.Report{}, fmt.Errorf("%s is a %q document; this destill reads %s only (use the destill that wrote it, or analyze the build again)", path, *head.Schema, analysis.Schema)
	}
	var rep analysis.Report
	if err := json.Unmarshal(trimmed, &rep); err != nil {
		return analysis.Report{}, fmt.Errorf("%s is damaged: %v; save the result again", path, err)
	}
	return rep, nil
}
