// Package db opens Linedesk's database (embedded SQLite or PostgreSQL),
// runs its migrations and holds the few places where the dialects differ.
package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect names the SQL engine behind a DB.
type Dialect string

// The two supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is Linedesk's database. W takes every write and every transaction;
// R serves plain reads. On PostgreSQL they are the same pool; on SQLite W
// is a single connection (SQLite allows one writer) and R a reader pool.
type DB struct {
	W       *sql.DB
	R       *sql.DB
	Dialect Dialect

	path      string // the SQLite file
	syncFiles bool   // commits survive power loss, so files written with them must too
}

// SyncsCommits reports whether a commit survives a power loss: always on
// PostgreSQL; on SQLite only with synchronous=full. Files written as part
// of a change (attachments) are synced to disk exactly when the
// commit that records them is, so neither outlives the other's guarantee.
func (d *DB) SyncsCommits() bool { return d.syncFiles }

// Queryer is what *sql.DB and *sql.Tx have in common, so store functions
// run inside or outside a transaction.
type Queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Open connects to the database named by url: "sqlite:PATH" or
// "postgres://…". It does not run migrations.
func Open(ctx context.Context, url string) (*DB, error) {
	var d *DB
	var err error
	switch {
	case strings.HasPrefix(url, "sqlite:"):
		d, err = openSQLite(strings.TrimPrefix(url, "sqlite:"))
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		d, err = openPostgres(url)
	default:
		return nil, fmt.Errorf("open database: unsupported URL %q", url)
	}
	if err != nil {
		return nil, err
	}
	if err := d.W.PingContext(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	return d, nil
}

func openSQLite(url string) (*DB, error) {
	path, query, _ := strings.Cut(url, "?")
	sync := "normal"
	if query != "" {
		v, ok := strings.CutPrefix(query, "synchronous=")
		if !ok || (v != "normal" && v != "full") {
			return nil, fmt.Errorf("open database: sqlite: the only option is synchronous=normal or synchronous=full, not %q", query)
		}
		sync = v
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("open database: %w", err)
		}
	}
	drv, err := sqliteDriver()
	if err != nil {
		return nil, err
	}
	writer := sql.OpenDB(&cachingConnector{dsn: sqliteDSN(path, sync, "_txlock=immediate"), drv: drv})
	writer.SetMaxOpenConns(1)
	writer.SetConnMaxIdleTime(0)
	reader := sql.OpenDB(&cachingConnector{dsn: sqliteDSN(path, sync, "_pragma=query_only(1)"), drv: drv})
	reader.SetMaxOpenConns(8)
	reader.SetMaxIdleConns(8)
	return &DB{W: writer, R: reader, Dialect: SQLite, path: path, syncFiles: sync == "full"}, nil
}

// sqliteDriver returns the driver the sqlite package registered.
func sqliteDriver() (driver.Driver, error) {
	probe, err := sql.Open("sqlite", "")
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	defer probe.Close()
	return probe.Driver(), nil
}

// sqliteDSN keeps times as integer microseconds (exact, ordered, and read
// back as time.Time from TIMESTAMP columns), enables WAL and foreign keys,
// and waits for locks instead of failing. With synchronous NORMAL (the
// default) a commit survives a crash of the process but may be lost with
// the last moments before a power failure; FULL syncs every commit.
func sqliteDSN(path, sync, extra string) string {
	return "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(" + strings.ToUpper(sync) + ")" +
		"&_time_integer_format=unix_micro&_inttotime=1&" + extra
}

func openPostgres(url string) (*DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	cfg.RuntimeParams["timezone"] = "UTC"
	pool := stdlib.OpenDB(*cfg, stdlib.OptionAfterConnect(func(_ context.Context, c *pgx.Conn) error {
		c.TypeMap().RegisterType(&pgtype.Type{
			Name: "timestamptz", OID: pgtype.TimestamptzOID,
			Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC},
		})
		return nil
	}))
	pool.SetMaxOpenConns(20)
	pool.SetMaxIdleConns(20)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	return &DB{W: pool, R: pool, Dialect: Postgres, syncFiles: true}, nil
}

// Close closes both pools.
func (d *DB) Close() error {
	err := d.W.Close()
	if d.R != d.W {
		err = errors.Join(err, d.R.Close())
	}
	return err
}

// Tx runs fn in a write transaction: committed when fn returns nil,
// rolled back otherwise. On SQLite the transaction begins IMMEDIATE.
func (d *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := d.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// SkipLocked is the clause that lets several workers claim rows without
// waiting for each other. SQLite has one writer, so it needs none.
func (d *DB) SkipLocked() string {
	if d.Dialect == Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// IsUniqueViolation reports whether err is a unique-constraint failure.
func IsUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// IsForeignKeyViolation reports whether err is a foreign-key failure.
func IsForeignKeyViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23503"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	return false
}

// Now returns the current time as stored: UTC, to the microsecond, which
// both dialects keep exactly.
func Now() time.Time {
	return time.Now().UTC().Truncate(time.Microsecond)
}
