package backend

import (
	"context"
	"sort"

	"github.com/destill-dev/destill/analysis"
)

// History keeps what was found in the builds analyzed, per pipeline: each
// build's jobs and the fingerprints of the jobs whose logs were analyzed,
// with the fingerprint version they were computed with.
type History interface {
	// SaveHistory records rec, a build of pipeline (a key the caller
	// chooses), merged with what is recorded of it: the build's
	// fields and its jobs' are replaced; a job whose log rec analyzed gets
	// its fingerprints replaced, and one rec did not analyze keeps those
	// recorded. Saving the same record twice changes nothing.
	SaveHistory(ctx context.Context, pipeline string, rec analysis.BuildRecord) error
	// LoadHistory returns the recorded builds q selects, newest first,
	// with their jobs and the fingerprints of q.Version (of the jobs
	// analyzed with that version), all or those q names.
	LoadHistory(ctx context.Context, q HistoryQuery) ([]analysis.BuildRecord, error)
}

// HistoryQuery selects recorded builds of one pipeline.
type HistoryQuery struct {
	Pipeline string
	// BuildIDs selects these builds. Without them, the newest Limit
	// builds on Branch numbered below Before (0: any) are selected.
	BuildIDs []string
	Branch   string
	Before   int64
	Limit    int
	// Version is the fingerprint version of the fingerprints returned:
	// fingerprints of other versions are never compared. A job analyzed
	// with another version comes back with its version and none.
	Version int
	// Fingerprints, when not nil, restricts the fingerprints returned.
	Fingerprints []string
}

// MergeBuildRecord merges rec into old, a recorded build, as SaveHistory
// does. Jobs keep old's order, new ones are added after.
func MergeBuildRecord(old, rec analysis.BuildRecord) analysis.BuildRecord {
	out := rec
	out.Jobs = nil
	byID := map[string]int{}
	for _, j := range old.Jobs {
		byID[j.ID] = len(out.Jobs)
		out.Jobs = append(out.Jobs, j)
	}
	for _, j := range rec.Jobs {
		i, ok := byID[j.ID]
		if !ok {
			byID[j.ID] = len(out.Jobs)
			out.Jobs = append(out.Jobs, j)
			continue
		}
		prev := out.Jobs[i]
		if j.FingerprintVersion == 0 {
			j.FingerprintVersion, j.Fingerprints = prev.FingerprintVersion, prev.Fingerprints
		}
		out.Jobs[i] = j
	}
	return out
}

// SelectHistory applies q to recorded builds, as LoadHistory does: for
// stores that keep whole records.
func SelectHistory(all []analysis.BuildRecord, q HistoryQuery) []analysis.BuildRecord {
	want := map[string]bool{}
	for _, id := range q.BuildIDs {
		want[id] = true
	}
	fps := map[string]bool{}
	for _, fp := range q.Fingerprints {
		fps[fp] = true
	}
	var out []analysis.BuildRecord
	for _, b := range all {
		switch {
		case len(q.BuildIDs) > 0 && !want[b.ID]:
			continue
		case len(q.BuildIDs) == 0 && (b.Branch != q.Branch || (q.Before > 0 && b.Number >= q.Before)):
			continue
		}
		b.Jobs = append([]analysis.JobRecord(nil), b.Jobs...)
		for i := range b.Jobs {
			j := &b.Jobs[i]
			if j.FingerprintVersion != q.Version {
				j.Fingerprints = nil
				continue
			}
			if q.Fingerprints != nil {
				var kept []analysis.SeenFingerprint
				for _, s := range j.Fingerprints {
					if fps[s.Fingerprint] {
						kept = append(kept, s)
					}
				}
				j.Fingerprints = kept
			}
		}
		out = append(out, b)
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Number > out[b].Number })
	if len(q.BuildIDs) == 0 && q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out
}
