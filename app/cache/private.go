package cache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// makePrivate makes sure the store's folder dir is the user's (uid) and
// closed to everyone else: logs can hold secrets, and entries are trusted
// once their checksums match. A folder of another user is refused. A
// folder of ours that others could read or write is closed (mode 0700),
// and what others could have put in it is dropped: files that are not
// ours, and anything but a regular file, in the store's subfolders. Where
// the system has no file owners, it does nothing.
func makePrivate(dir string, uid int) error {
	info, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("cache folder: %w", err)
	}
	owner, ok := ownerOf(info)
	if !ok {
		return nil
	}
	if owner != uid {
		return notOurs(dir, owner)
	}
	perm := info.Mode().Perm()
	if perm&0o077 == 0 {
		return nil
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("cache folder %s is open to other users (mode %04o) and cannot be closed: %w; run chmod 700 on it", dir, perm, err)
	}
	if perm&0o022 == 0 {
		return nil // others could read, not write: nothing was planted
	}
	subs := []string{"tmp"}
	for _, d := range kindDirs {
		subs = append(subs, d)
	}
	for _, sub := range subs {
		if err := dropForeign(filepath.Join(dir, sub), uid); err != nil {
			return err
		}
	}
	return nil
}

// dropForeign closes sub (a subfolder of the store) to others and removes
// from it what is not a regular file of uid's. A sub of another user is
// refused.
func dropForeign(sub string, uid int) error {
	info, err := os.Lstat(sub)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cache folder: %w", err)
	}
	if owner, _ := ownerOf(info); owner != uid || !info.IsDir() {
		if err := os.RemoveAll(sub); err != nil {
			return notOurs(sub, owner)
		}
		return nil
	}
	if err := os.Chmod(sub, 0o700); err != nil {
		return fmt.Errorf("cache folder: %w", err)
	}
	ents, err := os.ReadDir(sub)
	if err != nil {
		return fmt.Errorf("cache folder: %w", err)
	}
	for _, de := range ents {
		fi, err := de.Info()
		if err != nil {
			continue
		}
		if owner, _ := ownerOf(fi); owner != uid || !fi.Mode().IsRegular() {
			if err := os.RemoveAll(filepath.Join(sub, de.Name())); err != nil {
				return fmt.Errorf("cache folder: %w", err)
			}
		}
	}
	return nil
}

func notOurs(dir string, owner int) error {
	return fmt.Errorf("cache folder %s belongs to another user (uid %d): remove it, or set %s to a folder of your own", dir, owner, EnvDir)
}
