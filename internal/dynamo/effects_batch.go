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
// and the batch's end writes them: one transaction (up to 100 actions)
// holds each record's marker (refused if the record was applied before)
// and one ADD per source and month with the sum of the counter changes of
// all its records, so that a source's counters of a month are written once
// per batch, not once per record (in a burst a batch holds the records of
// dozens of leads); then each record's timeline entries are written on
// their own, outside the transaction, at half a transaction's price. The
// marker holds the entries it stands for, so a record delivered again
// whose marker exists writes the entries of its first delivery again
// (their keys hold the time the record was first handled): entries lost
// between the transaction and their own writes are written then, and none
// is written twice.

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

// flush writes the kept effects in order, a transaction at a time. It
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

// chunkSize is how many of the effects, from the first, fit in one
// transaction (one at least): a marker each, and the counters rows.
func chunkSize(effects []recordEffects) int {
	rows := map[string]bool{}
	actions := 0
	for i, e := range effects {
		add := 1
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

// writeEffects writes effects: one transaction of each record's marker
// (with its timeline entries) and the summed counter changes, then the
// entries. A record whose marker exists (it was applied before) is left
// out of the transaction, which is tried again, and the entries its marker
// holds are written again.
func (s *Store) writeEffects(ctx context.Context, effects []recordEffects) error {
	var again []recordEffects // applied before
	for try := 1; len(effects) > 0; try++ {
		t, markers := s.effectsTx(effects)
		items := make([]types.TransactWriteItem, len(t.ops))
		for i, o := range t.ops {
			items[i] = o.item
		}
		_, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		if err == nil {
			break
		}
		var tce *types.TransactionCanceledException
		if !errors.As(err, &tce) {
			return crm.Internal(err)
		}
		applied := map[int]bool{}
		conflict := false
		for i, r := range tce.CancellationReasons {
			switch aws.ToString(r.Code) {
			case "ConditionalCheckFailed":
				if e, ok := markers[i]; ok {
					applied[e] = true
				}
			case "TransactionConflict":
				conflict = true
			}
		}
		switch {
		case len(applied) > 0:
			var rest []recordEffects
			for i, e := range effects {
				if applied[i] {
					again = append(again, e)
				} else {
					rest = append(rest, e)
				}
			}
			effects = rest
		case conflict && try < effectTries:
			time.Sleep(time.Duration(rand.IntN(20*try)+5) * time.Millisecond)
		default:
			return crm.Internal(fmt.Errorf("writing the effects of %d records: %w", len(effects), err))
		}
	}
	for _, e := range again {
		items, err := s.markedEntries(ctx, e.key)
		if err != nil {
			return err
		}
		e.items = items
		effects = append(effects, e)
	}
	return s.writeEntries(ctx, effects)
}

// effectsTx builds the transaction of effects; markers maps the index of
// each marker's action to its effects' index.
func (s *Store) effectsTx(effects []recordEffects) (*tx, map[int]int) {
	t := s.tx()
	markers := map[int]int{}
	now := map[string]types.AttributeValue{":now": num(strconv.FormatInt(s.now().Unix(), 10))}
	var stats []crm.StatDelta
	for i, e := range effects {
		markers[len(t.ops)] = i
		m := s.markerItem(e.key)
		if len(e.items) > 0 {
			var l []types.AttributeValue
			for _, it := range e.items {
				l = append(l, &types.AttributeValueMemberM{Value: marshal(markedEntry{timelineToItem(it), it.Removed})})
			}
			m[attrEntries] = &types.AttributeValueMemberL{Value: l}
		}
		t.put(m, "attribute_not_exists(PK) OR #ttl <= :now", now, nil)
		t.ops[len(t.ops)-1].item.Put.ExpressionAttributeNames = map[string]string{"#ttl": attrTTL}
		stats = append(stats, e.stats...)
	}
	s.statsOps(t, stats)
	return t, markers
}

// attrEntries is the attribute of a record's marker that holds the
// timeline entries it stands for.
const attrEntries = "entries"

// markedEntry is a timeline entry as a marker holds it.
type markedEntry struct {
	timelineItem
	Removed bool `dynamodbav:"removed,omitempty"`
}

// markedEntries reads the timeline entries a record's marker holds.
func (s *Store) markedEntries(ctx context.Context, k string) ([]crm.TimelineItem, error) {
	m, _, err := s.getRaw(ctx, markerKey(k))
	if err != nil {
		return nil, err
	}
	var out []crm.TimelineItem
	if l, ok := m[attrEntries].(*types.AttributeValueMemberL); ok {
		for _, v := range l.Value {
			mv, ok := v.(*types.AttributeValueMemberM)
			if !ok {
				continue
			}
			e, err := unmarshal[markedEntry](mv.Value)
			if err != nil {
				return nil, err
			}
			it := timelineFromItem(e.timelineItem)
			it.Removed = e.Removed
			out = append(out, it)
		}
	}
	return out, nil
}

// entryWriters is how many timeline entries a batch writes at once.
const entryWriters = 8

// writeEntries writes the timeline entries of effects (a removed one
// deleted), each on its own, in order per contact.
func (s *Store) writeEntries(ctx context.Context, effects []recordEffects) error {
	byContact := map[string][]crm.TimelineItem{}
	var contacts []string
	for _, e := range effects {
		for _, it := range e.items {
			if byContact[it.ContactID] == nil {
				contacts = append(contacts, it.ContactID)
			}
			byContact[it.ContactID] = append(byContact[it.ContactID], it)
		}
	}
	work := make(chan string)
	errs := make(chan error, len(contacts))
	var wg sync.WaitGroup
	for range min(entryWriters, len(contacts)) {
		wg.Go(func() {
			for c := range work {
				for _, it := range byContact[c] {
					if err := s.writeEntry(ctx, it); err != nil {
						errs <- err
						break
					}
				}
			}
		})
	}
	for _, c := range contacts {
		work <- c
	}
	close(work)
	wg.Wait()
	close(errs)
	return <-errs // nil when none failed
}

// writeEntry puts (or deletes, when removed) one timeline entry.
func (s *Store) writeEntry(ctx context.Context, it crm.TimelineItem) error {
	var err error
	if it.Removed {
		_, err = s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(s.table), Key: key(timelineKey(it))})
	} else {
		_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: marshal(timelineToItem(it))})
	}
	if err != nil {
		return crm.Internal(err)
	}
	return nil
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
