package local

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func gz(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestFileReadsPlainAndGzip(t *testing.T) {
	dir := t.TempDir()
	const text = "line one\nerror: boom\n"
	tests := []struct {
		name string
		data []byte
	}{
		{"plain.log", []byte(text)},
		{"packed.log.gz", gz(t, text)},
		{"empty.log", nil},
		{"one-byte.log", []byte{0x1f}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name)
			if err := os.WriteFile(path, tt.data, 0o600); err != nil {
				t.Fatal(err)
			}
			f := File{Path: path}
			b, err := f.Build(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Jobs) != 1 || b.Jobs[0].Name != tt.name || !b.Jobs[0].HasLog {
				t.Fatalf("jobs = %+v, want one job named %s with a log", b.Jobs, tt.name)
			}
			rc, err := f.OpenLog(context.Background(), b.Jobs[0])
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			got, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			want := string(tt.data)
			if strings.HasSuffix(tt.name, ".gz") {
				want = text
			}
			if string(got) != want {
				t.Errorf("read %q, want %q", got, want)
			}
		})
	}
}

func TestFileErrorsSayWhatToDo(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.gz")
	os.WriteFile(bad, []byte{0x1f, 0x8b, 0, 0}, 0o600)
	tests := []struct {
		name, path, want string
		open             bool
	}{
		{"missing", filepath.Join(dir, "nope.log"), "does not exist; check the path", false},
		{"directory", dir, "is a directory; pass a log file", false},
		{"corrupt gzip", bad, "not a valid gzip stream", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := File{Path: tt.path}
			b, err := f.Build(context.Background())
			if tt.open {
				if err != nil {
					t.Fatal(err)
				}
				_, err = f.OpenLog(context.Background(), b.Jobs[0])
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestStdinReadsGzip(t *testing.T) {
	s := Stdin{R: bytes.NewReader(gz(t, "piped\n"))}
	b, _ := s.Build(context.Background())
	rc, err := s.OpenLog(context.Background(), b.Jobs[0])
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	if string(got) != "piped\n" {
		t.Errorf("read %q, want %q", got, "piped\n")
	}
}
