package sources

import "fmt"

// resolveBuildURL resolves a CI build URL. Provider support arrives with
// the providers packages.
func resolveBuildURL(raw string, cfg Config) (Input, error) {
	return Input{}, &InputError{Err: fmt.Errorf("not a build URL destill can read yet: %s", raw)}
}

// InputError is an input the user named wrongly (a malformed URL, an
// unsupported provider): a usage error rather than a failure to fetch.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }
