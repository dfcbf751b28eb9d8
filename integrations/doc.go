// Package integrations holds the CI integrations' tests: the GitHub Action
// in github-action/ and the Buildkite plugin in buildkite/ are run as their
// CI would run them, against a release of the real binary served locally
// and the fake CI APIs of providers/providertest, and their job summary and
// annotation are checked.
package integrations
