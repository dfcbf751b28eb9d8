package analysistest

import (
	_ "embed"
	"fmt"
	"strings"
)

// secretsFile is the corpus of token formats: see its header.
//
//go:embed testdata/secrets.txt
var secretsFile string

// SecretFormat is one token format of the corpus, in a log excerpt.
type SecretFormat struct {
	Name string
	// Lines are the excerpt's log lines.
	Lines []string
	// Secrets are the values in Lines that must never be shown.
	Secrets []string
}

// SecretFormats returns the corpus of token formats (GitHub, GitLab,
// Buildkite, AWS, GCP, Azure, Slack, npm, PyPI, Docker, Stripe, SSH and PGP
// keys, JWTs, basic auth, password flags), every value fake.
func SecretFormats() []SecretFormat {
	var out []SecretFormat
	for _, line := range strings.Split(strings.TrimRight(secretsFile, "\n"), "\n") {
		if name, ok := strings.CutPrefix(line, "-- "); ok && strings.HasSuffix(name, " --") {
			out = append(out, SecretFormat{Name: strings.TrimSuffix(name, " --")})
			continue
		}
		if len(out) == 0 {
			continue // the header
		}
		f := &out[len(out)-1]
		var plain strings.Builder
		for {
			before, rest, ok := strings.Cut(line, "⟦")
			plain.WriteString(before)
			if !ok {
				break
			}
			secret, after, ok := strings.Cut(rest, "⟧")
			if !ok {
				panic(fmt.Sprintf("analysistest: unclosed ⟦ in format %s", f.Name))
			}
			plain.WriteString(secret)
			f.Secrets = append(f.Secrets, secret)
			line = after
		}
		f.Lines = append(f.Lines, plain.String())
	}
	return out
}

// SecretLog returns a failing build log in which every format of the
// corpus is part of a finding: an error line naming the format ("error:
// credentials leaked (NAME)") with the excerpt indented under it, so the
// analysis keeps each excerpt as the finding's text. It also returns every
// secret in it.
func SecretLog() (log string, secrets []string) {
	var b strings.Builder
	for i, f := range SecretFormats() {
		fmt.Fprintf(&b, "step %d: deploying\n", i)
		fmt.Fprintf(&b, "error: credentials leaked (%s)\n", f.Name)
		for _, l := range f.Lines {
			if l == "" {
				l = "(blank)" // a blank line would end the finding
			}
			fmt.Fprintf(&b, "    %s\n", l)
		}
		b.WriteString("\n")
		secrets = append(secrets, f.Secrets...)
	}
	return b.String(), secrets
}
