package awstest

import (
	"encoding/json"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/dynamo"
)

// Units is what a run of writes cost, as DynamoDB bills writes in
// standard write units.
type Units struct {
	Writes      int // item writes (stream records)
	Transact    int // of which within TransactWriteItems
	Units       int // write units, table and indexes
	IndexWrites int // index entries written
}

// Index is a global secondary index's key attributes.
type Index struct{ PK, SK string }

// WriteUnits costs the writes behind records, stream records of the table
// (each an item written): for each, the larger image's size in KB rounded
// up, once for the table and once for each index entry written (every
// index projects all attributes: an item entering, leaving or staying in
// an index writes one entry, one whose index key changed writes two,
// removing the old one), twice all that for a write within a transaction.
// Which records a transaction wrote is read from the counter's writes
// from mark on: each item's records, in order, against its writes, in the
// order their requests were answered.
func (c *Counter) WriteUnits(records []events.DynamoDBEventRecord, mark int, indexes []Index) Units {
	c.mu.Lock()
	pending := map[string][]bool{}
	for _, w := range c.writes[mark:] {
		pending[w.key] = append(pending[w.key], w.transact)
	}
	c.mu.Unlock()
	var u Units
	for _, r := range records {
		keys := map[string]json.RawMessage{}
		for k, v := range r.Change.Keys {
			b, _ := json.Marshal(v)
			keys[k] = b
		}
		key := c.keyOf(keys)
		transact := false
		if q := pending[key]; len(q) > 0 {
			transact, pending[key] = q[0], q[1:]
		}
		old, new := item(r.Change.OldImage), item(r.Change.NewImage)
		per := (max(dynamo.ItemSize(old), dynamo.ItemSize(new)) + 1023) / 1024
		entries := 0
		for _, idx := range indexes {
			entries += indexEntries(old, new, idx)
		}
		n := per * (1 + entries)
		if transact {
			n *= 2
			u.Transact++
		}
		u.Writes++
		u.IndexWrites += entries
		u.Units += n
	}
	return u
}

// indexEntries is how many entries of idx a write from old to new writes.
func indexEntries(old, new map[string]types.AttributeValue, idx Index) int {
	inOld, inNew := old[idx.PK] != nil && old[idx.SK] != nil, new[idx.PK] != nil && new[idx.SK] != nil
	switch {
	case inOld && inNew && (!same(old[idx.PK], new[idx.PK]) || !same(old[idx.SK], new[idx.SK])):
		return 2
	case inOld || inNew:
		return 1
	}
	return 0
}

// same compares two attribute values.
func same(a, b types.AttributeValue) bool {
	ja, _ := json.Marshal(attributeJSON(a))
	jb, _ := json.Marshal(attributeJSON(b))
	return string(ja) == string(jb)
}

// attributeJSON makes a value comparable as JSON.
func attributeJSON(v types.AttributeValue) any {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return "S" + v.Value
	case *types.AttributeValueMemberN:
		return "N" + v.Value
	case *types.AttributeValueMemberB:
		return v.Value
	}
	return v
}

// item converts a stream image to the SDK's attribute values (for
// dynamo.ItemSize); nil stays nil.
func item(img map[string]events.DynamoDBAttributeValue) map[string]types.AttributeValue {
	if img == nil {
		return nil
	}
	out := make(map[string]types.AttributeValue, len(img))
	for k, v := range img {
		out[k] = value(v)
	}
	return out
}

// value converts one stream attribute value.
func value(v events.DynamoDBAttributeValue) types.AttributeValue {
	switch v.DataType() {
	case events.DataTypeString:
		return &types.AttributeValueMemberS{Value: v.String()}
	case events.DataTypeNumber:
		return &types.AttributeValueMemberN{Value: v.Number()}
	case events.DataTypeBinary:
		return &types.AttributeValueMemberB{Value: v.Binary()}
	case events.DataTypeBoolean:
		return &types.AttributeValueMemberBOOL{Value: v.Boolean()}
	case events.DataTypeStringSet:
		return &types.AttributeValueMemberSS{Value: v.StringSet()}
	case events.DataTypeNumberSet:
		return &types.AttributeValueMemberNS{Value: v.NumberSet()}
	case events.DataTypeBinarySet:
		return &types.AttributeValueMemberBS{Value: v.BinarySet()}
	case events.DataTypeList:
		l := make([]types.AttributeValue, 0, len(v.List()))
		for _, e := range v.List() {
			l = append(l, value(e))
		}
		return &types.AttributeValueMemberL{Value: l}
	case events.DataTypeMap:
		return &types.AttributeValueMemberM{Value: item(v.Map())}
	}
	return &types.AttributeValueMemberNULL{Value: true}
}
