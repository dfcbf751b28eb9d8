// Package pipeline runs destill's analysis of a build: it asks a Source for
// the build and its jobs, streams the logs of the jobs worth reading into
// analyzers (several at once), and ranks what they found into a report,
// sending snapshots as each job completes.
package pipeline
