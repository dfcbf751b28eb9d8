package history

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/cache"
	"github.com/destill-dev/destill/backend"
)

// Records keeps build records between runs: in the database, or in the log
// cache's folder.
type Records interface {
	// Prefetch reads, ahead of Load, what can be read of q's window
	// before its builds are listed (Look runs it alongside the list).
	Prefetch(ctx context.Context, q Query, limit int)
	// Load returns the records kept of the builds ids of q's window (limit
	// builds at most), by build ID, with their fingerprints (all of them,
	// or at least those of q.Fingerprints when not nil).
	Load(ctx context.Context, q Query, limit int, ids []string) (map[string]analysis.BuildRecord, error)
	// SaveWindow keeps what Look found for q's window: builds, the whole
	// records of its builds newest first, and, by build ID, what each
	// build that gained something gained (fresh, to merge into what is
	// kept). keepList also remembers which builds the window held, for
	// Window.
	SaveWindow(ctx context.Context, q Query, limit int, builds []analysis.BuildRecord, fresh map[string]analysis.BuildRecord, keepList bool) error
	// Window returns the records of q's window without asking the
	// provider, newest first: the database's newest builds, or the builds
	// the folder remembers Look found. ok is false when it cannot tell.
	Window(ctx context.Context, q Query, limit int) (recs []analysis.BuildRecord, ok bool, err error)
}

// StoreRecords keeps records in the database (the store's History).
type StoreRecords struct{ Store backend.History }

// Prefetch implements Records: the database is asked by build ID.
func (s StoreRecords) Prefetch(context.Context, Query, int) {}

// Load implements Records with one indexed query per table.
func (s StoreRecords) Load(ctx context.Context, q Query, _ int, ids []string) (map[string]analysis.BuildRecord, error) {
	recs, err := s.Store.LoadHistory(ctx, backend.HistoryQuery{Pipeline: q.Pipeline, Branch: q.Branch, BuildIDs: ids,
		Version: analysis.FingerprintVersion, Fingerprints: q.Fingerprints})
	if err != nil {
		return nil, err
	}
	out := make(map[string]analysis.BuildRecord, len(recs))
	for _, r := range recs {
		out[r.ID] = r
	}
	return out, nil
}

// SaveWindow implements Records: what each build gained is merged into
// the database; the database keeps every build, so its newest are the
// window.
func (s StoreRecords) SaveWindow(ctx context.Context, q Query, _ int, _ []analysis.BuildRecord, fresh map[string]analysis.BuildRecord, _ bool) error {
	for _, rec := range fresh {
		if err := s.Save(ctx, q.Pipeline, rec); err != nil {
			return err
		}
	}
	return nil
}

// Save merges rec, a build of pipeline, into the database.
func (s StoreRecords) Save(ctx context.Context, pipeline string, rec analysis.BuildRecord) error {
	return s.Store.SaveHistory(ctx, pipeline, rec)
}

// Window implements Records: the newest records on the branch numbered
// below q.Before, through the window index.
func (s StoreRecords) Window(ctx context.Context, q Query, limit int) ([]analysis.BuildRecord, bool, error) {
	recs, err := s.Store.LoadHistory(ctx, backend.HistoryQuery{Pipeline: q.Pipeline, Branch: q.Branch, Before: q.Before, Limit: limit,
		Version: analysis.FingerprintVersion, Fingerprints: q.Fingerprints})
	return recs, err == nil, err
}

// FolderRecords keeps records in the log cache's folder: one entry per
// window, holding its builds' records, read and written whole (a warm
// window costs one small read), and one entry per build, for the other
// windows it is part of. They are small: fingerprints and messages, never
// logs.
type FolderRecords struct {
	folder *cache.Folder
	mu     sync.Mutex
	loaded map[string]windowEntry // the window entries Load read, by key
}

// NewFolderRecords returns FolderRecords kept in folder.
func NewFolderRecords(folder *cache.Folder) *FolderRecords {
	return &FolderRecords{folder: folder, loaded: map[string]windowEntry{}}
}

// windowEntry is what the folder keeps of a window.
type windowEntry struct {
	// Listed is set when IDs are the window's builds, newest first.
	Listed  bool                            `json:"listed,omitempty"`
	IDs     []string                        `json:"ids,omitempty"`
	Records map[string]analysis.BuildRecord `json:"records"`
}

