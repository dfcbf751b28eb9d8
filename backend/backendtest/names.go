package backendtest

import (
	"crypto/rand"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"
)

var illegal = regexp.MustCompile(`[^a-zA-Z0-9._-]+`)

// NewTopic returns a topic name unique to t, legal for Kafka.
func NewTopic(t testing.TB) string { return uniqueName(t, "topic") }

// NewGroup returns a consumer group name unique to t.
func NewGroup(t testing.TB) string { return uniqueName(t, "group") }

func uniqueName(t testing.TB, kind string) string {
	name := illegal.ReplaceAllString(t.Name(), "-")
	name = strings.Trim(name, "-")
	if len(name) > 120 {
		name = name[len(name)-120:]
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return kind + "-" + name + "-" + hex.EncodeToString(b)
}
