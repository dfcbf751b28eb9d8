package mcpserver

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/destill-dev/destill/providers/local"
)

// AllowedDirs returns dirs as analyze_build compares paths with them:
// absolute, cleaned, with symbolic links resolved where they exist.
func AllowedDirs(dirs []string) ([]string, error) {
	var out []string
	for _, d := range dirs {
		abs, err := filepath.Abs(d)
		if err != nil {
			return nil, fmt.Errorf("directory %s: %w", d, err)
		}
		if real, err := filepath.EvalSymlinks(abs); err == nil {
			abs = real
		}
		out = append(out, abs)
	}
	return out, nil
}

// allowedFile returns path with its symbolic links resolved when that is a
// regular file inside one of the allowed directories, or an error saying
// why it may not be read. The error does not tell whether a path outside
// the directories exists.
func (s *Server) allowedFile(path string) (string, error) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		if !s.inAllowedDir(filepath.Clean(path)) {
			return "", s.outsideErr(path, "")
		}
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("%s does not exist; check the path", path)
		}
		return "", fmt.Errorf("cannot resolve %s: %w", path, err)
	}
	if !s.inAllowedDir(real) {
		return "", s.outsideErr(path, real)
	}
	if err := local.CheckRegular(real); err != nil {
		return "", err
	}
	return real, nil
}

func (s *Server) inAllowedDir(path string) bool {
	for _, d := range s.allowed {
		if path == d || strings.HasPrefix(path, strings.TrimSuffix(d, string(filepath.Separator))+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

func (s *Server) outsideErr(path, real string) error {
	resolved := ""
	if real != "" && real != path {
		resolved = " (it resolves to " + real + ")"
	}
	if len(s.allowed) == 0 {
		return fmt.Errorf("path %s: this server may read no log file (no directory is allowed); restart it with destill mcp --allow-dir DIR, or give a build URL", path)
	}
	return fmt.Errorf("path %s%s is outside the directories this server may read (%s); move the log into one of them, or restart the server with destill mcp --allow-dir DIR",
		path, resolved, strings.Join(s.allowed, ", "))
}
