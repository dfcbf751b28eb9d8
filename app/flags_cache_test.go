package app

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseSize(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"2GiB", 2 << 30, true},
		{"500MB", 500_000_000, true},
		{"500 MiB", 500 << 20, true},
		{"1.5G", 1_500_000_000, true},
		{"0", 0, true},
		{"4096", 4096, true},
		{"lots", 0, false},
		{"-1GB", 0, false},
		{"", 0, false},
		{"99999999EiB", 0, false},
	} {
		got, err := parseSize(tc.in)
		if !tc.ok {
			require.Error(t, err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, got, "parseSize(%q)", tc.in)
	}
}

func TestParseAge(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"7d", 7 * 24 * time.Hour, true},
		{"2w", 14 * 24 * time.Hour, true},
		{"1.5d", 36 * time.Hour, true},
		{"12h", 12 * time.Hour, true},
		{"30m", 30 * time.Minute, true},
		{"0", 0, false},
		{"0d", 0, false},
		{"-3d", 0, false},
		{"7x", 0, false},
		{"d", 0, false},
		{"", 0, false},
		{"1e9d", 0, false},
	} {
		got, err := parseAge(tc.in)
		if !tc.ok {
			require.Error(t, err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, got, "parseAge(%q)", tc.in)
	}
}
