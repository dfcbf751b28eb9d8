// Package backendtest holds the conformance suites every backend.Transport
// and backend.Store implementation runs: the same tests prove the memory
// and Kafka transports deliver every message at least once, and that the
// memory and Postgres stores behave the same.
package backendtest
