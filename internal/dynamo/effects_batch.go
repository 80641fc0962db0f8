package dynamo

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/crm"
)

// The stream function writes the timeline entries and counter changes of
// a batch of records together (StreamHandler.Handle): ApplyOnce, called
// with a context of the batch (withEffects), keeps each record's effects,
// and the batch's end writes them, without a transaction per record:
//
//   - A timeline entry's key holds the time of the change and the record's
//     event ID (the change core gives it the change's time), so a record
//     delivered again makes the same entries under the same keys: each
//     entry is written on its own (one write unit), and writing it again
//     changes nothing.
//   - A record that changes counters must count once. Its first entry is
//     written on condition that it is new, and is the record's anchor: it
//     names the batch that counts the record (attribute batch). A record
//     that counts and makes no entry has a marker item for anchor
//     (EFFECT#rec#<eventId>, kept 14 days).
//   - The batch's counter changes, summed per source and month, are added
//     in one transaction with the batch's own item (EFFECT#batch#<id>),
//     written pending before the anchors and committed by that
//     transaction: a source's counters of a month are written once per
//     batch (in a burst a batch holds the records of dozens of leads).
//
// A record whose anchor exists was handled before (anchors.go): it is
// counted already if the batch its anchor names committed; if that batch
// is still pending it is aborted first, so that it can never commit, and
// the anchor is moved to this batch, which counts the record. A record
// with entries and no counter changes needs no anchor.

// effectBatch is the effects of a batch's records, waiting to be written.
type effectBatch struct {
	store   *Store
	record  int // the record whose effects ApplyOnce is keeping
	pending []recordEffects
}

// recordEffects is one ApplyOnce call of a batch: the record it is of (its
// index in the batch), its marker key, its entries and changes.
type recordEffects struct {
	record int
	key    string
	items  []crm.TimelineItem
	stats  []crm.StatDelta
}

type effectBatchKey struct{}

// withEffects returns a context under which ApplyOnce keeps effects in b.
func withEffects(ctx context.Context, b *effectBatch) context.Context {
	return context.WithValue(ctx, effectBatchKey{}, b)
}

// batchOf is the batch of ctx, if any.
func batchOf(ctx context.Context) *effectBatch {
	b, _ := ctx.Value(effectBatchKey{}).(*effectBatch)
	return b
}

// keep adds one ApplyOnce call of s to the batch.
func (b *effectBatch) keep(s *Store, key string, items []crm.TimelineItem, stats []crm.StatDelta) {
	b.store = s
	b.pending = append(b.pending, recordEffects{record: b.record, key: key, items: items, stats: stats})
}

// maxTxActions is what one TransactWriteItems may hold.
const maxTxActions = 100

// flush writes the kept effects in order, a batch item at a time. It
// returns the index of the first record whose effects it could not write
// (len of the batch's records when all were), and the error.
func (b *effectBatch) flush(ctx context.Context, records int) (int, error) {
	for len(b.pending) > 0 {
		n := chunkSize(b.pending)
		chunk := b.pending[:n]
		if err := b.store.writeEffects(ctx, chunk); err != nil {
			return chunk[0].record, err
		}
		b.pending = b.pending[n:]
	}
	return records, nil
}

// chunkSize is how many of the effects, from the first, one batch item
// counts (one at least): its transaction holds the batch item and one ADD
// per counters row.
func chunkSize(effects []recordEffects) int {
	rows := map[string]bool{}
	actions := 1
	for i, e := range effects {
		add := 0
		for _, d := range e.stats {
			if k := statsSK(d); !rows[k] {
				add++
			}
		}
		if i > 0 && actions+add > maxTxActions {
			return i
		}
		actions += add
		for _, d := range e.stats {
			rows[statsSK(d)] = true
		}
	}
	return len(effects)
}

// statsSK is the sort key of the counters row a delta changes.
func statsSK(d crm.StatDelta) string { return d.Month + "#" + sourceOrNone(d.SourceID) }

// effectTries is how many times a batch's transaction is tried when it
// conflicts with another one (another shard's invocation adding to the
// same counters) before the records are reported failed.
const effectTries = 5

