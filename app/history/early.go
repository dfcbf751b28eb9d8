package history

// Start is what a later run needs to look back for a build before reading
// it: the Query its look back was for, and the provider client's hint
// (what its RecentBuilds needs of the build: a GitHub workflow's ID). A
// finished build's pipeline, branch and number never change, so a warm
// run lists the earlier builds alongside reading the build itself.
type Start struct {
	Query Query  `json:"query"`
	Hint  string `json:"hint,omitempty"`
}

// Hinted is a Lister that needs a hint to list before reading the build.
type Hinted interface {
	HistoryHint() string
	UseHistoryHint(hint string)
}

func startKey(scope, build string) string { return "history start " + scope + " " + build }

// LoadStart returns the Start kept for the build named build (its cache
// key) of the API scope names.
func (f *FolderRecords) LoadStart(scope, build string) (Start, bool) {
	var s Start
	ok, err := f.getJSON(startKey(scope, build), &s)
	return s, ok && err == nil && s.Query.Pipeline != ""
}

// SaveStart keeps s for the build named build of the API scope names.
func (f *FolderRecords) SaveStart(scope, build string, s Start) error {
	return f.putJSON(startKey(scope, build), "", s)
}
