// Package helm holds the tests of the Helm chart in destill/: helm lint,
// helm template with several sets of values, and a strict decode of every
// rendered manifest into the Kubernetes API types, so that a misspelled
// field fails. Only this package pays for compiling k8s.io/api.
package helm
