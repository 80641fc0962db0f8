package dynamotest

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

// TransactWriteItems runs a transaction and captures the change of every
// item it puts, updates or deletes.
//
// It does not hand the transaction to the server: minidyn makes a deep
// copy of the whole table for every transaction (to roll back), so a write
// would cost time proportional to the table, and a test or benchmark with
// tens of thousands of contacts would slow to a crawl. Writes are already
// serialised here, so the transaction runs as its single-item conditional
// writes in order, and if one fails (a condition, or any error), the ones
// before it are undone from the images read before it started. A
// ConditionCheck is a conditional rewrite of the item as it is. The caller
// sees what DynamoDB answers: a TransactionCanceledException whose
// CancellationReasons say ConditionalCheckFailed at the failed action and
// None elsewhere, or a ValidationException for two actions on one item.
// Readers may see a transaction half applied for the microseconds it runs;
// DynamoDB would not show that, and the API never relies on it. Errors:
// those, other errors of the server, or ErrBroken when an undo failed.
func (c *Capture) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	acts := in.TransactItems
	ks := make([]map[string]types.AttributeValue, len(acts))
	seen := map[string]bool{}
	for i, a := range acts {
		switch {
		case a.Put != nil:
			ks[i] = c.keyOf(a.Put.Item)
		case a.Update != nil:
			ks[i] = a.Update.Key
		case a.Delete != nil:
			ks[i] = a.Delete.Key
		case a.ConditionCheck != nil:
			ks[i] = a.ConditionCheck.Key
		default:
			return nil, validation("a transaction action has no operation")
		}
		k := c.keyString(ks[i])
		if seen[k] {
			return nil, validation("Transaction request cannot include multiple operations on one item")
		}
		seen[k] = true
	}
	if len(acts) == 0 || len(acts) > 100 {
		return nil, validation("a transaction has 1 to 100 actions")
	}
	err := c.write(ctx, ks, func(cctx context.Context, olds []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
		if news, done, err := c.fastTransact(cctx, acts, ks, olds, o); done {
			return news, err
		}
		news := make([]map[string]types.AttributeValue, len(acts))
		for i, a := range acts {
			img, err := c.apply(cctx, a, ks[i], olds[i], o)
			if err != nil {
				if uerr := c.undo(cctx, ks[:i], olds[:i], news[:i]); uerr != nil {
					c.broken = errors.Join(ErrBroken, uerr)
					return nil, c.broken
				}
				return nil, cancelled(err, i, len(acts))
			}
			news[i] = img
		}
		return news, nil
	})
	if err != nil {
		return nil, err
	}
	return &dynamodb.TransactWriteItemsOutput{}, nil
}

// apply runs one action as a single-item write and returns the item's image
// after it.
func (c *Capture) apply(ctx context.Context, a types.TransactWriteItem, key, old map[string]types.AttributeValue, o []func(*dynamodb.Options)) (map[string]types.AttributeValue, error) {
	switch {
	case a.Put != nil:
		p := a.Put
		_, err := c.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: p.TableName, Item: p.Item,
			ConditionExpression: p.ConditionExpression, ExpressionAttributeNames: p.ExpressionAttributeNames,
			ExpressionAttributeValues: p.ExpressionAttributeValues}, o...)
		return p.Item, err
	case a.Delete != nil:
		d := a.Delete
		_, err := c.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: d.TableName, Key: d.Key,
			ConditionExpression: d.ConditionExpression, ExpressionAttributeNames: d.ExpressionAttributeNames,
			ExpressionAttributeValues: d.ExpressionAttributeValues}, o...)
		return nil, err
	case a.Update != nil:
		u := a.Update
		out, err := c.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: u.TableName, Key: u.Key,
			UpdateExpression: u.UpdateExpression, ConditionExpression: u.ConditionExpression,
			ExpressionAttributeNames: u.ExpressionAttributeNames, ExpressionAttributeValues: u.ExpressionAttributeValues,
			ReturnValues: types.ReturnValueAllNew}, o...)
		if err != nil {
			return nil, err
		}
		return out.Attributes, nil
	default:
		cc := a.ConditionCheck
		item := old
		if item == nil {
			item = key
		}
		_, err := c.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: cc.TableName, Item: item,
			ConditionExpression: cc.ConditionExpression, ExpressionAttributeNames: cc.ExpressionAttributeNames,
			ExpressionAttributeValues: cc.ExpressionAttributeValues}, o...)
		if err == nil && old == nil {
			_, err = c.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(c.table), Key: key})
		}
		return old, err
	}
}

