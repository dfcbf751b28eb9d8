// Package analysis finds the lines of a CI log that explain a failure.
//
// It is pure: no I/O, no clock, no goroutines. Callers push raw log bytes into
// an Analyzer (it is an io.Writer), take the JobResult when the log ends, and
// hand the results of every job of a build to Rank, which deduplicates,
// scores and orders them into Findings. Report is the JSON document
// ("destill.findings/v1") that every output of destill is built from.
package analysis
