// Package history answers "is this failure new?": for the findings of a
// build, where their fingerprints occurred in the last finished builds of
// the same pipeline and branch. The builds come from the provider's API
// (one paginated list; their logs through the log cache, analyzed like any
// other) and, with a database, from the build history the store keeps,
// which every analysis adds to. Both give the same records, and
// analysis.HistoryOf turns them into each finding's history.
package history
