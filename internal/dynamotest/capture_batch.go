package dynamotest

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Scan passes through (for `embudo copy`, which reads a table whole).
func (c *Capture) Scan(ctx context.Context, in *dynamodb.ScanInput, o ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	scanner, ok := c.db.(interface {
		Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
	})
	if !ok {
		return nil, validation("the captured client cannot Scan")
	}
	return scanner.Scan(ctx, in, o...)
}

// BatchWriteItem writes and captures the change of every item it puts or
// deletes (of the Capture's table), reading the images after the write: an
// item left unprocessed shows no change, and a put of an item as it was
// already yields no record, as DynamoDB Streams writes none. Errors: those
// of the server, or ErrBroken.
func (c *Capture) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, o ...func(*dynamodb.Options)) (out *dynamodb.BatchWriteItemOutput, err error) {
	var ks []map[string]types.AttributeValue
	for _, r := range in.RequestItems[c.table] {
		switch {
		case r.PutRequest != nil:
			ks = append(ks, c.keyOf(r.PutRequest.Item))
		case r.DeleteRequest != nil:
			ks = append(ks, r.DeleteRequest.Key)
		}
	}
	if len(ks) == 0 {
		return c.db.BatchWriteItem(ctx, in, o...)
	}
	err = c.write(ctx, ks, func(cctx context.Context, _ []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
		if out, err = c.db.BatchWriteItem(ctx, in, o...); err != nil {
			return nil, err
		}
		return c.images(cctx, ks)
	})
	return out, err
}
