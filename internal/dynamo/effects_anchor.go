package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/crm"
)

// The anchors of a stream batch's records and the batch items that count
// them (effects_batch.go has the whole scheme).

const (
	// attrBatch is the attribute of an anchor naming the batch that counts
	// its record.
	attrBatch = "batch"
	// attrBatchState is the attribute of a batch item: pending, committed
	// (its counter changes are added) or aborted (they never will be).
	attrBatchState = "batchState"
	batchPending   = "pending"
	batchCommitted = "committed"
	batchAborted   = "aborted"
	// takeOverTries is how many times a record's anchor is read again when
	// another delivery changes it meanwhile.
	takeOverTries = 3
)

// anchorEntry is the index of the entry of e that anchors its record: the
// first that is not removed; -1 for none.
func anchorEntry(e recordEffects) int {
	for i, it := range e.items {
		if !it.Removed {
			return i
		}
	}
	return -1
}

// anchorKey is the key of the anchor of a record that counts: its first
// entry, or its marker.
func anchorKey(e recordEffects) map[string]types.AttributeValue {
	if i := anchorEntry(e); i >= 0 {
		return key(timelineKey(e.items[i]))
	}
	return markerKey(e.key)
}

// batchKey is the key of a batch item.
func batchKey(id string) map[string]types.AttributeValue { return markerKey("batch#" + id) }

// putBatch writes a batch item, pending (kept as long as markers).
func (s *Store) putBatch(ctx context.Context, id string) error {
	m := s.markerItem("batch#" + id)
	m[attrBatchState] = str(batchPending)
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: m}); err != nil {
		return crm.Internal(err)
	}
	return nil
}

// batchState reads the state of a batch item; "" when it is gone (expired:
// its records are older than the stream keeps records, long counted).
func (s *Store) batchState(ctx context.Context, id string) (string, error) {
	m, found, err := s.getRaw(ctx, batchKey(id))
	if err != nil || !found {
		return "", err
	}
	v, _ := m[attrBatchState].(*types.AttributeValueMemberS)
	if v == nil {
		return "", nil
	}
	return v.Value, nil
}

// takeOver decides, for a record whose anchor (at k) existed, whether
// batch counts it: not when the batch the anchor names committed (or is
// gone, or the anchor names none: an earlier version's marker, or an entry
// written in a marker's transaction); when that batch is pending it is
// aborted, and then, as for one aborted, the anchor is moved to batch,
// which counts the record. Errors: internal, also when the anchor is gone
// or keeps changing.
func (s *Store) takeOver(ctx context.Context, k map[string]types.AttributeValue, batch string) (bool, error) {
	for range takeOverTries {
		m, found, err := s.getRaw(ctx, k)
		if err != nil {
			return false, err
		}
		if !found {
			return false, crm.Internal(errors.New("a record's anchor existed and is gone"))
		}
		v, _ := m[attrBatch].(*types.AttributeValueMemberS)
		if v == nil {
			return false, nil
		}
		if v.Value == batch {
			return true, nil
		}
		state, err := s.batchState(ctx, v.Value)
		if err != nil {
			return false, err
		}
		switch state {
		case batchPending:
			if err := s.setBatchState(ctx, v.Value, batchPending, batchAborted); err != nil && !isConditionFailed(err) {
				return false, err
			}
			continue // read again: aborted now, or committed meanwhile
		case batchAborted:
			err := s.update(ctx, k, "SET #b = :new", "#b = :old", map[string]string{"#b": attrBatch},
				map[string]types.AttributeValue{":new": str(batch), ":old": str(v.Value)})
			if isConditionFailed(err) {
				continue // another delivery moved it
			}
			return err == nil, err
		default:
			return false, nil
		}
	}
	return false, crm.Internal(fmt.Errorf("a record's anchor keeps changing (batch %s)", batch))
}

// setBatchState changes a batch item's state from one to another.
func (s *Store) setBatchState(ctx context.Context, id, from, to string) error {
	return s.update(ctx, batchKey(id), "SET #st = :to", "#st = :from", map[string]string{"#st": attrBatchState},
		map[string]types.AttributeValue{":to": str(to), ":from": str(from)})
}

// update runs one conditional UpdateItem; a failed condition is returned
// as the SDK's ConditionalCheckFailedException (isConditionFailed).
func (s *Store) update(ctx context.Context, k map[string]types.AttributeValue, expr, cond string, names map[string]string, vals map[string]types.AttributeValue) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(s.table), Key: k,
		UpdateExpression: aws.String(expr), ConditionExpression: aws.String(cond),
		ExpressionAttributeNames: names, ExpressionAttributeValues: vals})
	if err != nil && !isConditionFailed(err) {
		return crm.Internal(err)
	}
	return err
}

// isConditionFailed reports whether err is a refused condition.
func isConditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

// ttlNow is the condition value of markers whose ttl has passed.
func (s *Store) ttlNow() map[string]types.AttributeValue {
	return map[string]types.AttributeValue{":now": num(strconv.FormatInt(s.now().Unix(), 10))}
}
