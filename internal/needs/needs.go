// Package needs is how a test asks for a tool or a server it cannot run
// without. When it is missing the test fails if CI is set, and otherwise
// skips and says so where `make test` looks: each such skip is appended to
// the file $DESTILL_SKIPS_FILE names, and make test ends with one line
// naming what was skipped and how to install it. No test skips quietly.
package needs

import (
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
)

// EnvSkipsFile names the file skips are recorded in (set by make test).
const EnvSkipsFile = "DESTILL_SKIPS_FILE"

// InstallAll says how to install every tool and server the tests need.
const InstallAll = "install with sudo make deploy-tools"

// Tool returns the path of the command name, or stops the test as Missing
// does when it is not on PATH.
func Tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, name, name+" is not installed", InstallAll)
	}
	return p
}

// Missing stops the test for want of what (a tool, a server, a data set):
// it fails when CI is set, else it skips and records the skip for make
// test's summary. why says what is missing, install how to get it
// (InstallAll for every tool).
func Missing(t testing.TB, what, why, install string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s: CI must have it (%s)", why, install)
	}
	record(what, install, t.Name())
	t.Skipf("%s (%s; make test lists every such skip at the end)", why, install)
}

var recordMu sync.Mutex

// record appends "what<TAB>install<TAB>test" to the skips file, if there is one. Test
// binaries of several packages append to it at once: one short write each,
// with O_APPEND, keeps lines whole.
func record(what, install, test string) {
	path := os.Getenv(EnvSkipsFile)
	if path == "" {
		return
	}
	recordMu.Lock()
	defer recordMu.Unlock()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%s\t%s\t%s\n", what, install, test)
}
