package app

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBrowserOpener(t *testing.T) {
	t.Parallel()
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	require.Nil(t, browserOpener(env()), "no browser over SSH or in CI")
	require.Nil(t, browserOpener(env("BROWSER", "no-such-browser-xyz")))
	open := browserOpener(env("BROWSER", "true --ignored"))
	require.NotNil(t, open)
	require.NoError(t, open(context.Background(), "https://example.com"))
	fail := browserOpener(env("BROWSER", "false"))
	require.ErrorContains(t, fail(context.Background(), "https://example.com"), "false: exit status 1")
}
