package providers

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAPIBase(t *testing.T) {
	for in, want := range map[string]string{
		"": "https://api.example.com", "/": "https://api.example.com",
		"https://ghe.acme.corp/api/v3/": "https://ghe.acme.corp/api/v3", "http://127.0.0.1:8080": "http://127.0.0.1:8080",
	} {
		require.Equal(t, want, ClientConfig{BaseURL: in}.APIBase("https://api.example.com"), in)
	}
}
