package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime/debug"
	"sync/atomic"

	"github.com/embudo/embudo/internal/crm"
)

// Group commit. Every write transaction of the store goes through one
// goroutine, the writer, which owns the one writer connection. A write
// queues its function; the writer takes what is queued (up to maxGroup
// writes) and runs it as one SQLite transaction, each write under a
// SAVEPOINT of its own: a write that fails is rolled back to its savepoint
// and only its caller gets its error; the others stay. Then one COMMIT,
// one fsync, makes the whole group durable, and only then is each caller
// answered. Writes queued while a group commits form the next group, so
// the more writers wait, the more each fsync carries; a lone write is
// committed at once, as before.
//
// Each write sees the writes of the group before it, as it would have seen
// them committed one by one, so a group commits exactly what the same
// writes in that order would have. What a group shares is its fate on
// commit: if the COMMIT fails, every write of it gets the error (nothing
// of any is stored). If SQLite rolls the whole transaction back while
// running one write (an I/O error, a full disk), that write gets the
// error and the group's other writes run again in a new transaction.

// maxGroup is the most write transactions one commit holds.
const maxGroup = 64

// writeReq is one write transaction waiting for, or in, a group.
type writeReq struct {
	ctx     context.Context
	fn      func(*wtx) error
	state   atomic.Int32 // reqQueued, then reqTaken by the writer or reqAbandoned by its caller
	done    chan error   // the answer, once the group's commit is durable (buffered)
	changed bool         // it appended to the outbox
}

// States of a writeReq.
const (
	reqQueued int32 = iota
	reqTaken
	reqAbandoned
)

// errClosed is the error of a write after Close.
var errClosed = errors.New("sqlite: the store is closed")

// write runs fn in a write transaction of a group: its writes are kept if
// it returns nil and rolled back otherwise, and it returns once they are
// committed (durable as Options.Synchronous says) or rolled back. crm
// errors from fn are returned as they are; database failures become
// unavailable or internal (see fail). Once the writer has taken it, fn runs
// to its end even if ctx is cancelled meanwhile (its statements do not see
// the cancellation), so a cancelled caller never leaves half a write; a
// write still queued when ctx ends is dropped and returns ctx's error.
func (s *Store) write(ctx context.Context, fn func(*wtx) error) error {
	if err := ctx.Err(); err != nil {
		return s.fail(err)
	}
	r := &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case s.queue <- r:
	case <-ctx.Done():
		return s.fail(ctx.Err())
	case <-s.stopped:
		return crm.Internal(errClosed)
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		if r.state.CompareAndSwap(reqQueued, reqAbandoned) {
			return s.fail(ctx.Err())
		}
		return <-r.done // taken: answered once its group is done
	case <-s.stopped:
		select {
		case err := <-r.done:
			return err
		default:
			return crm.Internal(errClosed) // queued after the writer stopped: never run
		}
	}
}

// writer runs the groups until Close, then answers what is still queued.
func (s *Store) writer() {
	defer close(s.stopped)
	group := make([]*writeReq, 0, s.group)
	for {
		var first *writeReq
		select {
		case first = <-s.queue:
		case <-s.quit:
			for {
				select {
				case r := <-s.queue:
					r.done <- crm.Internal(errClosed)
				default:
					return
				}
			}
		}
		group = append(group[:0], first)
	gather:
		for len(group) < s.group {
			select {
			case r := <-s.queue:
				group = append(group, r)
			default:
				break gather
			}
		}
		var taken []*writeReq
		for _, r := range group {
			if r.state.CompareAndSwap(reqQueued, reqTaken) {
				taken = append(taken, r)
			}
		}
		for len(taken) > 0 {
			taken = s.commitGroup(taken)
		}
		clear(group)
		s.stmts.prepareWanted(s.w)
	}
}

// commitGroup runs the writes of group in one transaction, each under its
// savepoint, commits it and answers each. If SQLite rolled the transaction
// back during one write, that write is answered with the error and the
// others are returned, to run again in a new transaction.
func (s *Store) commitGroup(group []*writeReq) (again []*writeReq) {
	s.stmts.newTx()
	tx, err := s.w.BeginTx(context.Background(), nil)
	if err != nil {
		err = s.fail(err)
		for _, r := range group {
			r.done <- err
		}
		return nil
	}
	results := make([]error, len(group))
	changed := false
	for i, r := range group {
		err, lost := s.runInGroup(tx, r)
		if lost {
			_ = tx.Rollback()
			r.done <- err
			return append(append([]*writeReq{}, group[:i]...), group[i+1:]...)
		}
		results[i] = err
		changed = changed || (err == nil && r.changed)
	}
	if err := tx.Commit(); err != nil {
		err = s.fail(err)
		for i := range results {
			if results[i] == nil {
				results[i] = err
			}
		}
		changed = false
	} else {
		s.commits.Add(1)
		s.committed.Add(int64(countNil(results)))
	}
	for i, r := range group {
		r.done <- results[i]
	}
	if changed {
		select {
		case s.changed <- struct{}{}:
		default:
		}
	}
	return nil
}

// runInGroup runs one write of a group under its savepoint: released when
// the write succeeds, rolled back to when it fails. lost reports that the
// group's transaction is gone (SQLite rolled it back), err then being what
// the write is answered.
func (s *Store) runInGroup(tx *sql.Tx, r *writeReq) (err error, lost bool) {
	if err := r.ctx.Err(); err != nil {
		return s.fail(err), false
	}
	t := &wtx{ctx: context.WithoutCancel(r.ctx), tx: tx, s: s}
	if err := t.exec("SAVEPOINT w"); err != nil {
		return s.fail(err), true
	}
	if err := s.call(t, r.fn); err != nil {
		if rerr := t.exec("ROLLBACK TO w"); rerr != nil {
			return s.fail(err), true
		}
		if rerr := t.exec("RELEASE w"); rerr != nil {
			return s.fail(err), true
		}
		return s.fail(err), false
	}
	if err := t.exec("RELEASE w"); err != nil {
		return s.fail(err), true // the write went on past an error that ended the transaction
	}
	r.changed = t.changed
	return nil, false
}

// call runs fn, turning a panic into an internal error (logged with its
// stack) so that the writer, and the other writes of the group, go on.
func (s *Store) call(t *wtx, fn func(*wtx) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("a write transaction panicked; rolled back", "file", s.path, "panic", p, "stack", string(debug.Stack()))
			err = crm.Internal(fmt.Errorf("sqlite: a write panicked: %v", p))
		}
	}()
	return fn(t)
}

func countNil(errs []error) int {
	n := 0
	for _, err := range errs {
		if err == nil {
			n++
		}
	}
	return n
}

// Commits reports how many SQLite transactions the store has committed
// since Open and how many write transactions they held (each of its
// methods that writes is one; a group commit holds several): their ratio
// is the writes each fsync carried. For benchmarks and diagnostics.
func (s *Store) Commits() (commits, writes int64) {
	return s.commits.Load(), s.committed.Load()
}
