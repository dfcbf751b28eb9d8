// Package app is destill's command line: the command tree, flags, wiring of
// sources, backends and outputs. It holds no analysis logic of its own.
package app
