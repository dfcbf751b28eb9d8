// Package providers describes CI builds the way destill needs them (a build,
// its jobs, their states and logs), independent of which CI system ran them.
// Sub-packages talk to each system: buildkite, githubactions, gitlab, and
// local for log files and standard input.
package providers
