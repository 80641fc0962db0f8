package sqlite

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// Feed hands the outbox's changes to apply, as the DynamoDB stream hands
// its records to the stream function: in commit order, one at a time, each
// retried until it succeeds, never skipped. It keeps how far it got (the
// checkpoint) in the database, so changes committed but not applied when
// the process stopped are applied at the next start; applying one twice is
// harmless, since effects are keyed by the change's ID.
type Feed struct {
	s     *Store
	apply func(context.Context, crm.Change) error
	log   *slog.Logger

	cancel context.CancelFunc
	done   chan struct{}

	mu       sync.Mutex
	applied  int64         // the checkpoint: the last seq applied
	progress chan struct{} // closed (and replaced) when applied advances
}

var errFeedClosed = errors.New("sqlite: the change feed is closed")

// Feed timings.
const (
	feedPoll       = time.Second           // how often the feed looks without being woken
	feedBatch      = 100                   // outbox rows read at a time
	feedBackoff    = 50 * time.Millisecond // the first pause after a failure
	feedMaxBackoff = 10 * time.Second      // the longest
)

// StartFeed starts applying s's changes with apply, beginning after the
// stored checkpoint. The feed wakes right after each commit that wrote to
// the outbox, and polls every second. log receives the retries
// (slog.Default() when nil). Close stops it.
func (s *Store) StartFeed(apply func(context.Context, crm.Change) error, log *slog.Logger) *Feed {
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	f := &Feed{s: s, apply: apply, log: log, cancel: cancel, done: make(chan struct{}), progress: make(chan struct{}), applied: -1}
	go f.run(ctx)
	return f
}

func (f *Feed) run(ctx context.Context) {
	defer close(f.done)
	checkpoint, ok := retry(ctx, f, "read the change feed's checkpoint", 0, func() (int64, error) { return f.s.checkpoint(ctx) })
	if !ok {
		return
	}
	f.advanced(checkpoint)
	tick := time.NewTicker(feedPoll)
	defer tick.Stop()
	for {
		rows, ok := retry(ctx, f, "read the outbox", checkpoint, func() ([]outboxRow, error) { return f.s.pending(ctx, checkpoint, feedBatch) })
		if !ok {
			return
		}
		for _, r := range rows {
			if _, ok := retry(ctx, f, "apply a change", r.seq, func() (struct{}, error) {
				c, err := r.change()
				if err != nil {
					return struct{}{}, err
				}
				return struct{}{}, f.apply(ctx, c)
			}); !ok {
				return
			}
			if _, ok := retry(ctx, f, "advance the change feed's checkpoint", r.seq, func() (struct{}, error) {
				return struct{}{}, f.s.advance(ctx, r.seq)
			}); !ok {
				return
			}
			checkpoint = r.seq
			f.advanced(checkpoint)
		}
		if len(rows) == feedBatch {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-f.s.changed:
		case <-tick.C:
		}
	}
}

// retry runs step until it succeeds, logging each failure and pausing
// longer each time; false when the feed stops first.
func retry[T any](ctx context.Context, f *Feed, what string, seq int64, step func() (T, error)) (T, bool) {
	pause := feedBackoff
	for {
		v, err := step()
		if err == nil {
			return v, true
		}
		if ctx.Err() != nil {
			return v, false
		}
		f.log.Warn("change feed: could not "+what+"; retrying", "file", f.s.path, "seq", seq, "err", err, "in", pause)
		select {
		case <-ctx.Done():
			return v, false
		case <-time.After(pause):
		}
		pause = min(2*pause, feedMaxBackoff)
	}
}

// advanced records that the checkpoint reached seq and wakes Drain.
func (f *Feed) advanced(seq int64) {
	f.mu.Lock()
	f.applied = seq
	close(f.progress)
	f.progress = make(chan struct{})
	f.mu.Unlock()
}

// Drain returns once every change committed before it was called has been
// applied (for tests and a graceful stop). Errors: ctx's, unavailable,
// internal.
func (f *Feed) Drain(ctx context.Context) error {
	var last int64
	if err := f.s.r.QueryRowContext(ctx, "SELECT coalesce(max(seq), 0) FROM outbox").Scan(&last); err != nil {
		return f.s.fail(err)
	}
	for {
		f.mu.Lock()
		done, wait := f.applied >= last, f.progress
		f.mu.Unlock()
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-f.done:
			return crm.Internal(errFeedClosed)
		case <-wait:
		}
	}
}

// Close stops the feed and waits for it; changes not applied yet are
// applied at the next start.
func (f *Feed) Close() {
	f.cancel()
	<-f.done
}

// checkpoint reads the last outbox seq the feed applied.
func (s *Store) checkpoint(ctx context.Context) (int64, error) {
	var seq int64
	err := s.r.QueryRowContext(ctx, "SELECT seq FROM feed_checkpoint WHERE name = 'feed'").Scan(&seq)
	return seq, s.fail(err)
}

// pending reads up to n outbox rows after seq, in order.
func (s *Store) pending(ctx context.Context, after int64, n int) ([]outboxRow, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT seq, kind, old, new FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?", after, n)
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	var out []outboxRow
	for rows.Next() {
		var r outboxRow
		if err := rows.Scan(&r.seq, &r.kind, &r.old, &r.new); err != nil {
			return nil, s.fail(err)
		}
		out = append(out, r)
	}
	return out, s.fail(rows.Err())
}

// advance moves the checkpoint to seq and deletes the outbox rows up to
// it, in one transaction.
func (s *Store) advance(ctx context.Context, seq int64) error {
	return s.write(ctx, func(t *wtx) error {
		if err := t.exec("UPDATE feed_checkpoint SET seq = ? WHERE name = 'feed'", seq); err != nil {
			return err
		}
		return t.exec("DELETE FROM outbox WHERE seq <= ?", seq)
	})
}
