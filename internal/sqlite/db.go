package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"github.com/embudo/embudo/internal/crm"
)

// Options configure a Store. The zero value is the production setting.
type Options struct {
	// Logger receives the lines about database failures (naming the file)
	// and the change feed's retries; slog.Default() when nil.
	Logger *slog.Logger
	// Synchronous is the durability of a commit: "FULL" (the default: a
	// committed write survives a power cut) or "NORMAL" (the last commits
	// may be lost to a power cut, the database is never corrupted; for
	// benchmarks).
	Synchronous string
	// BusyTimeout is how long a statement waits for a lock another process
	// holds before the request fails with unavailable; 5 s when zero.
	BusyTimeout time.Duration
	// ReadConns is the size of the pool of read connections; 4 when zero.
	ReadConns int
	// Now is the clock of expiry (idempotency records, effect markers);
	// time.Now when nil.
	Now func() time.Time
	// ReadOnly opens an existing file read-only, as SQLite does by itself
	// with a file the process may not write: every write fails with
	// unavailable, and opening changes nothing in it (no expired record is
	// purged; a file that lacks a schema migration is refused). For
	// `embudo copy`, whose source never changes, and tests.
	ReadOnly bool

	// ungrouped commits each write transaction on its own, as before group
	// commit (group.go). Only the benchmark sets it.
	ungrouped bool
}

// Store implements crm.Store on one SQLite database file.
type Store struct {
	path string
	w    *sql.DB // the writer: every write transaction, BEGIN IMMEDIATE
	r    *sql.DB // the readers: never wait for a write (WAL)
	// reads runs reads outside a transaction on r, through its prepared
	// statements (stmts.go).
	reads *readStmts
	log   *slog.Logger
	now   func() time.Time
	busy  time.Duration // the busy timeout
	// changed is signalled after each commit that appended to the outbox,
	// to wake the change feed.
	changed chan struct{}

	// The group commit (group.go): writes queue for the writer goroutine,
	// which owns w and its prepared statements.
	queue     chan *writeReq
	group     int           // the most writes a commit holds (maxGroup, 1 when ungrouped)
	quit      chan struct{} // closed by Close
	stopped   chan struct{} // closed when the writer has stopped
	closing   sync.Once
	stmts     *stmtCache
	commits   atomic.Int64 // transactions committed
	committed atomic.Int64 // write transactions they held
}

var _ crm.Store = (*Store)(nil)

// ErrDamaged is wrapped by Open's error for a database file that fails its
// integrity check.
var ErrDamaged = errors.New("the database file is damaged")

// Open opens (creating it, and its parent directory with mode 0700, if
// needed) the database file at path with mode 0600, checks it with PRAGMA
// quick_check, refusing a damaged file with an error that names it and says
// how to restore it (errors.Is(err, ErrDamaged)), and applies the schema
// migrations it lacks. The journal is a WAL, so reads never wait for writes.
// With o.ReadOnly the file must exist (an error wrapping fs.ErrNotExist
// otherwise) and is not written.
func Open(ctx context.Context, path string, o Options) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	sync := strings.ToUpper(o.Synchronous)
	switch sync {
	case "":
		sync = "FULL"
	case "FULL", "NORMAL":
	default:
		return nil, fmt.Errorf("sqlite: synchronous must be FULL or NORMAL, not %q", o.Synchronous)
	}
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = 5 * time.Second
	}
	if o.ReadConns <= 0 {
		o.ReadConns = 4
	}
	if o.ReadOnly {
		if _, err := os.Stat(abs); err != nil {
			return nil, fmt.Errorf("sqlite: %w", err)
		}
	} else if err := createFile(abs); err != nil {
		return nil, err
	}
	s := &Store{path: abs, log: o.Logger, now: o.Now, busy: o.BusyTimeout, changed: make(chan struct{}, 1),
		group: maxGroup, queue: make(chan *writeReq, maxGroup), quit: make(chan struct{}), stopped: make(chan struct{}), stmts: newStmtCache()}
	if o.ungrouped {
		s.group = 1
	}
	busy := fmt.Sprintf("busy_timeout(%d)", o.BusyTimeout.Milliseconds())
	// temp_store(MEMORY): the savepoint of each write of a group keeps the
	// pages it changes in a sub-journal, for a rollback to it; in memory
	// rather than a temporary file (it is never needed after a crash).
	params := []string{"_txlock=immediate", "_pragma=" + busy, "_pragma=journal_mode(WAL)", "_pragma=synchronous(" + sync + ")",
		"_pragma=temp_store(MEMORY)"}
	if o.ReadOnly {
		params = append(params, "mode=ro")
	}
	s.w, err = sql.Open("sqlite", dsn(abs, params...))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	s.w.SetConnMaxLifetime(0)
	s.w.SetConnMaxIdleTime(0)
	if err := s.check(ctx); err != nil {
		s.w.Close()
		return nil, err
	}
	if err := migrate(ctx, s.w); err != nil {
		s.w.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", abs, err)
	}
	s.r, err = sql.Open("sqlite", dsn(abs, "_pragma="+busy, "_query_only=1"))
	if err != nil {
		s.w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	s.r.SetMaxOpenConns(o.ReadConns)
	s.r.SetMaxIdleConns(o.ReadConns)
	s.reads = newReadStmts(s.r)
	go s.writer()
	if !o.ReadOnly {
		s.purgeExpired(ctx)
	}
	return s, nil
}

