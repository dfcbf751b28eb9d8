// Package migrations holds destill's Postgres schema as SQL files embedded
// in the binary. backend/postgres applies them in version order with
// pressly/goose, each in its own transaction, recorded in the table
// destill_schema_migrations. A new file is NNNNN_what_it_does.sql with
// "-- +goose Up" and "-- +goose Down" sections; never edit one that shipped.
package migrations

import "embed"

// FS holds the migration files.
//
//go:embed *.sql
var FS embed.FS