func buildKey(pipeline, id string) string { return "history " + pipeline + " build " + id }

func windowKey(q Query, limit int) string {
	return fmt.Sprintf("history %s window %s before %d builds %d", q.Pipeline, q.Branch, q.Before, limit)
}

// getJSON reads an entry into v; ok is false when there is none (or it is
// damaged: it is then as if there were none).
func (f *FolderRecords) getJSON(key string, v any) (bool, error) {
	data, _, err := f.folder.Get(cache.KindHistory, key)
	switch {
	case errors.Is(err, cache.ErrNotFound) || errors.Is(err, cache.ErrCorrupt):
		return false, nil
	case err != nil:
		return false, err
	}
	return json.Unmarshal(data, v) == nil, nil
}

func (f *FolderRecords) putJSON(key, url string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = f.folder.Put(cache.Meta{Kind: cache.KindHistory, Key: key, Build: url}, data)
	return err
}

// Prefetch implements Records: it reads the window's entry.
func (f *FolderRecords) Prefetch(_ context.Context, q Query, limit int) {
	_, _, _ = f.window(q, limit)
}

// window returns the window's entry, read once.
func (f *FolderRecords) window(q Query, limit int) (windowEntry, bool, error) {
	key := windowKey(q, limit)
	f.mu.Lock()
	defer f.mu.Unlock()
	if w, ok := f.loaded[key]; ok {
		return w, true, nil
	}
	var w windowEntry
	ok, err := f.getJSON(key, &w)
	if ok {
		f.loaded[key] = w
	}
	return w, ok, err
}

// Load implements Records: the window's entry, then the builds' own
// entries for those it lacks.
func (f *FolderRecords) Load(_ context.Context, q Query, limit int, ids []string) (map[string]analysis.BuildRecord, error) {
	w, _, err := f.window(q, limit)
	if err != nil {
		return nil, err
	}
	out := map[string]analysis.BuildRecord{}
	for _, id := range ids {
		if rec, ok := w.Records[id]; ok && rec.ID == id {
			out[id] = rec
			continue
		}
		var rec analysis.BuildRecord
		ok, err := f.getJSON(buildKey(q.Pipeline, id), &rec)
		if err != nil {
			return nil, err
		}
		if ok && rec.ID == id {
			out[id] = rec
		}
	}
	return out, nil
}

// SaveWindow implements Records: the builds that gained something get
// their entry written again, and the window its entry, unless it holds
// the same builds and none gained anything.
func (f *FolderRecords) SaveWindow(_ context.Context, q Query, limit int, builds []analysis.BuildRecord, fresh map[string]analysis.BuildRecord, keepList bool) error {
	w := windowEntry{Listed: keepList, Records: map[string]analysis.BuildRecord{}}
	for _, b := range builds {
		w.Records[b.ID] = b
		if keepList {
			w.IDs = append(w.IDs, b.ID)
		}
		if _, ok := fresh[b.ID]; ok {
			if err := f.putJSON(buildKey(q.Pipeline, b.ID), b.URL, b); err != nil {
				return err
			}
		}
	}
	f.mu.Lock()
	kept, ok := f.loaded[windowKey(q, limit)]
	f.mu.Unlock()
	if len(fresh) == 0 && ok && kept.Listed == w.Listed && slices.Equal(kept.IDs, w.IDs) && len(kept.Records) == len(w.Records) {
		return nil // as kept
	}
	return f.putJSON(windowKey(q, limit), "", w)
}

// Window implements Records: the builds the last Look for the same window
// found, as kept.
func (f *FolderRecords) Window(_ context.Context, q Query, limit int) ([]analysis.BuildRecord, bool, error) {
	var w windowEntry
	ok, err := f.getJSON(windowKey(q, limit), &w)
	if err != nil || !ok || !w.Listed {
		return nil, false, err
	}
	out := make([]analysis.BuildRecord, 0, len(w.IDs))
	for _, id := range w.IDs {
		rec, ok := w.Records[id]
		if !ok {
			return nil, false, nil
		}
		out = append(out, rec)
	}
	return out, true, nil
}
