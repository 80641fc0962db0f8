package dynamo

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/crm"
)

// getRaw reads one item; an item whose ttl has passed counts as absent, as
// DynamoDB deletes expired items only eventually.
func (s *Store) getRaw(ctx context.Context, k map[string]types.AttributeValue) (map[string]types.AttributeValue, bool, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: k, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, false, crm.Internal(err)
	}
	if len(out.Item) == 0 || s.expired(out.Item) {
		return nil, false, nil
	}
	return out.Item, true, nil
}

func (s *Store) expired(item map[string]types.AttributeValue) bool {
	n, ok := item[attrTTL].(*types.AttributeValueMemberN)
	if !ok {
		return false
	}
	ttl, err := strconv.ParseInt(n.Value, 10, 64)
	return err == nil && ttl > 0 && ttl <= s.now().Unix()
}

// get reads and decodes one item, with not_found naming label.
func get[T any](ctx context.Context, s *Store, k map[string]types.AttributeValue, label string) (T, error) {
	var zero T
	m, found, err := s.getRaw(ctx, k)
	if err != nil {
		return zero, err
	}
	if !found {
		return zero, crm.NotFound(label)
	}
	return unmarshal[T](m)
}

// query describes one Query over the table or an index.
type query struct {
	index   string // "" for the table
	pk      string // value of the partition key
	prefix  string // begins_with on the sort key, if set
	forward bool
}

func (q query) keyNames() (pk, sk string) {
	if q.index == "" {
		return attrPK, attrSK
	}
	d := indexOf(q.index)
	return d.pk, d.sk
}

func (s *Store) queryInput(q query, limit int32, start map[string]types.AttributeValue) *dynamodb.QueryInput {
	pk, sk := q.keyNames()
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": pk},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(q.pk)},
		ScanIndexForward:          aws.Bool(q.forward),
		ExclusiveStartKey:         start,
	}
	if limit > 0 {
		in.Limit = aws.Int32(limit)
	}
	if q.index != "" {
		in.IndexName = aws.String(q.index)
	}
	if q.prefix != "" {
		in.KeyConditionExpression = aws.String("#pk = :pk AND begins_with(#sk, :sk)")
		in.ExpressionAttributeNames["#sk"] = sk
		in.ExpressionAttributeValues[":sk"] = str(q.prefix)
	}
	return in
}

// pageKey returns the attributes of item that make its position in q: the
// table key plus the index key.
func (q query) pageKey(item map[string]types.AttributeValue) map[string]types.AttributeValue {
	out := map[string]types.AttributeValue{attrPK: item[attrPK], attrSK: item[attrSK]}
	if q.index != "" {
		pk, sk := q.keyNames()
		out[pk], out[sk] = item[pk], item[sk]
	}
	return out
}

// maxQueryRounds bounds how many Query pages one list request may read while
// filtering, so that a rare filter cannot make a request unbounded; the
// caller then gets a short page with a cursor to go on.
const maxQueryRounds = 10

// page reads items of q from cursor, resolving each raw item with resolve
// (nil result: skip) and keeping those accept likes, until limit are kept.
// It returns them and the cursor after the last one read.
func page[T any](ctx context.Context, s *Store, q query, path string, o crm.ListOptions,
	resolve func(context.Context, []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error),
	decode func(map[string]types.AttributeValue) (T, error),
	accept func(T) bool,
) (crm.Page[T], error) {
	start, err := decodeCursor(o.Cursor, path)
	if err != nil {
		return crm.Page[T]{}, err
	}
	var res crm.Page[T]
	batch := int32(o.Limit)
	if accept != nil && batch < 100 {
		batch = 100
	}
	for round := 0; round < maxQueryRounds; round++ {
		out, err := s.db.Query(ctx, s.queryInput(q, batch, start))
		if err != nil {
			return res, crm.Internal(err)
		}
		resolved := out.Items
		if resolve != nil {
			if resolved, err = resolve(ctx, out.Items); err != nil {
				return res, err
			}
		}
		for i, raw := range out.Items {
			item := resolved[i]
			if item != nil && !s.expired(item) {
				v, err := decode(item)
				if err != nil {
					return res, err
				}
				if accept == nil || accept(v) {
					res.Items = append(res.Items, v)
				}
			}
			if len(res.Items) == o.Limit {
				if i < len(out.Items)-1 || len(out.LastEvaluatedKey) > 0 {
					res.NextCursor = encodeCursor(q.pageKey(raw), path)
				}
				return res, nil
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			return res, nil
		}
		start = out.LastEvaluatedKey
	}
	res.NextCursor = encodeCursor(start, path)
	return res, nil
}

type cursor struct {
	Path string            `json:"p"`
	Key  map[string]string `json:"k"`
}

// encodeCursor makes the opaque cursor for a position: the key attributes
// (all strings in this table) and the access path they belong to.
func encodeCursor(k map[string]types.AttributeValue, path string) string {
	c := cursor{Path: path, Key: map[string]string{}}
	for name, v := range k {
		if s, ok := v.(*types.AttributeValueMemberS); ok {
			c.Key[name] = s.Value
		}
	}
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a cursor made by encodeCursor for the same path.
func decodeCursor(s, path string) (map[string]types.AttributeValue, error) {
	if s == "" {
		return nil, nil
	}
	bad := crm.InvalidField("cursor", "is not a valid cursor for this list")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	var c cursor
	if err := json.Unmarshal(b, &c); err != nil || c.Path != path || len(c.Key) < 2 || len(c.Key) > 4 {
		return nil, bad
	}
	out := make(map[string]types.AttributeValue, len(c.Key))
	for name, v := range c.Key {
		switch name {
		case attrPK, attrSK, "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK", "GSI4PK", "GSI4SK",
			"GSI5PK", "GSI6PK", "GSI7PK":
		default:
			return nil, bad
		}
		if v == "" || len(v) > 1024 {
			return nil, bad
		}
		out[name] = str(v)
	}
	if out[attrPK] == nil || out[attrSK] == nil {
		return nil, bad
	}
	return out, nil
}

// count counts the items of q, reading keys only.
func (s *Store) count(ctx context.Context, q query) (int, error) {
	var start map[string]types.AttributeValue
	n := 0
	for {
		in := s.queryInput(q, 0, start)
		in.Select = types.SelectCount
		out, err := s.db.Query(ctx, in)
		if err != nil {
			return 0, crm.Internal(err)
		}
		n += int(out.Count)
		if len(out.LastEvaluatedKey) == 0 {
			return n, nil
		}
		start = out.LastEvaluatedKey
	}
}
