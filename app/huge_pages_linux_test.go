//go:build linux

package app

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// TestReserveHugePages: in a fresh process, as at the start of a large
// run, the heap's next large allocation lands in memory advised for huge
// pages (VmFlags "hg" in /proc/self/smaps), with the collector held off
// as analyze holds it; without the reservation it does not.
func TestReserveHugePages(t *testing.T) {
	if mode := os.Getenv("DESTILL_TEST_HUGE_PAGES"); mode != "" {
		debug.SetGCPercent(-1) // as analyze holds it off (limitMemory)
		if !noCollectionYet() {
			t.Fatal("a fresh process with the collector off has collected")
		}
		if mode == "reserve" {
			reserveHugePages()
			if noCollectionYet() {
				t.Fatal("reserveHugePages did not collect")
			}
		}
		b := make([]byte, 8<<20)
		flags, err := vmFlags(uintptr(unsafe.Pointer(&b[len(b)/2])))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("flags: %s\n", flags)
		return
	}
	for _, tt := range []struct {
		mode string
		huge bool
	}{{"reserve", true}, {"none", false}} {
		out := inFreshProcess(t, "TestReserveHugePages", "DESTILL_TEST_HUGE_PAGES="+tt.mode)
		_, flags, ok := strings.Cut(out, "flags: ")
		if !ok {
			t.Fatalf("%s: no flags in the output:\n%s", tt.mode, out)
		}
		flags, _, _ = strings.Cut(flags, "\n")
		if huge := slices.Contains(strings.Fields(flags), "hg"); huge != tt.huge {
			t.Errorf("%s: the allocation's mapping has VmFlags %q: advised for huge pages %v, want %v", tt.mode, flags, huge, tt.huge)
		}
	}
}

// TestReserveHugePagesCollectsOnce: a run known to be large reserves
// before the quiet start holds the collector off (limitAnalyzeMemory), and
// the reservation then costs one collection, the one that frees the block,
// not also one that its allocation starts.
func TestReserveHugePagesCollectsOnce(t *testing.T) {
	if os.Getenv("DESTILL_TEST_HUGE_PAGES_GC") != "" {
		if !noCollectionYet() {
			t.Fatal("a fresh process has collected")
		}
		reserveHugePages()
		var stats debug.GCStats
		debug.ReadGCStats(&stats)
		fmt.Printf("collections: %d\n", stats.NumGC)
		return
	}
	out := inFreshProcess(t, "TestReserveHugePagesCollectsOnce", "DESTILL_TEST_HUGE_PAGES_GC=1", "GOGC=", "GOMEMLIMIT=")
	if !strings.Contains(out, "collections: 1\n") {
		t.Errorf("reserving huge pages in a fresh process: want one collection, got:\n%s", out)
	}
}

// inFreshProcess runs test alone in a new process of the test binary, with
// env added, and returns its output: what the heap does before its first
// collection can only be seen there.
func inFreshProcess(t *testing.T, test string, env ...string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s in a new process: %v\n%s", test, err, out)
	}
	return string(out)
}

// TestAlignedHugePages: the part returned starts and ends on a huge page
// boundary, within b.
func TestAlignedHugePages(t *testing.T) {
	for _, n := range []int{hugePageBytes - 1, hugePageBytes, 3 * hugePageBytes, hugePagesBytes} {
		b := make([]byte, n)
		huge := alignedHugePages(b)
		start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
		if len(huge) == 0 {
			if n >= 2*hugePageBytes {
				t.Errorf("%d bytes at %#x: no whole huge page", n, start)
			}
			continue
		}
		at := uintptr(unsafe.Pointer(&huge[0]))
		if at%hugePageBytes != 0 || len(huge)%hugePageBytes != 0 || at < start || at+uintptr(len(huge)) > start+uintptr(n) {
			t.Errorf("%d bytes at %#x: huge part %d bytes at %#x", n, start, len(huge), at)
		}
	}
}

// vmFlags returns the VmFlags of the mapping that holds addr.
func vmFlags(addr uintptr) (string, error) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return "", err
	}
	defer f.Close()
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if lo, hi, ok := mappingRange(line); ok {
			in = lo <= addr && addr < hi
			continue
		}
		if rest, ok := strings.CutPrefix(line, "VmFlags:"); ok && in {
			return strings.TrimSpace(rest), nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("no mapping holds %#x", addr)
}

// mappingRange parses the "lo-hi perms ..." line that starts a mapping.
func mappingRange(line string) (lo, hi uintptr, ok bool) {
	span, _, _ := strings.Cut(line, " ")
	a, b, found := strings.Cut(span, "-")
	if !found {
		return 0, 0, false
	}
	l, err1 := strconv.ParseUint(a, 16, 64)
	h, err2 := strconv.ParseUint(b, 16, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return uintptr(l), uintptr(h), true
}
