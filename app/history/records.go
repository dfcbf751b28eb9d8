package history

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/cache"
	"github.com/destill-dev/destill/backend"
)

// Records keeps build records between runs: in the database, or in the log
// cache's folder.
type Records interface {
	// Load returns the records kept of the builds ids (of pipeline, on
	// branch), by build ID, with their fingerprints (all of them, or at
	// least those of fps when fps is not nil).
	Load(ctx context.Context, pipeline, branch string, ids []string, fps []string) (map[string]analysis.BuildRecord, error)
	// Save keeps rec, merged with what is kept (backend.MergeBuildRecord).
	Save(ctx context.Context, pipeline string, rec analysis.BuildRecord) error
	// KeepWindow remembers which builds Look found for q (limit builds at
	// most): what Window gives back without the provider.
	KeepWindow(ctx context.Context, q Query, limit int, ids []string) error
	// Window returns the records of q's window without asking the
	// provider, newest first: the database's newest builds, or the builds
	// the folder remembers Look found. ok is false when it cannot tell.
	Window(ctx context.Context, q Query, limit int) (recs []analysis.BuildRecord, ok bool, err error)
}

// StoreRecords keeps records in the database (the store's History).
type StoreRecords struct{ Store backend.History }

// Load implements Records with one indexed query per table.
func (s StoreRecords) Load(ctx context.Context, pipeline, branch string, ids []string, fps []string) (map[string]analysis.BuildRecord, error) {
	recs, err := s.Store.LoadHistory(ctx, backend.HistoryQuery{Pipeline: pipeline, Branch: branch, BuildIDs: ids,
		Version: analysis.FingerprintVersion, Fingerprints: fps})
	if err != nil {
		return nil, err
	}
	out := make(map[string]analysis.BuildRecord, len(recs))
	for _, r := range recs {
		out[r.ID] = r
	}
	return out, nil
}

// Save implements Records.
func (s StoreRecords) Save(ctx context.Context, pipeline string, rec analysis.BuildRecord) error {
	return s.Store.SaveHistory(ctx, pipeline, rec)
}

// KeepWindow implements Records: the database keeps every build, so its
// newest are the window.
func (s StoreRecords) KeepWindow(context.Context, Query, int, []string) error { return nil }

// Window implements Records: the newest records on the branch numbered
// below q.Before, through the window index.
func (s StoreRecords) Window(ctx context.Context, q Query, limit int) ([]analysis.BuildRecord, bool, error) {
	recs, err := s.Store.LoadHistory(ctx, backend.HistoryQuery{Pipeline: q.Pipeline, Branch: q.Branch, Before: q.Before, Limit: limit,
		Version: analysis.FingerprintVersion, Fingerprints: q.Fingerprints})
	return recs, err == nil, err
}

// FolderRecords keeps records in the log cache's folder, one entry per
// build. They are small: fingerprints and messages, never logs.
type FolderRecords struct{ Folder *cache.Folder }

func folderKey(pipeline, id string) string { return "history " + pipeline + " build " + id }

// Load implements Records. A damaged entry is no record.
func (f FolderRecords) Load(_ context.Context, pipeline, _ string, ids []string, _ []string) (map[string]analysis.BuildRecord, error) {
	out := map[string]analysis.BuildRecord{}
	for _, id := range ids {
		data, _, err := f.Folder.Get(cache.KindHistory, folderKey(pipeline, id))
		if err != nil {
			if errors.Is(err, cache.ErrNotFound) || errors.Is(err, cache.ErrCorrupt) {
				continue
			}
			return nil, err
		}
		var rec analysis.BuildRecord
		if json.Unmarshal(data, &rec) == nil && rec.ID == id {
			out[id] = rec
		}
	}
	return out, nil
}

// Save implements Records.
func (f FolderRecords) Save(ctx context.Context, pipeline string, rec analysis.BuildRecord) error {
	old, err := f.Load(ctx, pipeline, rec.Branch, []string{rec.ID}, nil)
	if err != nil {
		return err
	}
	data, err := json.Marshal(backend.MergeBuildRecord(old[rec.ID], rec))
	if err != nil {
		return fmt.Errorf("encode the record of build %s: %w", rec.ID, err)
	}
	_, err = f.Folder.Put(cache.Meta{Kind: cache.KindHistory, Key: folderKey(pipeline, rec.ID), Build: rec.URL}, data)
	return err
}

func windowKey(q Query, limit int) string {
	return fmt.Sprintf("history %s window %s before %d builds %d", q.Pipeline, q.Branch, q.Before, limit)
}

// KeepWindow implements Records.
func (f FolderRecords) KeepWindow(_ context.Context, q Query, limit int, ids []string) error {
	data, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	_, err = f.Folder.Put(cache.Meta{Kind: cache.KindHistory, Key: windowKey(q, limit)}, data)
	return err
}

// Window implements Records: the builds the last Look for the same window
// found, as kept.
func (f FolderRecords) Window(ctx context.Context, q Query, limit int) ([]analysis.BuildRecord, bool, error) {
	data, _, err := f.Folder.Get(cache.KindHistory, windowKey(q, limit))
	if err != nil {
		return nil, false, nil
	}
	var ids []string
	if json.Unmarshal(data, &ids) != nil {
		return nil, false, nil
	}
	recs, err := f.Load(ctx, q.Pipeline, q.Branch, ids, nil)
	if err != nil || len(recs) != len(ids) {
		return nil, false, err
	}
	out := make([]analysis.BuildRecord, 0, len(ids))
	for _, id := range ids {
		out = append(out, recs[id])
	}
	return out, true, nil
}
