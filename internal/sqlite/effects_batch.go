package sqlite

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/embudo/embudo/internal/crm"
)

// The change feed writes the timeline entries and counters of a batch of
// changes together (Feed): ApplyOnce, called with a context of the batch
// (withEffects), keeps each change's effects, and the batch's end writes
// them in one transaction with the feed's checkpoint: each change's marker
// (its effects skipped when the marker exists, the change having been
// applied before), its entries, and one row update per source and month
// with the sums of the batch's counter changes.

// effectBatch is the effects of a batch's changes, waiting to be written;
// safe for the feed's workers.
type effectBatch struct {
	mu   sync.Mutex
	kept [][]keptEffects // by the change's place in the batch
}

// keptEffects is one ApplyOnce call of a batch.
type keptEffects struct {
	key   string
	items []crm.TimelineItem
	stats []crm.StatDelta
}

// batchChange is what a context of a batch carries: the batch, and the
// change being applied.
type batchChange struct {
	b *effectBatch
	i int
}

type effectBatchKey struct{}

// withEffects returns a context under which ApplyOnce keeps the effects of
// the i-th change of b in b.
func withEffects(ctx context.Context, b *effectBatch, i int) context.Context {
	return context.WithValue(ctx, effectBatchKey{}, batchChange{b, i})
}

// batchOf is the batch and change of ctx, if any.
func batchOf(ctx context.Context) (batchChange, bool) {
	c, ok := ctx.Value(effectBatchKey{}).(batchChange)
	return c, ok
}

// keep adds one ApplyOnce call of the i-th change.
func (b *effectBatch) keep(i int, key string, items []crm.TimelineItem, stats []crm.StatDelta) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.kept[i] = append(b.kept[i], keptEffects{key: key, items: items, stats: stats})
}

// reset forgets what the i-th change kept (an attempt of it failed: the
// next one keeps its effects again).
func (b *effectBatch) reset(i int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.kept[i] = nil
}

// write writes the kept effects in t, in the batch's order: each under its
// marker, skipped when the marker exists; the counter changes summed per
// source and month.
func (b *effectBatch) write(t *wtx) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	sums := map[[2]string]map[string]int64{} // month, source → column → sum
	var rows [][2]string
	for _, kept := range b.kept {
		for _, e := range kept {
			ok, err := takeMarker(t, e.key)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			for _, it := range e.items {
				if err := putTimeline(t, it); err != nil {
					return err
				}
			}
			for _, d := range e.stats {
				col, ok := statColumns[d.Field]
				if !ok {
					continue
				}
				k := [2]string{d.Month, sourceOrNone(d.SourceID)}
				if sums[k] == nil {
					sums[k] = map[string]int64{}
					rows = append(rows, k)
				}
				sums[k][col] += d.Delta
			}
		}
	}
	for _, k := range rows {
		if err := addStats(t, k[0], k[1], sums[k]); err != nil {
			return err
		}
	}
	return nil
}

// addStats adds to the counters of a source's month (source "none" for
// none) in one statement; columns whose sum is 0 are left out.
func addStats(t *wtx, month, source string, sums map[string]int64) error {
	var cols []string
	for c, n := range sums {
		if n != 0 {
			cols = append(cols, c)
		}
	}
	if len(cols) == 0 {
		return nil
	}
	slices.Sort(cols)
	args := []any{month, source}
	set := make([]string, len(cols))
	for i, c := range cols {
		args = append(args, sums[c])
		set[i] = c + " = " + c + " + excluded." + c
	}
	return t.exec("INSERT INTO stats (month, source, "+strings.Join(cols, ", ")+") VALUES (?, ?"+strings.Repeat(", ?", len(cols))+
		") ON CONFLICT (month, source) DO UPDATE SET "+strings.Join(set, ", "), args...)
}
