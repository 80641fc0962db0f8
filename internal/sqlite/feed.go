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
// its records to the stream function: a batch at a time, in commit order
// for each entity (the changes of different entities of a batch are
// applied side by side, up to feedWorkers at once, as a stream's shards
// are), each retried until it succeeds, never skipped. The timeline
// entries and counters that apply writes (ApplyOnce) are kept, and written
// when the whole batch is applied, in one transaction with the checkpoint
// (how far the feed got), so changes committed but not applied when the
// process stopped are applied at the next start, and effects and
// checkpoint never disagree. What apply does itself before then (an
// e-mail, once its marker is committed by ClaimOnce) is done again at the
// next start if the batch's transaction did not commit: harmless, since
// effects are keyed by the change's ID.
type Feed struct {
	s     *Store
	apply func(context.Context, crm.Change) error
	log   *slog.Logger

	cancel context.CancelFunc
	done   chan struct{}

	mu       sync.Mutex
	applied  int64         // the checkpoint: the last seq applied
	progress chan struct{} // closed (and replaced) when applied advances

	// failFlush, when set (tests), is called before each batch's
	// transaction; its error fails it.
	failFlush func() error
}

var errFeedClosed = errors.New("sqlite: the change feed is closed")

// Feed timings and sizes.
const (
	feedPoll       = time.Second           // how often the feed looks without being woken
	feedBatch      = 200                   // outbox rows read, and applied, at a time
	feedWorkers    = 64                    // changes of a batch applied at once (of different entities)
	feedBackoff    = 50 * time.Millisecond // the first pause after a failure
	feedMaxBackoff = 10 * time.Second      // the longest
)

// StartFeed starts applying s's changes with apply, beginning after the
// stored checkpoint. apply is called for several changes at once (never
// two of one entity). The feed wakes right after each commit that wrote to
// the outbox, and polls every second. log receives the retries
// (slog.Default() when nil). Close stops it.
func (s *Store) StartFeed(apply func(context.Context, crm.Change) error, log *slog.Logger) *Feed {
	f := s.newFeed(apply, log)
	f.begin()
	return f
}

// newFeed is a feed not started yet.
func (s *Store) newFeed(apply func(context.Context, crm.Change) error, log *slog.Logger) *Feed {
	if log == nil {
		log = slog.Default()
	}
	return &Feed{s: s, apply: apply, log: log, done: make(chan struct{}), progress: make(chan struct{}), applied: -1}
}

// begin starts the feed's goroutine.
func (f *Feed) begin() {
	ctx, cancel := context.WithCancel(context.Background())
	f.cancel = cancel
	go f.run(ctx)
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
		if len(rows) > 0 {
			b, ok := f.applyBatch(ctx, rows)
			if !ok {
				return
			}
			last := rows[len(rows)-1].seq
			if _, ok := retry(ctx, f, "write the effects of a batch and advance the checkpoint", last, func() (struct{}, error) {
				if f.failFlush != nil {
					if err := f.failFlush(); err != nil {
						return struct{}{}, err
					}
				}
				return struct{}{}, f.s.flush(ctx, b, last)
			}); !ok {
				return
			}
			checkpoint = last
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

// applyBatch applies rows, those of one entity in order by one worker, up
// to feedWorkers entities at once, each change retried until it succeeds;
// it returns the effects they kept, or false when the feed stops first.
func (f *Feed) applyBatch(ctx context.Context, rows []outboxRow) (*effectBatch, bool) {
	b := &effectBatch{kept: make([][]keptEffects, len(rows))}
	changes := make([]crm.Change, len(rows))
	decodeErr := make([]error, len(rows))
	parts := map[string][]int{}
	var order []string
	for i, r := range rows {
		changes[i], decodeErr[i] = r.change()
		k := r.kind + " " + entityID(changes[i])
		if decodeErr[i] != nil {
			k = changes[i].ID // alone: it fails until fixed
		}
		if parts[k] == nil {
			order = append(order, k)
		}
		parts[k] = append(parts[k], i)
	}
	work := make(chan []int)
	var wg sync.WaitGroup
	for range min(feedWorkers, len(order)) {
		wg.Go(func() {
			for part := range work {
				if ctx.Err() != nil {
					continue // stopping: the rest are applied at the next start
				}
				for _, i := range part {
					if _, ok := retry(ctx, f, "apply a change", rows[i].seq, func() (struct{}, error) {
						b.reset(i)
						if decodeErr[i] != nil {
							return struct{}{}, decodeErr[i]
						}
						return struct{}{}, f.apply(withEffects(ctx, b, i), changes[i])
					}); !ok {
						break
					}
				}
			}
		})
	}
	for _, k := range order {
		work <- parts[k]
	}
	close(work)
	wg.Wait()
	return b, ctx.Err() == nil
}

// entityID is the ID of the entity a change is of.
func entityID(c crm.Change) string {
	e := c.New
	if e == nil {
		e = c.Old
	}
	switch v := e.(type) {
	case crm.Contact:
		return v.ID
	case crm.Opportunity:
		return v.ID
	case crm.Note:
		return v.ID
	case crm.File:
		return v.ID
	case crm.Quote:
		return v.ID
	case crm.LeadRecord:
		return v.ID
	}
	return ""
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
	if err := f.s.reads.QueryRowContext(ctx, "SELECT coalesce(max(seq), 0) FROM outbox").Scan(&last); err != nil {
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
	err := s.reads.QueryRowContext(ctx, "SELECT seq FROM feed_checkpoint WHERE name = 'feed'").Scan(&seq)
	return seq, s.fail(err)
}

// pending reads up to n outbox rows after seq, in order.
func (s *Store) pending(ctx context.Context, after int64, n int) ([]outboxRow, error) {
	rows, err := s.reads.QueryContext(ctx, "SELECT seq, kind, old, new FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?", after, n)
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

// flush writes, in one transaction, the effects a batch kept (each
// record's under its marker, skipped when the marker exists: the change
// was applied before) and the checkpoint seq, deleting the outbox rows up
// to it.
func (s *Store) flush(ctx context.Context, b *effectBatch, seq int64) error {
	return s.write(ctx, func(t *wtx) error {
		if err := b.write(t); err != nil {
			return err
		}
		if err := t.exec("UPDATE feed_checkpoint SET seq = ? WHERE name = 'feed'", seq); err != nil {
			return err
		}
		return t.exec("DELETE FROM outbox WHERE seq <= ?", seq)
	})
}
