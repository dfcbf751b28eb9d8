//go:build !linux

package app

// reserveHugePages does nothing here: transparent huge pages on request
// are a Linux feature (see huge_pages_linux.go).
func reserveHugePages() {}