// createFile makes the database's directory (0700) and the file (0600)
// when they do not exist, so that SQLite, which creates its -wal and -shm
// files with the database file's mode, never makes one readable by others.
func createFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("sqlite: create the database directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sqlite: create %s: %w", path, err)
	}
	return f.Close()
}

// dsn is the driver's name of the database file at path with parameters.
func dsn(path string, params ...string) string {
	u := url.URL{Scheme: "file", Path: path, OmitHost: true}
	return u.String() + "?" + strings.Join(params, "&")
}

// check runs PRAGMA quick_check, refusing a damaged database.
func (s *Store) check(ctx context.Context) error {
	damaged := func(detail string) error {
		return fmt.Errorf("sqlite: %w: %s (%s); stop embudo, move the file aside and restore the last backup made with `embudo backup` in its place",
			ErrDamaged, s.path, detail)
	}
	rows, err := s.w.QueryContext(ctx, "PRAGMA quick_check")
	if err != nil {
		if isDamage(err) {
			return damaged(err.Error())
		}
		return fmt.Errorf("sqlite: open %s: %w", s.path, err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("sqlite: check %s: %w", s.path, err)
		}
		if line != "ok" && len(problems) < 3 {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		if isDamage(err) {
			return damaged(err.Error())
		}
		return fmt.Errorf("sqlite: check %s: %w", s.path, err)
	}
	if len(problems) > 0 {
		return damaged(strings.Join(problems, "; "))
	}
	return nil
}

// purgeExpired drops the idempotency records and effect markers that have
// expired (they count as absent anyway), at start. A failure only logs.
func (s *Store) purgeExpired(ctx context.Context) {
	now := s.now().Unix()
	err := s.write(ctx, func(t *wtx) error {
		if err := t.exec("DELETE FROM idempotency WHERE expires_at > 0 AND expires_at <= ?", now); err != nil {
			return err
		}
		return t.exec("DELETE FROM effects WHERE expires_at > 0 AND expires_at <= ?", now)
	})
	if err != nil {
		s.log.Warn("could not purge expired records", "file", s.path, "err", err)
	}
}

// Path returns the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// Close closes the database, once the write transactions in progress
// are done (those queued after are refused with internal). A Feed must be
// closed first.
func (s *Store) Close() error {
	s.closing.Do(func() {
		close(s.quit)
		<-s.stopped
		s.stmts.close()
		s.reads.close()
	})
	return errors.Join(s.r.Close(), s.w.Close())
}

// querier is what reads need: the read pool, or a write transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// wtx is a write transaction in progress: one write of a group
// (group.go). Its statements run through the writer's prepared
// statements (stmts.go).
type wtx struct {
	ctx context.Context
	tx  *sql.Tx
	s   *Store
	// changed is set when the transaction appended to the outbox.
	changed bool
}

// found runs a query of one row and reports whether it returned one.
func (t *wtx) found(query string, args ...any) (bool, error) {
	var one int
	err := t.row(query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// readTx runs fn in one read transaction, so that what it reads is one
// snapshot.
func (s *Store) readTx(ctx context.Context, fn func(q querier) error) error {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return s.fail(err)
	}
	q := &rtx{tx: tx, c: s.reads}
	err = fn(q)
	_ = tx.Rollback()
	for _, query := range q.wanted {
		s.reads.prepared(ctx, query)
	}
	return s.fail(err)
}
