package junit

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/providers"
)

func TestParse(t *testing.T) {
	f, err := os.Open("testdata/go-junit-report.xml")
	require.NoError(t, err)
	defer f.Close()
	cases, err := Parse(f)
	require.NoError(t, err)
	require.Equal(t, []providers.TestCase{
		{Name: "TestUploadRetry", Classname: "github.com/acme/web-app/internal/upload", Message: "Failed",
			Details: "retry_test.go:88: got 2 attempts, want 3"},
		{Name: "TestUploadPanics", Classname: "github.com/acme/web-app/internal/upload",
			Message: "panic: runtime error: index out of range [3] with length 3",
			Details: "goroutine 7 [running]:\ngithub.com/acme/web-app/internal/upload.split(...)\n\t/src/upload.go:41 +0x1d"},
	}, cases)
}

func TestParseSingleSuiteAndMessageFromBody(t *testing.T) {
	cases, err := Parse(strings.NewReader(`<testsuite name="Suite" file="spec/a_spec.rb"><testcase name="adds"><failure>expected 2
got 3</failure></testcase></testsuite>`))
	require.NoError(t, err)
	require.Equal(t, []providers.TestCase{{Name: "adds", Classname: "Suite", File: "spec/a_spec.rb", Message: "expected 2", Details: "expected 2\ngot 3"}}, cases)
}

func TestParseRejects(t *testing.T) {
	for _, in := range []string{"", "<html><body>no</body></html>", "<testsuite><testcase name="} {
		_, err := Parse(strings.NewReader(in))
		require.Error(t, err, in)
	}
}

func TestParseCapsDetails(t *testing.T) {
	big := strings.Repeat("x", 3*MaxDetails)
	cases, err := Parse(strings.NewReader(`<testsuite><testcase name="big"><failure message="m">` + big + `</failure></testcase></testsuite>`))
	require.NoError(t, err)
	require.Len(t, cases[0].Details, MaxDetails)
}

func TestLooksLikeReport(t *testing.T) {
	for p, want := range map[string]bool{
		"reports/junit/unit.xml": true, "target/surefire-reports/TEST-a.xml": true, "test-results.xml": true,
		"coverage.out": false, "pom.xml": false, "junit.txt": false,
	} {
		require.Equal(t, want, LooksLikeReport(p), p)
	}
}

func TestNamesTestResults(t *testing.T) {
	for name, want := range map[string]bool{
		"junit-ubuntu-latest-1.26": true, "Test-Results": true, "surefire": true,
		"coverage": false, "dist": false,
	} {
		require.Equal(t, want, NamesTestResults(name), name)
	}
}
