package history

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/destill-dev/destill/analysis"
)

// windowFile is a windowEntry as the folder keeps it: each fingerprint's
// category, severity and message once, and each job's fingerprints as
// indexes into them, so that a warm window reads in a fraction of the
// time the same records would take written out.
type windowFile struct {
	Listed bool                       `json:"listed,omitempty"`
	IDs    []string                   `json:"ids,omitempty"`
	Seen   []analysis.SeenFingerprint `json:"seen"`
	Builds []windowBuild              `json:"builds"`
}

type windowBuild struct {
	analysis.BuildRecord
	Jobs []windowJob `json:"jobs"`
}

type windowJob struct {
	analysis.JobRecord
	// Seen are indexes into windowFile.Seen; Conf the confidences of the
	// same fingerprints in this job.
	Seen []int     `json:"seen,omitempty"`
	Conf []float64 `json:"conf,omitempty"`
}

// MarshalJSON writes the entry as a windowFile.
func (w windowEntry) MarshalJSON() ([]byte, error) {
	f := windowFile{Listed: w.Listed, IDs: w.IDs, Seen: []analysis.SeenFingerprint{}}
	index := map[string]int{}
	ids := make([]string, 0, len(w.Records))
	for id := range w.Records {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		rec := w.Records[id]
		b := windowBuild{BuildRecord: rec}
		b.BuildRecord.Jobs = nil
		for _, j := range rec.Jobs {
			wj := windowJob{JobRecord: j}
			wj.JobRecord.Fingerprints = nil
			for _, s := range j.Fingerprints {
				i, ok := index[s.Fingerprint]
				if !ok {
					i = len(f.Seen)
					index[s.Fingerprint] = i
					s.Confidence = 0
					f.Seen = append(f.Seen, s)
				}
				wj.Seen = append(wj.Seen, i)
				wj.Conf = append(wj.Conf, j.Fingerprints[len(wj.Seen)-1].Confidence)
			}
			b.Jobs = append(b.Jobs, wj)
		}
		f.Builds = append(f.Builds, b)
	}
	return json.Marshal(f)
}

// UnmarshalJSON reads a windowFile.
func (w *windowEntry) UnmarshalJSON(data []byte) error {
	var f windowFile
	if err := json.Unmarshal(data, &f); err != nil {
		return err
	}
	*w = windowEntry{Listed: f.Listed, IDs: f.IDs, Records: make(map[string]analysis.BuildRecord, len(f.Builds))}
	for _, b := range f.Builds {
		rec := b.BuildRecord
		rec.Jobs = make([]analysis.JobRecord, 0, len(b.Jobs))
		for _, wj := range b.Jobs {
			j := wj.JobRecord
			if len(wj.Seen) != len(wj.Conf) {
				return fmt.Errorf("job %s: %d fingerprints, %d confidences", j.ID, len(wj.Seen), len(wj.Conf))
			}
			for k, i := range wj.Seen {
				if i < 0 || i >= len(f.Seen) {
					return fmt.Errorf("job %s: fingerprint %d of %d", j.ID, i, len(f.Seen))
				}
				s := f.Seen[i]
				s.Confidence = wj.Conf[k]
				j.Fingerprints = append(j.Fingerprints, s)
			}
			rec.Jobs = append(rec.Jobs, j)
		}
		w.Records[rec.ID] = rec
	}
	return nil
}
