// Command destill finds the root cause of a failed CI build.
package main

import (
	"context"
	"os"

	"github.com/destill-dev/destill/app"
)

func main() {
	os.Exit(app.Main(context.Background(), os.Args, app.SystemStreams()))
}
