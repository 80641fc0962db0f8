package dynamotest

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/dynamo"
)

// Meter is a DynamoDB client wrapper that prices every request the way
// DynamoDB bills an on-demand table, from the item images around each
// write (read through the wrapped client, not counted), and counts the
// writes each item takes. It implements dynamo.API; writes are serialised,
// so that the images read around a write are that write's own.
//
// The prices (see docs/performance.md, "What a lead costs"):
//
//   - A write's table arm costs one write unit per KB (1,024 bytes, rounded
//     up, at least one) of the larger of the item before and after it; in
//     TransactWriteItems twice that. A ConditionCheck there costs what a
//     transactional write of the item it checks would (two units per KB):
//     DynamoDB bills it as a write.
//   - Each global secondary index the write changes costs one write unit
//     per KB of the item as the index projects it (its keys, the table's
//     keys, and the attributes of its projection), never doubled: an item
//     entering or leaving the index one write, an index key that moves two
//     (a delete and a put), a projected attribute that changes one; a write
//     that changes nothing the index holds costs the index nothing.
//   - A read costs one read unit per 4 KB (rounded up, at least one) when
//     strongly consistent, half that when eventually consistent (every
//     index read); BatchGetItem each item on its own, Query the items it
//     read per request, a Select COUNT query too.
//
// Refused writes and cancelled transactions are counted apart (Failed),
// not priced.
type Meter struct {
	db    dynamo.API
	table string
	keys  []string
	idx   []meterIndex

	mu    sync.Mutex // serialises writes
	usage Usage
}

// meterIndex is what the Meter needs of one global secondary index.
type meterIndex struct {
	name, pk, sk string
	kind         types.ProjectionType
	include      []string
}

// Usage is what a Meter counted.
type Usage struct {
	Requests    int
	WriteUnits  int            // table arms, ConditionChecks included
	CheckUnits  int            // of WriteUnits, those of ConditionChecks
	IndexUnits  int            // index arms
	ReadHalves  int            // read units times two (an eventually consistent read of 4 KB is one half)
	Failed      int            // refused writes and cancelled transactions
	Writes      map[string]int // writes of each item ("PK|SK")
	Transacted  map[string]int // transactions each item took part in, ConditionChecks included
	UnitsByType map[string]int // write units (table and index arms) by the item's type
}

// NewMeter returns a Meter around db for table, whose indexes and
// projections are dynamo.Schema's.
func NewMeter(db dynamo.API, table string) *Meter {
	s := dynamo.Schema(table)
	m := &Meter{db: db, table: table}
	for _, k := range s.KeySchema {
		m.keys = append(m.keys, aws.ToString(k.AttributeName))
	}
	for _, g := range s.GlobalSecondaryIndexes {
		ix := meterIndex{name: aws.ToString(g.IndexName), kind: g.Projection.ProjectionType, include: g.Projection.NonKeyAttributes}
		for _, k := range g.KeySchema {
			if k.KeyType == types.KeyTypeHash {
				ix.pk = aws.ToString(k.AttributeName)
			} else {
				ix.sk = aws.ToString(k.AttributeName)
			}
		}
		m.idx = append(m.idx, ix)
	}
	m.Reset()
	return m
}

// Usage returns a copy of what the Meter counted so far.
func (m *Meter) Usage() Usage {
	m.mu.Lock()
	defer m.mu.Unlock()
	u := m.usage
	u.Writes, u.Transacted, u.UnitsByType = maps.Clone(u.Writes), maps.Clone(u.Transacted), maps.Clone(u.UnitsByType)
	return u
}

// Reset forgets what the Meter counted.
func (m *Meter) Reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.usage = Usage{Writes: map[string]int{}, Transacted: map[string]int{}, UnitsByType: map[string]int{}}
}

