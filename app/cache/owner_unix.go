//go:build unix

package cache

import (
	"io/fs"
	"syscall"
)

// ownerOf returns the user ID that owns the file info describes.
func ownerOf(info fs.FileInfo) (int, bool) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}
