package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// The writer's prepared statements. database/sql over modernc.org/sqlite
// keeps no statement cache: a query run by text is parsed and planned
// each time, which was a tenth of the CPU a lead cost. The writer keeps
// each statement its transactions run, prepared once on the writer
// connection (database/sql's Tx.Stmt then runs it there without preparing
// it again). A statement first seen inside a group runs by text and is
// prepared in the group's transaction for the rest of it, and on the
// writer connection after the group's commit, when the connection is
// free: the pool has one connection, which the group's transaction holds.

// maxStmts bounds the cache; the store's statements number in the
// dozens, those built per call (a list of n IDs) in the few hundreds.
const maxStmts = 512

// stmtCache is the writer's statements, used by the writer goroutine only.
type stmtCache struct {
	stmts  map[string]*sql.Stmt
	wanted map[string]bool      // first seen in the last group, to prepare
	inTx   map[string]*sql.Stmt // prepared in the group's transaction
}

func newStmtCache() *stmtCache {
	return &stmtCache{stmts: map[string]*sql.Stmt{}, wanted: map[string]bool{}, inTx: map[string]*sql.Stmt{}}
}

// get returns the statement of query in tx: the writer connection's, else
// one prepared in tx (nil if it does not prepare: the caller runs it by
// text and gets its error).
func (c *stmtCache) get(ctx context.Context, tx *sql.Tx, query string) *sql.Stmt {
	if st, ok := c.stmts[query]; ok {
		return tx.StmtContext(ctx, st)
	}
	if st, ok := c.inTx[query]; ok {
		return st
	}
	if len(c.stmts)+len(c.wanted) >= maxStmts {
		return nil
	}
	st, err := tx.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.wanted[query] = true
	c.inTx[query] = st
	return st
}

// newTx forgets the statements of the last transaction (closed with it).
func (c *stmtCache) newTx() { clear(c.inTx) }

// prepareWanted prepares on db the statements the last group ran by text.
// One that does not prepare is left out (its write failed the same way).
func (c *stmtCache) prepareWanted(db *sql.DB) {
	for q := range c.wanted {
		if st, err := db.Prepare(q); err == nil {
			c.stmts[q] = st
		}
		delete(c.wanted, q)
	}
}

// close closes the prepared statements.
func (c *stmtCache) close() {
	for q, st := range c.stmts {
		_ = st.Close()
		delete(c.stmts, q)
	}
}

// stmt is query's prepared statement in t's transaction, or nil.
func (t *wtx) stmt(query string) *sql.Stmt { return t.s.stmts.get(t.ctx, t.tx, query) }

func (t *wtx) exec(query string, args ...any) error {
	var err error
	if st := t.stmt(query); st != nil {
		_, err = st.ExecContext(t.ctx, args...)
	} else {
		_, err = t.tx.ExecContext(t.ctx, query, args...)
	}
	return err
}

func (t *wtx) row(query string, args ...any) *sql.Row {
	return t.QueryRowContext(t.ctx, query, args...)
}

// QueryRowContext makes t a querier (for the reads a write makes); ctx is
// t's own.
func (t *wtx) QueryRowContext(_ context.Context, query string, args ...any) *sql.Row {
	if st := t.stmt(query); st != nil {
		return st.QueryRowContext(t.ctx, args...)
	}
	return t.tx.QueryRowContext(t.ctx, query, args...)
}

// QueryContext makes t a querier; ctx is t's own.
func (t *wtx) QueryContext(_ context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.stmt(query); st != nil {
		return st.QueryContext(t.ctx, args...)
	}
	return t.tx.QueryContext(t.ctx, query, args...)
}

// readStmts is the read pool's prepared statements: a querier for reads
// outside a transaction, each statement prepared once per connection
// (database/sql's Stmt prepares it on each connection it runs on, once).
// Preparing takes a connection of the pool, so a read transaction, which
// holds one, never prepares: it uses the statements prepared already and
// prepares those it lacked once it is done (readTx).
type readStmts struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

func newReadStmts(db *sql.DB) *readStmts { return &readStmts{db: db, m: map[string]*sql.Stmt{}} }

// lookup returns query's statement if it is prepared.
func (c *readStmts) lookup(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[query]
}

// prepared returns query's statement, preparing it if needed; nil if it
// does not prepare (run by text, it gives its error) or the cache is full.
// Never from inside a read transaction.
func (c *readStmts) prepared(ctx context.Context, query string) *sql.Stmt {
	c.mu.Lock()
	st, full := c.m[query], len(c.m) >= maxStmts
	c.mu.Unlock()
	if st != nil || full {
		return st
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if had, ok := c.m[query]; ok {
		_ = st.Close()
		return had
	}
	c.m[query] = st
	return st
}

// QueryRowContext makes c a querier.
func (c *readStmts) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := c.prepared(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return c.db.QueryRowContext(ctx, query, args...)
}

// QueryContext makes c a querier.
func (c *readStmts) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := c.prepared(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return c.db.QueryContext(ctx, query, args...)
}

// close closes the prepared statements.
func (c *readStmts) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.m {
		_ = st.Close()
		delete(c.m, q)
	}
}

// rtx is a read transaction as a querier: it runs the statements prepared
// already, and the others by text, noting them for readTx to prepare.
type rtx struct {
	tx     *sql.Tx
	c      *readStmts
	wanted []string
}

// QueryRowContext makes t a querier.
func (t *rtx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.c.lookup(query); st != nil {
		return t.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	t.wanted = append(t.wanted, query)
	return t.tx.QueryRowContext(ctx, query, args...)
}

// QueryContext makes t a querier.
func (t *rtx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.c.lookup(query); st != nil {
		return t.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	t.wanted = append(t.wanted, query)
	return t.tx.QueryContext(ctx, query, args...)
}