// Sub returns what u counted since earlier, an earlier Usage of the same
// Meter.
func (u Usage) Sub(earlier Usage) Usage {
	d := Usage{Requests: u.Requests - earlier.Requests, WriteUnits: u.WriteUnits - earlier.WriteUnits,
		CheckUnits: u.CheckUnits - earlier.CheckUnits, IndexUnits: u.IndexUnits - earlier.IndexUnits,
		ReadHalves: u.ReadHalves - earlier.ReadHalves, Failed: u.Failed - earlier.Failed,
		Writes: map[string]int{}, Transacted: map[string]int{}, UnitsByType: map[string]int{}}
	for _, p := range []struct{ now, before, out map[string]int }{
		{u.Writes, earlier.Writes, d.Writes}, {u.Transacted, earlier.Transacted, d.Transacted},
		{u.UnitsByType, earlier.UnitsByType, d.UnitsByType}} {
		for k, v := range p.now {
			if v -= p.before[k]; v != 0 {
				p.out[k] = v
			}
		}
	}
	return d
}

// Busiest returns the item of counts with the highest count, and the count
// (the first in key order among equals).
func Busiest(counts map[string]int) (string, int) {
	keys := slices.Sorted(maps.Keys(counts))
	best, n := "", 0
	for _, k := range keys {
		if counts[k] > n {
			best, n = k, counts[k]
		}
	}
	return best, n
}

// ReadUnits is the read units counted.
func (u Usage) ReadUnits() float64 { return float64(u.ReadHalves) / 2 }

// TotalWriteUnits is the table and index arms together.
func (u Usage) TotalWriteUnits() int { return u.WriteUnits + u.IndexUnits }

// itemSize is an item's size as DynamoDB counts it (0 for none).
func itemSize(it map[string]types.AttributeValue) int {
	if it == nil {
		return 0
	}
	return dynamo.ItemSize(it)
}

// kbUnits is the units of size bytes at unit bytes each, at least one.
func kbUnits(size, unit int) int { return max(1, (size+unit-1)/unit) }

// keyOf is the table key of an item or key map.
func (m *Meter) keyOf(item map[string]types.AttributeValue) map[string]types.AttributeValue {
	k := map[string]types.AttributeValue{}
	for _, a := range m.keys {
		k[a] = item[a]
	}
	return k
}

// name names an item by its key: "PK|SK".
func (m *Meter) name(k map[string]types.AttributeValue) string {
	var parts []string
	for _, a := range m.keys {
		if s, ok := k[a].(*types.AttributeValueMemberS); ok {
			parts = append(parts, s.Value)
		}
	}
	return strings.Join(parts, "|")
}

// image reads an item as it is (nil when absent), unmetered.
func (m *Meter) image(ctx context.Context, k map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	out, err := m.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(m.table), Key: k, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, err
	}
	if len(out.Item) == 0 {
		return nil, nil
	}
	return out.Item, nil
}

// typeOf is an item's type attribute, for the breakdown (the start of its
// partition key when it has none).
func typeOf(items ...map[string]types.AttributeValue) string {
	for _, it := range items {
		if s, ok := it["type"].(*types.AttributeValueMemberS); ok {
			return s.Value
		}
	}
	for _, it := range items {
		if s, ok := it["PK"].(*types.AttributeValueMemberS); ok {
			pk, _, _ := strings.Cut(s.Value, "#")
			return pk
		}
	}
	return "?"
}

// project is the item as index ix holds it (nil when it is not in it).
func (ix meterIndex) project(item map[string]types.AttributeValue, tableKeys []string) map[string]types.AttributeValue {
	if item == nil || item[ix.pk] == nil || (ix.sk != "" && item[ix.sk] == nil) {
		return nil
	}
	if ix.kind == types.ProjectionTypeAll {
		return item
	}
	out := map[string]types.AttributeValue{}
	for _, a := range append(append([]string{ix.pk, ix.sk}, tableKeys...), ix.include...) {
		if v := item[a]; v != nil && a != "" {
			out[a] = v
		}
	}
	return out
}

