package db

import (
	"context"
	"database/sql/driver"
	"errors"
	"strings"
)

// The embedded SQLite driver prepares every query from its text each time:
// parsing and planning took over a third of the CPU of creating a ticket.
// cachingConnector keeps each connection's prepared statements by SQL
// text, the way SQLite is meant to be used, invisibly to callers.
type cachingConnector struct {
	dsn string
	drv driver.Driver
}

// maxCachedStmts bounds the statements one connection keeps.
const maxCachedStmts = 256

func (c *cachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &cachedConn{Conn: conn, stmts: make(map[string]*cachedStmt)}, nil
}

func (c *cachingConnector) Driver() driver.Driver { return c.drv }

// cachedConn is used by one goroutine at a time (database/sql holds the
// connection's lock for every call on it and on its rows), so it needs no
// lock of its own.
type cachedConn struct {
	driver.Conn
	stmts map[string]*cachedStmt
	order []string // insertion order, for eviction
}

type cachedStmt struct {
	st   driver.Stmt
	busy bool // its rows are still open
}

var errNotSupported = errors.New("db: driver lacks a context method")

func (c *cachedConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if multiStatement(query) {
		q, ok := c.Conn.(driver.QueryerContext)
		if !ok {
			return nil, errNotSupported
		}
		return q.QueryContext(ctx, query, args)
	}
	st, release, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := st.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		release()
		return nil, err
	}
	return &cachedRows{Rows: rows, release: release}, nil
}

func (c *cachedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if multiStatement(query) {
		e, ok := c.Conn.(driver.ExecerContext)
		if !ok {
			return nil, errNotSupported
		}
		return e.ExecContext(ctx, query, args)
	}
	st, release, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	defer release()
	return st.(driver.StmtExecContext).ExecContext(ctx, args)
}

// stmt returns the cached statement for query, preparing it on first use.
// A statement whose rows are still open is not shared: a one-off one is
// prepared and closed after use.
func (c *cachedConn) stmt(ctx context.Context, query string) (driver.Stmt, func(), error) {
	if cs, ok := c.stmts[query]; ok && !cs.busy {
		cs.busy = true
		return cs.st, func() { cs.busy = false }, nil
	}
	st, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, nil, err
	}
	if _, ok := c.stmts[query]; ok {
		return st, func() { st.Close() }, nil
	}
	c.evict()
	cs := &cachedStmt{st: st, busy: true}
	c.stmts[query] = cs
	c.order = append(c.order, query)
	return st, func() { cs.busy = false }, nil
}

// evict closes the oldest idle statement once the cache is full.
func (c *cachedConn) evict() {
	if len(c.stmts) < maxCachedStmts {
		return
	}
	for i, q := range c.order {
		if cs := c.stmts[q]; !cs.busy {
			cs.st.Close()
			delete(c.stmts, q)
			c.order = append(c.order[:i], c.order[i+1:]...)
			return
		}
	}
}

func (c *cachedConn) Close() error {
	for _, cs := range c.stmts {
		cs.st.Close()
	}
	c.stmts = nil
	return c.Conn.Close()
}

func (c *cachedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c *cachedConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
}

func (c *cachedConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *cachedConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *cachedConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

// cachedRows hands its statement back to the cache when closed.
type cachedRows struct {
	driver.Rows
	release func()
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	if r.release != nil {
		r.release()
		r.release = nil
	}
	return err
}

// ColumnTypeDatabaseTypeName passes the declared column type through: the
// driver reads TIMESTAMP columns back as time.Time by it.
func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

// multiStatement reports whether query holds more than one statement
// (migrations do); those run through the driver's own path.
func multiStatement(query string) bool {
	return strings.Contains(strings.TrimRight(query, "; \t\r\n"), ";")
}
