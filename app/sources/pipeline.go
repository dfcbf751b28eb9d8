package sources

import "github.com/destill-dev/destill/providers"

// ResolvePipeline turns a pipeline, workflow, project or job URL, or a
// build URL, into the provider's client (Input.Source), as Resolve does for
// builds, and returns what the URL names: ref (Number 0 for a pipeline's
// own URL) and the branch its query names ("" for none).
func ResolvePipeline(raw string, cfg Config) (in Input, ref providers.BuildRef, branch string, err error) {
	ref, branch, err = providers.ParsePipelineURL(raw)
	if err != nil {
		return Input{}, ref, "", &InputError{Err: err}
	}
	in, err = resolveRef(ref, cfg)
	if err != nil {
		return Input{}, ref, "", err
	}
	in.addEnvTokens(cfg.Getenv)
	return in, ref, branch, nil
}
