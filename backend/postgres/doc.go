// Package postgres implements backend.Store on PostgreSQL with sqlx and
// lib/pq, and applies the schema embedded in package migrations.
package postgres
