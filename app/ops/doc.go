// Package ops is what a worker shows its operators: Prometheus metrics,
// /healthz and /readyz on an HTTP address, and structured logs.
package ops
