package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/lib/pq"
)

// Tables are the tables destill's migrations create; the store reads and
// writes all of them.
var Tables = []string{"requests", "request_jobs", "chunk_results", "findings", "baselines",
	"history_builds", "history_jobs", "history_fingerprints"}

// queryer runs a query: a *sql.DB or a *sql.Conn.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// AccessError is PostgreSQL refusing the role something destill needs, said
// in one line with the statement that grants it.
type AccessError struct {
	Role, Schema string
	// Missing names what is missing: "USAGE on a schema of the
	// search_path", "CREATE on schema s", "INSERT, UPDATE on table t".
	Missing string
	// Grant is the statement that fixes it.
	Grant string
	// Why says what needs it ("" when everything does).
	Why string
}

func (e *AccessError) Error() string {
	why := ""
	if e.Why != "" {
		why = ", needed " + e.Why
	}
	return fmt.Sprintf("PostgreSQL role %s lacks %s%s: %s", e.Role, e.Missing, why, e.Grant)
}

// CheckAccess returns an *AccessError when the connection's role cannot
// use its schema, or lacks a privilege the store needs on one of Tables
// that exists: SELECT, and with write INSERT, UPDATE and DELETE too; and
// SELECT on the migrations table. migrate also asks for CREATE on the
// schema and INSERT on the migrations table, to apply migrations.
func CheckAccess(ctx context.Context, q queryer, write, migrate bool) error {
	role, schema, err := roleSchema(ctx, q)
	if err != nil {
		return err
	}
	if migrate {
		var create bool
		if err := q.QueryRowContext(ctx, `SELECT has_schema_privilege(current_schema(), 'CREATE')`).Scan(&create); err != nil {
			return fmt.Errorf("check the privileges of role %s: %w", role, err)
		}
		if !create {
			return &AccessError{Role: role, Schema: schema, Missing: "CREATE on schema " + schema, Why: "to apply destill's migrations",
				Grant: fmt.Sprintf("GRANT CREATE ON SCHEMA %s TO %s, or run `destill migrate` as the schema's owner and start workers with --no-migrate",
					pq.QuoteIdentifier(schema), pq.QuoteIdentifier(role))}
		}
	}
	rows, err := q.QueryContext(ctx, `SELECT c.relname, has_table_privilege(c.oid, 'SELECT'), has_table_privilege(c.oid, 'INSERT'),
		has_table_privilege(c.oid, 'UPDATE'), has_table_privilege(c.oid, 'DELETE')
		FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ANY($1) ORDER BY c.relname`,
		pq.Array(append([]string{MigrationsTable}, Tables...)))
	if err != nil {
		return fmt.Errorf("check the privileges of role %s: %w", role, err)
	}
	defer rows.Close()
	for rows.Next() {
		var table string
		var priv [4]bool
		if err := rows.Scan(&table, &priv[0], &priv[1], &priv[2], &priv[3]); err != nil {
			return fmt.Errorf("check the privileges of role %s: %w", role, err)
		}
		need := [4]bool{true, write, write, write}
		grant := "SELECT, INSERT, UPDATE, DELETE"
		if table == MigrationsTable {
			need = [4]bool{true, migrate, false, false}
			if !migrate {
				grant = "SELECT"
			}
		} else if !write {
			grant = "SELECT"
		}
		var missing []string
		for i, name := range []string{"SELECT", "INSERT", "UPDATE", "DELETE"} {
			if need[i] && !priv[i] {
				missing = append(missing, name)
			}
		}
		if len(missing) > 0 {
			return &AccessError{Role: role, Schema: schema, Missing: strings.Join(missing, ", ") + " on table " + table,
				Grant: fmt.Sprintf("GRANT %s ON ALL TABLES IN SCHEMA %s TO %s", grant, pq.QuoteIdentifier(schema), pq.QuoteIdentifier(role))}
		}
	}
	return rows.Err()
}

// roleSchema returns the connection's role and the schema it works in, or
// an *AccessError when no schema of its search_path is usable (PostgreSQL
// then reports no current schema at all).
func roleSchema(ctx context.Context, q queryer) (role, schema string, err error) {
	var cur sql.NullString
	var path string
	err = q.QueryRowContext(ctx, `SELECT current_user, current_schema(), current_setting('search_path')`).Scan(&role, &cur, &path)
	if err != nil {
		return "", "", fmt.Errorf("read the role and schema: %w", err)
	}
	if !cur.Valid {
		first := strings.TrimSpace(strings.Split(path, ",")[0])
		return role, "", &AccessError{Role: role, Missing: fmt.Sprintf("USAGE on every schema of its search_path (%s)", path),
			Grant: fmt.Sprintf("GRANT USAGE, CREATE ON SCHEMA %s TO %s, or set search_path to a schema it may use", first, pq.QuoteIdentifier(role))}
	}
	return role, cur.String, nil
}

// explainAccess returns the *AccessError in err, or, when err is
// PostgreSQL refusing access, the one CheckAccess finds; any other error
// comes back as it is.
func explainAccess(ctx context.Context, q queryer, err error, migrate bool) error {
	var ae *AccessError
	if errors.As(err, &ae) {
		return ae
	}
	var pe *pq.Error
	if !errors.As(err, &pe) {
		return err
	}
	// Without a usable schema any statement can fail: "no schema has been
	// selected", "relation does not exist".
	if _, _, serr := roleSchema(ctx, q); errors.As(serr, &ae) {
		return ae
	}
	if pe.Code != "42501" { // insufficient_privilege
		return err
	}
	if aerr := CheckAccess(ctx, q, false, migrate); aerr != nil {
		var ae *AccessError
		if errors.As(aerr, &ae) {
			return ae
		}
	}
	return err
}
