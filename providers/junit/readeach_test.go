package junit

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/providers"
)

func TestReadEach(t *testing.T) {
	read := func(p string) ([]providers.TestReport, error) {
		if p == "bad.xml" {
			return []providers.TestReport{{Path: p}}, errors.New("not a JUnit XML report")
		}
		return []providers.TestReport{{Path: p}}, nil
	}
	name := func(p string) string { return p }

	got, err := ReadEach([]string{"a.xml", "bad.xml", "b.xml", "c.xml", "d.xml"}, 3, "reports", name, read)
	require.Equal(t, []providers.TestReport{{Path: "a.xml"}, {Path: "b.xml"}}, got, "a failed source adds nothing; none past max is read")
	require.EqualError(t, err, "bad.xml: not a JUnit XML report; 2 more reports not read")

	got, err = ReadEach([]string{"a.xml"}, 3, "reports", name, read)
	require.NoError(t, err)
	require.Len(t, got, 1)
}
