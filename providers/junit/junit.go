// Package junit reads the failed test cases out of JUnit XML test reports
// (the format of Surefire, go-junit-report, pytest --junitxml, jest-junit).
package junit

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/destill-dev/destill/providers"
)

// MaxDetails caps the bytes of a failure's body kept per test case.
const MaxDetails = 16 << 10

// Parse reads a JUnit XML report and returns its failed and errored test
// cases. It streams: reports of any size use bounded memory. A document
// that is not a JUnit report (no <testsuite> or <testsuites> root) is an
// error.
func Parse(r io.Reader) ([]providers.TestCase, error) {
	dec := xml.NewDecoder(r)
	dec.Strict = false
	dec.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) { return in, nil }
	var (
		out      []providers.TestCase
		root     = true
		current  *providers.TestCase
		inResult bool
		failed   bool
		details  strings.Builder
		suiteCls []string
		files    []string
	)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return out, fmt.Errorf("read JUnit XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root {
				if t.Name.Local != "testsuites" && t.Name.Local != "testsuite" {
					return nil, fmt.Errorf("not a JUnit XML report: root element <%s>", t.Name.Local)
				}
				root = false
			}
			switch t.Name.Local {
			case "testsuite":
				suiteCls = append(suiteCls, attr(t, "name"))
				files = append(files, attr(t, "file"))
			case "testcase":
				current = &providers.TestCase{Name: attr(t, "name"), Classname: attr(t, "classname"), File: attr(t, "file")}
				if current.File == "" && len(files) > 0 {
					current.File = files[len(files)-1]
				}
				if current.Classname == "" && len(suiteCls) > 0 {
					current.Classname = suiteCls[len(suiteCls)-1]
				}
				failed = false
				details.Reset()
			case "failure", "error":
				if current != nil {
					failed, inResult = true, true
					if current.Message == "" {
						current.Message = strings.TrimSpace(attr(t, "message"))
						if current.Message == "" {
							current.Message = strings.TrimSpace(attr(t, "type"))
						}
					}
				}
			}
		case xml.CharData:
			if inResult && details.Len() < MaxDetails {
				s := string(t)
				if rem := MaxDetails - details.Len(); len(s) > rem {
					s = s[:rem]
				}
				details.WriteString(s)
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "failure", "error":
				inResult = false
			case "testcase":
				if current != nil && failed {
					current.Details = strings.Trim(details.String(), "\r\n")
					if current.Message == "" {
						current.Message = firstLine(current.Details)
					}
					out = append(out, *current)
				}
				current = nil
			case "testsuite":
				if len(suiteCls) > 0 {
					suiteCls = suiteCls[:len(suiteCls)-1]
					files = files[:len(files)-1]
				}
			}
		}
	}
	if root {
		return nil, errors.New("not a JUnit XML report: empty document")
	}
	return out, nil
}

func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// LooksLikeReport reports whether an artifact path is probably a JUnit XML
// report worth downloading.
func LooksLikeReport(p string) bool {
	return strings.ToLower(path.Ext(p)) == ".xml" && NamesTestResults(p)
}

// NamesTestResults reports whether an artifact's name or path suggests
// test results ("junit", "test", "surefire", "report", "results").
func NamesTestResults(name string) bool {
	n := strings.ToLower(name)
	for _, hint := range []string{"junit", "test", "surefire", "report", "results"} {
		if strings.Contains(n, hint) {
			return true
		}
	}
	return false
}
