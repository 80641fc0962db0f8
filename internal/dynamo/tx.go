package dynamo

import (
	"context"
	"errors"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/crm"
)

// op is one action of a transaction and what its failed condition means.
type op struct {
	item types.TransactWriteItem
	// onFail turns a failed condition of this action into a crm error.
	onFail func(ctx context.Context) error
}

type tx struct {
	s    *Store
	ops  []op
	keys map[string]bool // items already in the transaction
	// before are items written just before the transaction, each on its
	// own (putBefore): the word items and interest links of a new contact.
	before []map[string]types.AttributeValue
}

func (s *Store) tx() *tx { return &tx{s: s, keys: map[string]bool{}} }

// touch records that the transaction acts on the item with key k and
// reports whether it already did. DynamoDB refuses two actions on one item.
func (t *tx) touch(k map[string]types.AttributeValue) bool {
	id := k[attrPK].(*types.AttributeValueMemberS).Value + "\x00" + k[attrSK].(*types.AttributeValueMemberS).Value
	seen := t.keys[id]
	t.keys[id] = true
	return seen
}

func (t *tx) put(item map[string]types.AttributeValue, cond string, vals map[string]types.AttributeValue, onFail func(context.Context) error) {
	t.touch(item)
	p := &types.Put{TableName: aws.String(t.s.table), Item: item}
	if cond != "" {
		p.ConditionExpression = aws.String(cond)
		p.ExpressionAttributeValues = vals
	}
	t.ops = append(t.ops, op{types.TransactWriteItem{Put: p}, onFail})
}

func (t *tx) del(k map[string]types.AttributeValue, cond string, vals map[string]types.AttributeValue, onFail func(context.Context) error) {
	t.touch(k)
	d := &types.Delete{TableName: aws.String(t.s.table), Key: k}
	if cond != "" {
		d.ConditionExpression = aws.String(cond)
		d.ExpressionAttributeValues = vals
	}
	t.ops = append(t.ops, op{types.TransactWriteItem{Delete: d}, onFail})
}

// check adds a condition on an item, unless the transaction already writes
// that item (whose own condition then stands for it).
func (t *tx) check(k map[string]types.AttributeValue, cond string, onFail func(context.Context) error) {
	if t.touch(k) {
		return
	}
	t.ops = append(t.ops, op{types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
		TableName: aws.String(t.s.table), Key: k, ConditionExpression: aws.String(cond)}}, onFail})
}

// putBefore writes item just before the transaction, on its own: one
// write unit where the transaction's write is two. Only for items whose
// key holds the ID of an entity the transaction creates (a new contact's
// word items and interest links), which nothing else writes, and which
// no read lists without the entity they name: a refused transaction
// deletes them, and one whose outcome is unknown (or a process that stops
// between) leaves them behind, unseen.
func (t *tx) putBefore(item map[string]types.AttributeValue) {
	t.before = append(t.before, item)
}

// putNew writes an item that must not exist yet.
func (t *tx) putNew(item map[string]types.AttributeValue, onFail func(context.Context) error) {
	t.put(item, "attribute_not_exists(PK)", nil, onFail)
}

// putVersion replaces an item whose stored version must still be old.
func (t *tx) putVersion(item map[string]types.AttributeValue, old int, onFail func(context.Context) error) {
	t.put(item, "version = :v", map[string]types.AttributeValue{":v": num(itoa(old))}, onFail)
}

// claim claims a unique value for owner.
func (t *tx) claim(scope, value, owner string, onFail func(context.Context) error) {
	t.put(claimItem(scope, value, owner), "attribute_not_exists(PK) OR #o = :o", map[string]types.AttributeValue{":o": str(owner)}, onFail)
	t.ops[len(t.ops)-1].item.Put.ExpressionAttributeNames = map[string]string{"#o": "owner"}
}

// release frees a unique value owned by owner.
func (t *tx) release(scope, value, owner string) {
	t.del(uniqueKey(scope, value), "attribute_not_exists(PK) OR #o = :o", map[string]types.AttributeValue{":o": str(owner)}, nil)
	t.ops[len(t.ops)-1].item.Delete.ExpressionAttributeNames = map[string]string{"#o": "owner"}
}

// moveClaims releases the values in old that are not in next and claims the
// values in next that are not in old.
func (t *tx) moveClaims(scope string, old, next []string, owner string, onFail func(value string) func(context.Context) error) {
	for _, v := range old {
		if !contains(next, v) {
			t.release(scope, v, owner)
		}
	}
	for _, v := range next {
		if !contains(old, v) {
			t.claim(scope, v, owner, onFail(v))
		}
	}
}

// run executes the transaction, turning a cancelled one into the error of the
// first action whose condition failed.
func (t *tx) run(ctx context.Context) error {
	if len(t.ops) == 0 {
		return nil
	}
	if err := t.writeBefore(ctx); err != nil {
		return err
	}
	items := make([]types.TransactWriteItem, len(t.ops))
	for i, o := range t.ops {
		items[i] = o.item
	}
	_, err := t.s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	if err == nil {
		return nil
	}
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		t.deleteBefore(ctx, len(t.before))
		for i, r := range tce.CancellationReasons {
			if aws.ToString(r.Code) == "ConditionalCheckFailed" && i < len(t.ops) && t.ops[i].onFail != nil {
				return t.ops[i].onFail(ctx)
			}
		}
		for _, r := range tce.CancellationReasons {
			if aws.ToString(r.Code) == "TransactionConflict" {
				return crm.ConcurrentWrite()
			}
		}
	}
	return crm.Internal(err)
}

// writeBefore puts the items written before the transaction, at once;
// when one fails, it deletes those written and returns the error.
func (t *tx) writeBefore(ctx context.Context) error {
	errs := make([]error, len(t.before))
	var wg sync.WaitGroup
	for i, item := range t.before {
		wg.Go(func() {
			_, errs[i] = t.s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(t.s.table), Item: item})
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.deleteBefore(ctx, len(t.before))
		return crm.Internal(err)
	}
	return nil
}

// deleteBefore deletes the first n items written before a transaction
// that did not happen. A deletion that fails leaves its item behind:
// unseen, as no read lists it without its entity.
func (t *tx) deleteBefore(ctx context.Context, n int) {
	var wg sync.WaitGroup
	for _, item := range t.before[:n] {
		wg.Go(func() {
			k := map[string]types.AttributeValue{attrPK: item[attrPK], attrSK: item[attrSK]}
			_, _ = t.s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(t.s.table), Key: k})
		})
	}
	wg.Wait()
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func itoa(n int) string {
	return formatInt(int64(n))
}

// refCheck adds a check that the entity next refers to exists, when the
// reference is set and differs from old's.
func refCheck(kind, label, field, old, next string) func(*tx) {
	if next == "" || next == old {
		return nil
	}
	return func(t *tx) {
		t.check(entityKey(kind, next), "attribute_exists(PK)", failMissingRef(field, label))
	}
}

// both runs two optional transaction extensions.
func both(a, b func(*tx)) func(*tx) {
	return func(t *tx) {
		for _, f := range []func(*tx){a, b} {
			if f != nil {
				f(t)
			}
		}
	}
}
