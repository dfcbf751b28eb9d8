package backend

import (
	"testing"

	"github.com/destill-dev/destill/analysis"
)

// TestChunkRecordFingerprintVersion: chunks are merged by fingerprint, so a
// new analysis.FingerprintVersion needs a new ChunkRecordVersion (and then
// recordFingerprintVersion), or workers of two releases would mix them.
func TestChunkRecordFingerprintVersion(t *testing.T) {
	if analysis.FingerprintVersion != recordFingerprintVersion {
		t.Errorf("analysis.FingerprintVersion is %d but chunk records hold fingerprints of version %d: bump ChunkRecordVersion and recordFingerprintVersion",
			analysis.FingerprintVersion, recordFingerprintVersion)
	}
}
