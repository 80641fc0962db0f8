package dynamotest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/dynamo"
)

// API is the client a Capture wraps: the store's surface (dynamo.API) and
// BatchWriteItem, with which the Capture runs transactions.
// *dynamodb.Client implements it.
type API interface {
	dynamo.API
	BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

// Capture is a change-capture layer around a DynamoDB client, for tests of
// the stream Lambda's path: every successful write yields the change
// records DynamoDB Streams would emit for it (old and new image of each
// item it changed), handed to OnChange. Reads pass straight through. It
// implements dynamo.API.
//
// Writes are serialised so that the images read around a write are
// exactly that write's.
type Capture struct {
	db      API
	table   string
	keyAttr []string // partition and sort key attribute names

	mu     sync.Mutex
	seq    uint64
	broken error // set when a failed transaction could not be undone
	now    func() time.Time
	// OnChange, when set, receives each write's records in sequence order,
	// before the write returns. It is called with writes held, so it must
	// not write through the Capture, and must not block for long.
	OnChange func([]Record)
}

// NewCapture returns a Capture over db for table, which has the key schema
// of dynamo.Schema.
func NewCapture(db API, table string) *Capture {
	var keyAttr []string
	for _, k := range dynamo.Schema(table).KeySchema {
		keyAttr = append(keyAttr, aws.ToString(k.AttributeName))
	}
	return &Capture{db: db, table: table, keyAttr: keyAttr, now: time.Now}
}

// NewCapturing starts a server for the test as New does and returns it
// with a Capture over its client; the store under test uses the Capture
// (dynamo.New(capture, table.Name)).
func NewCapturing(tb testing.TB) (*Table, *Capture) {
	tb.Helper()
	t := New(tb)
	return t, NewCapture(t.Client, t.Name)
}

// GetItem passes through.
func (c *Capture) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return c.db.GetItem(ctx, in, o...)
}

// Query passes through.
func (c *Capture) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return c.db.Query(ctx, in, o...)
}

// BatchGetItem passes through.
func (c *Capture) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	return c.db.BatchGetItem(ctx, in, o...)
}

// PutItem writes and captures the change. Errors: those of the server, or
// ErrBroken.
func (c *Capture) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (out *dynamodb.PutItemOutput, err error) {
	err = c.write(ctx, []map[string]types.AttributeValue{c.keyOf(in.Item)}, func(context.Context, []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
		out, err = c.db.PutItem(ctx, in, o...)
		return []map[string]types.AttributeValue{in.Item}, err
	})
	return out, err
}

// UpdateItem writes and captures the change. Errors: those of the server,
// or ErrBroken.
func (c *Capture) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (out *dynamodb.UpdateItemOutput, err error) {
	ks := []map[string]types.AttributeValue{in.Key}
	err = c.write(ctx, ks, func(cctx context.Context, _ []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
		if out, err = c.db.UpdateItem(ctx, in, o...); err != nil {
			return nil, err
		}
		return c.images(cctx, ks)
	})
	return out, err
}

// DeleteItem writes and captures the change. Errors: those of the server,
// or ErrBroken.
func (c *Capture) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (out *dynamodb.DeleteItemOutput, err error) {
	err = c.write(ctx, []map[string]types.AttributeValue{in.Key}, func(context.Context, []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
		out, err = c.db.DeleteItem(ctx, in, o...)
		return []map[string]types.AttributeValue{nil}, err
	})
	return out, err
}

func (c *Capture) keyOf(item map[string]types.AttributeValue) map[string]types.AttributeValue {
	k := make(map[string]types.AttributeValue, len(c.keyAttr))
	for _, a := range c.keyAttr {
		k[a] = item[a]
	}
	return k
}

// write runs op, which gets the images of the items it touches before it
// runs and returns their images after, and hands the records of what
// changed to OnChange.
func (c *Capture) write(ctx context.Context, ks []map[string]types.AttributeValue,
	op func(ctx context.Context, olds []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error)) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.broken != nil {
		return c.broken
	}
	// The capture must finish even if the caller gives up, or the records
	// would miss a change the table has.
	cctx := context.WithoutCancel(ctx)
	olds, err := c.images(cctx, ks)
	if err != nil {
		return err
	}
	news, err := op(cctx, olds)
	if err != nil {
		return err
	}
	recs, err := c.records(ks, olds, news)
	if err != nil {
		c.broken = fmt.Errorf("%w: a write could not be captured: %v", ErrBroken, err)
		return c.broken
	}
	if len(recs) > 0 && c.OnChange != nil {
		c.OnChange(recs)
	}
	return nil
}

func (c *Capture) records(ks, olds, news []map[string]types.AttributeValue) ([]Record, error) {
	now := c.now()
	var recs []Record
	for i := range ks {
		r, ok, err := newRecord(c.seq+1, now, ks[i], olds[i], news[i])
		if err != nil {
			return nil, err
		}
		if ok {
			c.seq++
			recs = append(recs, r)
		}
	}
	return recs, nil
}

// images reads the current item (nil if absent) of each key, in order: one
// GetItem for one key, else BatchGetItem.
func (c *Capture) images(ctx context.Context, ks []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
	out := make([]map[string]types.AttributeValue, len(ks))
	if len(ks) == 1 {
		res, err := c.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(c.table), Key: ks[0], ConsistentRead: aws.Bool(true)})
		if err != nil {
			return nil, fmt.Errorf("capture: read image: %w", err)
		}
		if len(res.Item) > 0 {
			out[0] = res.Item
		}
		return out, nil
	}
	pos := map[string]int{}
	for i, k := range ks {
		pos[c.keyString(k)] = i
	}
	for start := 0; start < len(ks); start += 100 {
		req := map[string]types.KeysAndAttributes{c.table: {Keys: ks[start:min(start+100, len(ks))], ConsistentRead: aws.Bool(true)}}
		for len(req) > 0 {
			res, err := c.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
			if err != nil {
				return nil, fmt.Errorf("capture: read images: %w", err)
			}
			for _, item := range res.Responses[c.table] {
				out[pos[c.keyString(c.keyOf(item))]] = item
			}
			req = res.UnprocessedKeys
		}
	}
	return out, nil
}

// keyString is a map key for an item key.
func (c *Capture) keyString(k map[string]types.AttributeValue) string {
	var b strings.Builder
	for _, a := range c.keyAttr {
		if s, ok := k[a].(*types.AttributeValueMemberS); ok {
			b.WriteString(s.Value)
		}
		b.WriteByte(0)
	}
	return b.String()
}

// ErrBroken is wrapped by the error of every write after one the Capture
// could not capture or, for a failed transaction, undo: the table and the
// records no longer agree.
var ErrBroken = errors.New("capture layer is in a failed state")
