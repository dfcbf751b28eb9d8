package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// Environment variables that configure the cache.
const (
	// EnvDir overrides the cache folder.
	EnvDir = "DESTILL_CACHE_DIR"
	// EnvSize sets the size cap ("500MB", "2GiB"; "0" turns the cache off).
	EnvSize = "DESTILL_CACHE_SIZE"
)

// Dir returns the cache folder: $DESTILL_CACHE_DIR if set, else "destill"
// under userCacheDir (os.UserCacheDir). A nil userCacheDir, or one that
// fails, means there is no default folder.
func Dir(getenv func(string) string, userCacheDir func() (string, error)) (string, error) {
	if d := getenv(EnvDir); d != "" {
		return filepath.Clean(d), nil
	}
	if userCacheDir == nil {
		return "", errors.New("no user cache folder; set " + EnvDir)
	}
	d, err := userCacheDir()
	if err != nil {
		return "", fmt.Errorf("no user cache folder (%v); set %s", err, EnvDir)
	}
	return filepath.Join(d, "destill"), nil
}

var exeVersion struct {
	once sync.Once
	v    string
}

// ExecutableVersion identifies the code of the running program: version
// and a hash of its executable, so that analysis results cached by one
// build of destill are never reused by another (a development build keeps
// its version string across changes). It is "" when the executable cannot
// be read; results are then not cached.
func ExecutableVersion(version string) string {
	exeVersion.once.Do(func() {
		exe, err := os.Executable()
		if err != nil {
			return
		}
		f, err := os.Open(exe)
		if err != nil {
			return
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return
		}
		exeVersion.v = hex.EncodeToString(h.Sum(nil)[:12])
	})
	if exeVersion.v == "" {
		return ""
	}
	return version + "+" + exeVersion.v
}