// writeEffects writes effects: the batch item (pending) when one of them
// counts, every entry and anchor, then the counter changes of the records
// not counted before, with the batch item committed.
func (s *Store) writeEffects(ctx context.Context, effects []recordEffects) error {
	batch := ""
	if slices.ContainsFunc(effects, func(e recordEffects) bool { return len(e.stats) > 0 }) {
		batch = crm.NewID(s.now())
		if err := s.putBatch(ctx, batch); err != nil {
			return err
		}
	}
	seen, err := s.writeEntries(ctx, effects, batch)
	if err != nil {
		return err
	}
	var stats []crm.StatDelta
	counts := false
	for i, e := range effects {
		if len(e.stats) == 0 {
			continue
		}
		if seen[i] {
			mine, err := s.takeOver(ctx, anchorKey(e), batch)
			if err != nil || !mine {
				if err != nil {
					return err
				}
				continue
			}
		}
		counts = true
		stats = append(stats, e.stats...)
	}
	if !counts {
		return nil // the batch item stays pending, named by no anchor, until it expires
	}
	return s.commitBatch(ctx, batch, stats)
}

// commitBatch adds the counter changes and commits the batch item, in one
// transaction, tried again when it conflicts with another batch's.
// Errors: internal, also when the batch was aborted by a later delivery of
// its records (which then counts them).
func (s *Store) commitBatch(ctx context.Context, batch string, stats []crm.StatDelta) error {
	t := s.tx()
	k := batchKey(batch)
	t.touch(k)
	t.ops = append(t.ops, op{item: types.TransactWriteItem{Update: &types.Update{TableName: aws.String(s.table), Key: k,
		UpdateExpression: aws.String("SET #st = :done"), ConditionExpression: aws.String("#st = :pending"),
		ExpressionAttributeNames:  map[string]string{"#st": attrBatchState},
		ExpressionAttributeValues: map[string]types.AttributeValue{":done": str(batchCommitted), ":pending": str(batchPending)}}}})
	s.statsOps(t, stats)
	items := make([]types.TransactWriteItem, len(t.ops))
	for i, o := range t.ops {
		items[i] = o.item
	}
	for try := 1; ; try++ {
		_, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		if err == nil {
			return nil
		}
		var tce *types.TransactionCanceledException
		if !errors.As(err, &tce) {
			return crm.Internal(err)
		}
		conflict := false
		for _, r := range tce.CancellationReasons {
			switch aws.ToString(r.Code) {
			case "ConditionalCheckFailed":
				return crm.Internal(fmt.Errorf("batch %s was aborted by a later delivery of its records", batch))
			case "TransactionConflict":
				conflict = true
			}
		}
		if !conflict || try >= effectTries {
			return crm.Internal(fmt.Errorf("adding the counters of batch %s: %w", batch, err))
		}
		time.Sleep(time.Duration(rand.IntN(20*try)+5) * time.Millisecond)
	}
}

// entryWriters is how many timeline entries a batch writes at once.
const entryWriters = 8

// entryWrite is one write of a batch's entries: an entry (the anchor of
// its record, or not), or the marker of a record that counts and has no
// entry (item nil).
type entryWrite struct {
	effect int // index in the batch's effects
	item   *crm.TimelineItem
	anchor bool
}