// indexUnits prices what a change of an item from old to new (either nil)
// writes to the indexes.
func (m *Meter) indexUnits(old, new map[string]types.AttributeValue) int {
	n := 0
	for _, ix := range m.idx {
		a, b := ix.project(old, m.keys), ix.project(new, m.keys)
		switch {
		case a == nil && b == nil:
		case a == nil:
			n += kbUnits(dynamo.ItemSize(b), 1024)
		case b == nil:
			n += kbUnits(dynamo.ItemSize(a), 1024)
		case !equalAV(a[ix.pk], b[ix.pk]) || !equalAV(a[ix.sk], b[ix.sk]):
			n += kbUnits(dynamo.ItemSize(a), 1024) + kbUnits(dynamo.ItemSize(b), 1024)
		case !sameItem(a, b):
			n += kbUnits(max(dynamo.ItemSize(a), dynamo.ItemSize(b)), 1024)
		}
	}
	return n
}

// record adds one write of an item (old and new image) to the usage:
// factor 2 in a transaction.
func (m *Meter) record(k, old, new map[string]types.AttributeValue, factor int) {
	size := max(itemSize(old), itemSize(new))
	t := factor * kbUnits(size, 1024)
	ix := m.indexUnits(old, new)
	m.usage.WriteUnits += t
	m.usage.IndexUnits += ix
	m.usage.UnitsByType[typeOf(new, old)] += t + ix
	m.usage.Writes[m.name(k)]++
}

// readItem adds the read units of items read one by one (GetItem,
// BatchGetItem): a missing one costs the minimum.
func (m *Meter) readItem(item map[string]types.AttributeValue, consistent bool) {
	h := kbUnits(itemSize(item), 4096) * 2
	if !consistent {
		h = (h + 1) / 2
	}
	m.mu.Lock()
	m.usage.ReadHalves += h
	m.mu.Unlock()
}

// sameItem reports whether two images hold the same attributes.
func sameItem(a, b map[string]types.AttributeValue) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !equalAV(v, b[k]) {
			return false
		}
	}
	return true
}

// equalAV compares two attribute values (sets as sets).
func equalAV(a, b types.AttributeValue) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case *types.AttributeValueMemberS:
		y, ok := b.(*types.AttributeValueMemberS)
		return ok && x.Value == y.Value
	case *types.AttributeValueMemberN:
		y, ok := b.(*types.AttributeValueMemberN)
		return ok && x.Value == y.Value
	case *types.AttributeValueMemberBOOL:
		y, ok := b.(*types.AttributeValueMemberBOOL)
		return ok && x.Value == y.Value
	case *types.AttributeValueMemberB:
		y, ok := b.(*types.AttributeValueMemberB)
		return ok && string(x.Value) == string(y.Value)
	case *types.AttributeValueMemberNULL:
		_, ok := b.(*types.AttributeValueMemberNULL)
		return ok
	case *types.AttributeValueMemberSS:
		y, ok := b.(*types.AttributeValueMemberSS)
		return ok && sameSet(x.Value, y.Value)
	case *types.AttributeValueMemberNS:
		y, ok := b.(*types.AttributeValueMemberNS)
		return ok && sameSet(x.Value, y.Value)
	case *types.AttributeValueMemberL:
		y, ok := b.(*types.AttributeValueMemberL)
		if !ok || len(x.Value) != len(y.Value) {
			return false
		}
		for i := range x.Value {
			if !equalAV(x.Value[i], y.Value[i]) {
				return false
			}
		}
		return true
	case *types.AttributeValueMemberM:
		y, ok := b.(*types.AttributeValueMemberM)
		return ok && sameItem(x.Value, y.Value)
	}
	return false
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	sort.Strings(a)
	sort.Strings(b)
	return slices.Equal(a, b)
}

// refused reports whether err is DynamoDB refusing a write (a failed
// condition or a cancelled transaction), which the Meter counts apart.
func refused(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	var tce *types.TransactionCanceledException
	return errors.As(err, &ccf) || errors.As(err, &tce)
}
