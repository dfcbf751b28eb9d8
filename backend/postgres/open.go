package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // the "postgres" database/sql driver
)

// Open connects to the database at dsn (a postgres:// URL or a lib/pq
// key=value string) and checks that it answers. Errors name the server and
// database, never the password.
func Open(ctx context.Context, dsn string) (*sqlx.DB, error) {
	where, err := Describe(dsn)
	if err != nil {
		return nil, err
	}
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		return nil, fmt.Errorf("open PostgreSQL %s: %w", where, err)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("cannot reach PostgreSQL at %s: %s", where, scrub(err.Error(), dsn))
	}
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(8)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return db, nil
}

// Describe names the server and database of dsn ("host:port/db") without
// its credentials, or says why dsn is not a connection string.
func Describe(dsn string) (string, error) {
	dsn = strings.TrimSpace(dsn)
	if dsn == "" {
		return "", errors.New("no database URL given")
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", errors.New("the database URL is not a valid postgres:// URL")
		}
		host := u.Host
		if host == "" {
			host = "localhost"
		}
		return host + u.Path, nil
	}
	if !strings.Contains(dsn, "=") {
		return "", errors.New("the database URL is neither a postgres:// URL nor a key=value connection string")
	}
	kv := map[string]string{}
	for _, f := range strings.Fields(dsn) {
		if k, v, ok := strings.Cut(f, "="); ok {
			kv[k] = strings.Trim(v, "'")
		}
	}
	host := kv["host"]
	if host == "" {
		host = "localhost"
	}
	if p := kv["port"]; p != "" {
		host += ":" + p
	}
	return host + "/" + kv["dbname"], nil
}

// scrub removes dsn and its password from an error message.
func scrub(msg, dsn string) string {
	msg = strings.ReplaceAll(msg, dsn, "[database URL]")
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok && len(pw) > 0 {
			msg = strings.ReplaceAll(msg, pw, "[REDACTED]")
		}
	}
	return msg
}
