package cache

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDir(t *testing.T) {
	t.Parallel()
	userDir := func() (string, error) { return "/home/u/.cache", nil }
	noHome := func() (string, error) { return "", errors.New("neither $XDG_CACHE_HOME nor $HOME are defined") }
	for _, tc := range []struct {
		name    string
		env     map[string]string
		userDir func() (string, error)
		want    string
		wantErr string
	}{
		{"user cache folder", nil, userDir, filepath.Join("/home/u/.cache", "destill"), ""},
		{"DESTILL_CACHE_DIR wins", map[string]string{EnvDir: "/tmp/c/"}, userDir, filepath.Clean("/tmp/c"), ""},
		{"DESTILL_CACHE_DIR without a home", map[string]string{EnvDir: "/tmp/c"}, noHome, filepath.Clean("/tmp/c"), ""},
		{"no home", nil, noHome, "", "set DESTILL_CACHE_DIR"},
		{"no user cache folder at all", nil, nil, "", "set DESTILL_CACHE_DIR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Dir(func(k string) string { return tc.env[k] }, tc.userDir)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestExecutableVersion(t *testing.T) {
	t.Parallel()
	v := ExecutableVersion("1.2.3")
	require.Regexp(t, `^1\.2\.3\+[0-9a-f]{24}$`, v)
	require.Equal(t, v, ExecutableVersion("1.2.3"))
	require.NotEqual(t, v, ExecutableVersion("dev"), "the version is part of it")
}
