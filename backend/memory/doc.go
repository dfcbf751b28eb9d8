// Package memory implements backend.Transport and backend.Store in process:
// the laptop mode of destill, and the reference the Kafka and Postgres
// implementations are held to by the backendtest suites.
package memory
