package history

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/analysis"
)

// TestWindowFileRoundTrip: a window's records read back as written, each
// fingerprint's message kept once.
func TestWindowFileRoundTrip(t *testing.T) {
	seen := func(fp string, conf float64) analysis.SeenFingerprint {
		return analysis.SeenFingerprint{Fingerprint: fp, Category: "error", Severity: analysis.SeverityError, Message: "message " + fp, Confidence: conf}
	}
	w := windowEntry{Listed: true, IDs: []string{"b2", "b1"}, Records: map[string]analysis.BuildRecord{
		"b1": {ID: "b1", Number: 1, Branch: "main", Revision: "attempt 1", Jobs: []analysis.JobRecord{
			{ID: "j1", Name: "unit", Failed: true, FingerprintVersion: analysis.FingerprintVersion, Fingerprints: []analysis.SeenFingerprint{seen("a", 0.9), seen("b", 0)}},
			{ID: "j2", Name: "lint", Passed: true},
		}},
		"b2": {ID: "b2", Number: 2, Jobs: []analysis.JobRecord{
			{ID: "j3", Name: "unit", Passed: true, FingerprintVersion: analysis.FingerprintVersion, Fingerprints: []analysis.SeenFingerprint{seen("b", 0.4)}},
		}},
	}}
	data, err := json.Marshal(w)
	require.NoError(t, err)
	var back windowEntry
	require.NoError(t, json.Unmarshal(data, &back))
	require.Equal(t, w, back)
	var f windowFile
	require.NoError(t, json.Unmarshal(data, &f))
	require.Len(t, f.Seen, 2, "each fingerprint's message once")
	require.Error(t, json.Unmarshal([]byte(`{"seen":[],"builds":[{"id":"x","jobs":[{"id":"j","name":"n","seen":[3],"conf":[1]}]}]}`), &back))
}