// undo restores the items of the actions that ran before one failed.
func (c *Capture) undo(ctx context.Context, ks, olds, news []map[string]types.AttributeValue) error {
	for i := len(ks) - 1; i >= 0; i-- {
		var err error
		switch {
		case olds[i] != nil:
			_, err = c.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(c.table), Item: olds[i]})
		case news[i] != nil:
			_, err = c.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(c.table), Key: ks[i]})
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// cancelled turns the failure of action i into DynamoDB's answer: a
// cancelled transaction for a failed condition, the error itself otherwise.
func cancelled(err error, i, n int) error {
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		return err
	}
	reasons := make([]types.CancellationReason, n)
	for j := range reasons {
		reasons[j].Code = aws.String("None")
	}
	reasons[i] = types.CancellationReason{Code: aws.String("ConditionalCheckFailed"), Message: aws.String("The conditional request failed")}
	return &types.TransactionCanceledException{
		Message:             aws.String("Transaction cancelled, please refer cancellation reasons for specific reasons"),
		CancellationReasons: reasons,
	}
}

func validation(msg string) error {
	return &smithy.GenericAPIError{Code: "ValidationException", Message: msg, Fault: smithy.FaultClient}
}

// fastTransact runs a transaction whose Put, Delete and ConditionCheck
// conditions are simple enough to evaluate here (evalCondition) on the
// images just read. Writes are serialised by the capture layer, so nothing
// can change an item between that read and the write: a failed condition
// cancels the transaction before anything is written, and the puts and
// deletes go in one BatchWriteItem instead of one request each. Updates
// still run one by one with their conditions, undone if one fails. done is
// false when some condition is not simple: the caller runs the slow path.
func (c *Capture) fastTransact(ctx context.Context, acts []types.TransactWriteItem, ks, olds []map[string]types.AttributeValue, o []func(*dynamodb.Options)) (news []map[string]types.AttributeValue, done bool, err error) {
	for i, a := range acts {
		var cond *string
		var names map[string]string
		var vals map[string]types.AttributeValue
		switch {
		case a.Put != nil:
			cond, names, vals = a.Put.ConditionExpression, a.Put.ExpressionAttributeNames, a.Put.ExpressionAttributeValues
		case a.Delete != nil:
			cond, names, vals = a.Delete.ConditionExpression, a.Delete.ExpressionAttributeNames, a.Delete.ExpressionAttributeValues
		case a.ConditionCheck != nil:
			cond, names, vals = a.ConditionCheck.ConditionExpression, a.ConditionCheck.ExpressionAttributeNames, a.ConditionCheck.ExpressionAttributeValues
		default:
			continue
		}
		ok, simple := evalCondition(aws.ToString(cond), names, vals, olds[i])
		if !simple {
			return nil, false, nil
		}
		if !ok {
			return nil, true, cancelled(&types.ConditionalCheckFailedException{}, i, len(acts))
		}
	}
	news = make([]map[string]types.AttributeValue, len(acts))
	var batch []types.WriteRequest
	for i, a := range acts {
		switch {
		case a.Put != nil:
			news[i] = a.Put.Item
			batch = append(batch, types.WriteRequest{PutRequest: &types.PutRequest{Item: a.Put.Item}})
		case a.Delete != nil:
			batch = append(batch, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: a.Delete.Key}})
		case a.ConditionCheck != nil:
			news[i] = olds[i]
		}
	}
	if err := c.batchWrite(ctx, batch); err != nil {
		if uerr := c.undo(ctx, ks, olds, news); uerr != nil {
			c.broken = errors.Join(ErrBroken, uerr)
			return nil, true, c.broken
		}
		return nil, true, err
	}
	for i, a := range acts {
		if a.Update == nil {
			continue
		}
		img, err := c.apply(ctx, a, ks[i], olds[i], o)
		if err != nil {
			if uerr := c.undo(ctx, ks, olds, news); uerr != nil {
				c.broken = errors.Join(ErrBroken, uerr)
				return nil, true, c.broken
			}
			return nil, true, cancelled(err, i, len(acts))
		}
		news[i] = img
	}
	return news, true, nil
}

// batchWrite writes puts and deletes with BatchWriteItem, 25 at a time,
// until none is left unprocessed.
func (c *Capture) batchWrite(ctx context.Context, reqs []types.WriteRequest) error {
	for start := 0; start < len(reqs); start += 25 {
		pending := map[string][]types.WriteRequest{c.table: reqs[start:min(start+25, len(reqs))]}
		for len(pending) > 0 && len(pending[c.table]) > 0 {
			out, err := c.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
			if err != nil {
				return err
			}
			pending = out.UnprocessedItems
		}
	}
	return nil
}
