// Package cache keeps what destill fetched from CI providers on disk, so a
// second look at the same finished build neither downloads nor re-analyzes
// its logs.
//
// A Folder holds entries: job logs, build metadata, test reports and
// per-job analysis results. Each entry is one file, zstd-compressed, with
// a header naming what it holds and a trailer carrying the lengths and a
// SHA-256 of everything before it. Entries are written to a temporary file
// of their own and put in place only when complete, and verified before
// they are served, so a crash never leaves a half log that is later
// trusted. Runs filling one log at once keep the first (the others use
// it), and a log's analysis has one entry however often the log is
// fetched, so nothing is left orphaned. The
// store keeps under a size cap by evicting the least recently used
// entries. Files are readable by their owner only: logs can hold secrets.
//
// Wrap puts a Folder in front of a pipeline.Source.
package cache
