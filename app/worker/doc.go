// Package worker holds the stages of destill's distributed mode and the
// messages between them:
//
//	submit ──requests──▶ ingest ──chunks──▶ analyze ──▶ store (findings)
//
// Submit records a request in the store and publishes it. The ingest stage
// fetches the build, selects its jobs with pipeline.SelectJobs, streams each
// log through an analysis.Chunker and publishes the chunks, keyed by request
// and job so each job's chunks stay in order while a build spreads over
// partitions. The analyze stage analyzes each chunk on its own and stores
// the result; whichever write completes the request (the last chunk, or the
// last job count) merges the chunks, ranks the findings and finishes the
// request. Every write is idempotent, so redelivered messages change
// nothing; a message that keeps failing goes to the dead-letter topic.
package worker
