// Command destill finds the root cause of a failed CI build.
package main

import (
	"context"
	"os"
	"runtime"

	"github.com/destill-dev/destill/app"
)

func main() {
	// destill serves no heap profiles, but a dependency links
	// runtime/pprof, which turns on sampling every allocation's stack.
	runtime.MemProfileRate = 0
	os.Exit(app.Main(context.Background(), os.Args, app.SystemStreams()))
}
