//go:build linux

package app

import (
	"runtime"
	"runtime/debug"
	"unsafe"

	"golang.org/x/sys/unix"
)

// hugePagesBytes is how much address space reserveHugePages adds to the
// heap: about the most one large log or a build grows the heap to.
const hugePagesBytes = 64 << 20

// hugePageBytes is the size of a transparent huge page (x86-64, and arm64
// with 4 KB pages); only whole, aligned ones can be used.
const hugePageBytes = 2 << 20

// reserveHugePages grows the Go heap by hugePagesBytes of fresh address
// space, asks the kernel to back it with transparent huge pages
// (MADV_HUGEPAGE, which the usual "madvise" setting honours), and frees it
// again, so that the heap's next allocations land there. The first touch
// of each new 4 KB page is a page fault, and a 111 MB log grew the heap by
// about 16,000 of them: on a virtual machine that shadows page tables each
// cost 10-30 µs, more than a third of the run. In 2 MB pages they are a
// few dozen. It is advice: where the kernel has no huge pages the heap is
// as before.
//
// Only for a large run, before its first collection (largeRun): the block
// is then fresh memory, which Go does not clear, while memory the heap used
// before must be cleared first, 4 KB page by page; and the collection that
// frees it costs a small run more than it saves.
//
// The collector is held off while the block is live: allocating 64 MB
// past a heap goal of 4 MB started a collection that could free nothing,
// and a run that reserved paid two collections, 3.5-10 ms, before reading.
func reserveHugePages() {
	percent := debug.SetGCPercent(-1)
	b := make([]byte, hugePagesBytes)
	if huge := alignedHugePages(b); len(huge) > 0 {
		_ = unix.Madvise(huge, unix.MADV_HUGEPAGE) // advice: on error the pages stay small
	}
	runtime.KeepAlive(b)
	debug.SetGCPercent(percent)
	runtime.GC() // frees b: the heap reuses its addresses, and keeps the advice
}

// alignedHugePages returns the part of b made of whole, aligned huge pages.
func alignedHugePages(b []byte) []byte {
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	skip := int(-start & (hugePageBytes - 1))
	if skip >= len(b) {
		return nil
	}
	b = b[skip:]
	return b[:len(b)&^(hugePageBytes-1)]
}