// writeEntries writes the timeline entries and anchors of effects, each on
// its own, in order per contact, the anchors naming batch. It reports the
// effects whose anchor existed (handled before).
func (s *Store) writeEntries(ctx context.Context, effects []recordEffects, batch string) (map[int]bool, error) {
	groups := map[string][]entryWrite{}
	var order []string
	add := func(group string, w entryWrite) {
		if groups[group] == nil {
			order = append(order, group)
		}
		groups[group] = append(groups[group], w)
	}
	for i, e := range effects {
		a := anchorEntry(e)
		if len(e.stats) > 0 && a < 0 {
			add("marker "+e.key, entryWrite{effect: i, anchor: true})
		}
		for j := range e.items {
			add(e.items[j].ContactID, entryWrite{effect: i, item: &e.items[j], anchor: len(e.stats) > 0 && j == a})
		}
	}
	var mu sync.Mutex
	seen := map[int]bool{}
	work := make(chan string)
	errs := make(chan error, len(order))
	var wg sync.WaitGroup
	for range min(entryWriters, len(order)) {
		wg.Go(func() {
			for g := range work {
				for _, w := range groups[g] {
					existed, err := s.writeEntry(ctx, effects[w.effect], w, batch)
					if err != nil {
						errs <- err
						break
					}
					if existed {
						mu.Lock()
						seen[w.effect] = true
						mu.Unlock()
					}
				}
			}
		})
	}
	for _, g := range order {
		work <- g
	}
	close(work)
	wg.Wait()
	close(errs)
	return seen, <-errs // nil when none failed
}

// writeEntry puts (or deletes, when removed) one timeline entry, or puts a
// record's marker; an anchor only when it is new, naming batch. It reports
// whether the anchor existed.
func (s *Store) writeEntry(ctx context.Context, e recordEffects, w entryWrite, batch string) (bool, error) {
	var err error
	switch {
	case w.item == nil:
		m := s.markerItem(e.key)
		m[attrBatch] = str(batch)
		_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: m,
			ConditionExpression:      aws.String("attribute_not_exists(PK) OR #ttl <= :now"),
			ExpressionAttributeNames: map[string]string{"#ttl": attrTTL}, ExpressionAttributeValues: s.ttlNow()})
	case w.item.Removed:
		_, err = s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(s.table), Key: key(timelineKey(*w.item))})
	case w.anchor:
		m := marshal(timelineToItem(*w.item))
		m[attrBatch] = str(batch)
		_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: m,
			ConditionExpression: aws.String("attribute_not_exists(PK)")})
	default:
		_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: marshal(timelineToItem(*w.item))})
	}
	if w.anchor && isConditionFailed(err) {
		return true, nil
	}
	if err != nil {
		return false, crm.Internal(err)
	}
	return false, nil
}

// timelineOps adds the writes of timeline entries (a removed one deleted).
func timelineOps(t *tx, items []crm.TimelineItem) {
	for _, it := range items {
		if it.Removed {
			t.del(key(timelineKey(it)), "", nil, nil)
			continue
		}
		t.put(marshal(timelineToItem(it)), "", nil, nil)
	}
}

// statsOps adds one ADD per counters row (source and month) the deltas
// change, of their sum; a row whose sums are all 0 is not written.
func (s *Store) statsOps(t *tx, stats []crm.StatDelta) {
	rows := map[string]map[string]int64{}
	var order []string
	for _, d := range stats {
		sk := statsSK(d)
		if rows[sk] == nil {
			rows[sk] = map[string]int64{}
			order = append(order, sk)
		}
		rows[sk][d.Field] += d.Delta
	}
	for _, sk := range order {
		names := map[string]string{"#t": attrType, "#src": "sourceId", "#m": "month"}
		vals := map[string]types.AttributeValue{":t": str(kindStats)}
		month, src, _ := strings.Cut(sk, "#")
		vals[":src"], vals[":m"] = str(src), str(month)
		var adds []string
		i := 0
		for _, f := range slices.Sorted(maps.Keys(rows[sk])) {
			if rows[sk][f] == 0 {
				continue
			}
			n, v := fmt.Sprintf("#f%d", i), fmt.Sprintf(":f%d", i)
			names[n], vals[v] = f, num(strconv.FormatInt(rows[sk][f], 10))
			adds = append(adds, n+" "+v)
			i++
		}
		if len(adds) == 0 {
			continue
		}
		k := key(kindStats, sk)
		t.touch(k)
		t.ops = append(t.ops, op{item: types.TransactWriteItem{Update: &types.Update{TableName: aws.String(s.table), Key: k,
			UpdateExpression:         aws.String("SET #t = :t, #src = :src, #m = :m ADD " + strings.Join(adds, ", ")),
			ExpressionAttributeNames: names, ExpressionAttributeValues: vals}}})
	}
}
