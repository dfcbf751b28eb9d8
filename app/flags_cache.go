package app

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/urfave/cli/v3"

	"github.com/destill-dev/destill/app/cache"
	"github.com/destill-dev/destill/app/pipeline"
	"github.com/destill-dev/destill/app/sources"
)

// cacheFlags are the flags that steer the log cache of analyze.
type cacheFlags struct {
	noCache bool
	offline bool
	size    string // --cache-size as given ("" : DESTILL_CACHE_SIZE or the default)
}

func cacheSizeFlag() cli.Flag {
	return &cli.StringFlag{Name: "cache-size", Usage: "cap the log cache at `SIZE` (500MB, 2GiB; 0 turns it off; default 2GiB or $" + cache.EnvSize + ")"}
}

func cacheFlagList() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "no-cache", Usage: "fetch every log again, ignoring the log cache (what is fetched replaces it)"},
		&cli.BoolFlag{Name: "offline", Usage: "read the build and its logs from the log cache only; never call the provider (no token needed)"},
		cacheSizeFlag(),
	}
}

func readCacheFlags(cmd *cli.Command) (cacheFlags, error) {
	f := cacheFlags{noCache: cmd.Bool("no-cache"), offline: cmd.Bool("offline"), size: cmd.String("cache-size")}
	if f.noCache && f.offline {
		return f, usageErrorf("--offline and --no-cache contradict each other: --offline reads only the cache")
	}
	if f.size != "" {
		if _, err := parseSize(f.size); err != nil {
			return f, usageErrorf("--cache-size: %v", err)
		}
	}
	return f, nil
}

// parseSize reads a size such as "500MB", "2GiB" or "0".
func parseSize(s string) (int64, error) {
	n, err := humanize.ParseBytes(strings.TrimSpace(s))
	if err != nil || n > 1<<62 {
		return 0, fmt.Errorf("%q is not a size: use a size such as 500MB or 2GiB (0 turns the cache off)", s)
	}
	return int64(n), nil
}

// cacheMaxBytes is the cap: the flag, else DESTILL_CACHE_SIZE, else the
// default.
func cacheMaxBytes(streams *Streams, flag string) (int64, error) {
	if flag != "" {
		n, err := parseSize(flag)
		if err != nil {
			return 0, usageErrorf("--cache-size: %v", err)
		}
		return n, nil
	}
	if env := streams.Getenv(cache.EnvSize); env != "" {
		n, err := parseSize(env)
		if err != nil {
			return 0, fmt.Errorf("%s: %v", cache.EnvSize, err)
		}
		return n, nil
	}
	return cache.DefaultMaxBytes, nil
}

// parseAge reads a duration such as "7d", "2w", "12h" or "30m".
func parseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var d time.Duration
	var err error
	switch {
	case strings.HasSuffix(s, "d") || strings.HasSuffix(s, "w"):
		unit := 24 * time.Hour
		if strings.HasSuffix(s, "w") {
			unit *= 7
		}
		var n float64
		n, err = strconv.ParseFloat(s[:len(s)-1], 64)
		if err == nil && n > 1e5 {
			err = errors.New("too long")
		}
		d = time.Duration(n * float64(unit))
	default:
		d, err = time.ParseDuration(s)
	}
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a duration: use one such as 7d, 2w, 12h or 30m (more than 0; --all removes everything)", s)
	}
	return d, nil
}

// openCache opens the cache store for analyze and returns the source
// wrapped with it, and the cache's folder (nil when off). The cache is
// off, and src returned as is, when the input is not a build URL, the cap
// is 0, or (silently) when the streams name no cache folder. A cache that
// cannot be opened is reported on stderr and skipped, unless --offline
// needs it.
func openCache(streams *Streams, in sources.Input, f cacheFlags, warn func(string)) (pipeline.Source, *cache.Folder, error) {
	if in.CacheScope == "" {
		return in.Source, nil, nil
	}
	folder, err := openCacheFolder(streams, f, warn)
	if err != nil || folder == nil {
		return in.Source, nil, err
	}
	return cache.Wrap(in.Source, cache.Config{
		Folder:          folder,
		Scope:           in.CacheScope,
		BuildKey:        in.CacheBuild,
		Offline:         f.offline,
		Refresh:         f.noCache,
		AnalyzerVersion: cache.ExecutableVersion(Version),
		Secrets:         in.Secrets,
		WarnFunc:        warn,
	}), folder, nil
}

// openCacheFolder opens the log cache's folder as openCache does: nil
// when the cache is off.
func openCacheFolder(streams *Streams, f cacheFlags, warn func(string)) (*cache.Folder, error) {
	max, err := cacheMaxBytes(streams, f.size)
	if err != nil {
		return nil, err
	}
	if max == 0 {
		if f.offline {
			return nil, usageErrorf("--offline needs the log cache, which the cache size of 0 turns off")
		}
		return nil, nil
	}
	if streams.UserCacheDir == nil && streams.Getenv(cache.EnvDir) == "" {
		if f.offline {
			return nil, fmt.Errorf("--offline needs the log cache: set %s", cache.EnvDir)
		}
		return nil, nil
	}
	dir, err := cache.Dir(streams.Getenv, streams.UserCacheDir)
	var folder *cache.Folder
	if err == nil {
		folder, err = cache.Open(dir, cache.Options{MaxBytes: max})
	}
	if err != nil {
		if f.offline {
			return nil, fmt.Errorf("--offline needs the log cache: %w", err)
		}
		warn(fmt.Sprintf("cache: %v; continuing without it", err))
		return nil, nil
	}
	return folder, nil
}

// openFolderForCommand opens the cache for the cache commands. create
// false leaves a missing folder missing (and returns a nil store).
func openFolderForCommand(streams *Streams, sizeFlag string, create bool) (*cache.Folder, string, error) {
	max, err := cacheMaxBytes(streams, sizeFlag)
	if err != nil {
		return nil, "", err
	}
	dir, err := cache.Dir(streams.Getenv, streams.UserCacheDir)
	if err != nil {
		return nil, "", err
	}
	if !create {
		if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
			return nil, dir, nil
		}
	}
	st, err := cache.Open(dir, cache.Options{MaxBytes: max})
	return st, dir, err
}
